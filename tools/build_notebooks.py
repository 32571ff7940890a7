"""Build the course notebooks from readable Python sources, and execute them.

Each chapter is written as a plain Python file in "percent" format under
``course/src/`` (the format of jupytext and VS Code):

    # %% [markdown]
    # # A title
    # Markdown lines are comments; "# " is stripped.

    # %%
    x = 1 + 1          # a code cell

``python tools/build_notebooks.py`` writes ``course/<name>.ipynb`` for every
``course/src/<name>.py``, executes it top to bottom in ``course/`` (so outputs,
figures included, are committed with the notebook) and reports the run time.

    python tools/build_notebooks.py                      # all chapters, executed
    python tools/build_notebooks.py 01_gradient_descent  # one chapter
    python tools/build_notebooks.py --no-execute         # cells only, no outputs
    python tools/build_notebooks.py --check              # fail if a notebook's cells differ from its source

Execution is deterministic as far as the chapters are (seeded); the notebook
metadata carries no timestamps, so re-running changes only what the code prints.

Nothing typed into a notebook is lost: each built notebook records a hash of its cells,
and a notebook whose cells were edited since (in JupyterLab, say) is first copied to
``course/.edited/<name>-<time>.ipynb``.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "course" / "src"
OUT = ROOT / "course"
_MARKER = re.compile(r"^# %%(?P<rest>.*)$")

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def parse_cells(text: str) -> list:
    """Split percent-format source into nbformat cells (markdown or code)."""
    cells, kind, lines = [], None, []

    def flush():
        body = "\n".join(lines).strip("\n")
        if kind is None:
            if body.strip():
                raise ValueError("text before the first '# %%' marker: " + body[:60])
            return
        if kind == "markdown":
            md = []
            for line in body.splitlines():
                if line.startswith("# "):
                    md.append(line[2:])
                elif line.strip() == "#" or not line.strip():
                    md.append("")
                else:
                    raise ValueError(f"markdown cell line is not a comment: {line!r}")
            cells.append(nbformat.v4.new_markdown_cell("\n".join(md).strip("\n")))
        elif body.strip():
            cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        m = _MARKER.match(line)
        if m:
            flush()
            kind = "markdown" if "[markdown]" in m.group("rest") else "code"
            lines = []
        else:
            lines.append(line)
    flush()
    for i, cell in enumerate(cells):       # stable ids: diffs stay small
        cell["id"] = f"cell-{i:03d}"
    return cells


def cells_hash(nb: nbformat.NotebookNode) -> str:
    """sha256 of the notebook's cell types and sources (not outputs)."""
    text = "\0".join(f"{c.cell_type}:{c.source}" for c in nb.cells)
    return hashlib.sha256(text.encode()).hexdigest()


def build(name: str) -> nbformat.NotebookNode:
    source = (SRC / f"{name}.py").read_text(encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = parse_cells(source)
    nb.metadata = {"kernelspec": dict(KERNELSPEC),
                   "language_info": {"name": "python", "pygments_lexer": "ipython3"},
                   "coursekit": {"cells_sha256": cells_hash(nb)}}
    return nb


def keep_edits(target: Path) -> Path | None:
    """Copy ``target`` aside when its cells were edited after it was built; return the copy."""
    if not target.exists():
        return None
    old = nbformat.read(target, as_version=4)
    if old.metadata.get("coursekit", {}).get("cells_sha256") == cells_hash(old):
        return None
    backup = target.parent / ".edited" / f"{target.stem}-{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
    backup.parent.mkdir(exist_ok=True)
    shutil.copy2(target, backup)
    return backup


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> float:
    """Run all cells in course/ with the current Python's kernel; returns seconds."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(OUT)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:                  # drop per-run timestamps from the metadata
        cell.metadata.pop("execution", None)
    nb.metadata["language_info"] = {k: v for k, v in nb.metadata.get("language_info", {}).items()
                                    if k in ("name", "pygments_lexer", "mimetype", "file_extension",
                                             "codemirror_mode", "nbconvert_exporter")}
    return elapsed


def same_cells(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> bool:
    key = lambda nb: [(c.cell_type, c.source) for c in nb.cells]
    return key(a) == key(b)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="chapter names (course/src/<name>.py); default all")
    parser.add_argument("--no-execute", action="store_true", help="write cells without outputs")
    parser.add_argument("--check", action="store_true",
                        help="only check that each notebook's cells match its source")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    names = args.names or sorted(p.stem for p in SRC.glob("*.py"))
    status = 0
    for name in names:
        if not (SRC / f"{name}.py").exists():
            print(f"{name}: no source course/src/{name}.py", file=sys.stderr)
            return 2
        nb, target = build(name), OUT / f"{name}.ipynb"
        if args.check:
            ok = target.exists() and same_cells(nb, nbformat.read(target, as_version=4))
            print(f"{name}: {'up to date' if ok else 'STALE: run python tools/build_notebooks.py ' + name}")
            status |= 0 if ok else 1
            continue
        seconds = None if args.no_execute else execute(nb, args.timeout)
        nbformat.validate(nb)
        backup = keep_edits(target)
        if backup:
            print(f"{name}: your edits to {target.name} are kept in {backup.relative_to(ROOT)}")
        nbformat.write(nb, target)
        size = target.stat().st_size / 1e6
        ran = "not executed" if seconds is None else f"executed in {seconds:.1f} s"
        print(f"{name}: {len(nb.cells)} cells, {ran}, {size:.2f} MB -> {target.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
