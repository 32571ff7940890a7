"""Build the course notebooks from their jupytext sources, and execute them.

Each chapter is written as a plain Python file in jupytext's "percent" format under
``course/src/`` (the format VS Code and PyCharm also read as cells):

    # %% [markdown]
    # # A title
    # Markdown lines are comments; "# " is stripped.

    # %%
    x = 1 + 1          # a code cell

``python tools/build_notebooks.py`` reads every ``course/src/<name>.py`` with jupytext,
writes ``course/<name>.ipynb``, executes it top to bottom in ``course/`` (so outputs,
figures included, are committed with the notebook) and reports the run time.

    python tools/build_notebooks.py                      # all chapters, executed
    python tools/build_notebooks.py 01_gradient_descent  # one chapter
    python tools/build_notebooks.py --no-execute         # cells only, no outputs
    python tools/build_notebooks.py --check              # fail if a notebook's cells differ from its source

The two files are a jupytext pair (``course/jupytext.toml``, and ``formats`` in each
notebook's metadata: ``ipynb,src//py:percent``): with jupytext installed (the ``dev``
extra), JupyterLab saves an edited notebook's cells back into its source, so an
instructor can edit either side. Execution is deterministic as far as the chapters are
(seeded); the notebook metadata carries no timestamps, so re-running changes only what
the code prints.

Nothing typed into a notebook is lost: each built notebook records a hash of its cells,
and a notebook whose cells were edited since (in JupyterLab, say) and differ from its
source is first copied to ``course/.edited/<name>-<time>.ipynb``.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import time
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "course" / "src"
OUT = ROOT / "course"

SOURCE_FORMAT = "py:percent"
PAIRING = {"formats": "ipynb,src//py:percent",       # as in course/jupytext.toml
           "notebook_metadata_filter": "-all", "cell_metadata_filter": "-all",
           "comment_magics": False}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def read_source(text: str) -> nbformat.NotebookNode:
    """The notebook (cells only) that jupytext reads from percent-format source."""
    nb = jupytext.reads(text, fmt=SOURCE_FORMAT)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.source.strip():
            continue                       # an empty '# %%' section is no cell
        cell.pop("id", None)
        cell["id"] = f"cell-{len(cells):03d}"      # stable ids: diffs stay small
        cell.metadata = dict(cell.metadata)
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def write_source(nb: nbformat.NotebookNode) -> str:
    """The percent-format source of a notebook's cells (what jupytext's pairing writes)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.from_dict(dict(c)) for c in nb.cells],
                                  metadata={"jupytext": dict(PAIRING)})
    return jupytext.writes(nb, fmt=SOURCE_FORMAT)


def cells_hash(nb: nbformat.NotebookNode) -> str:
    """sha256 of the notebook's cell types and sources (not outputs)."""
    text = "\0".join(f"{c.cell_type}:{c.source}" for c in nb.cells)
    return hashlib.sha256(text.encode()).hexdigest()


def build(name: str) -> nbformat.NotebookNode:
    nb = read_source((SRC / f"{name}.py").read_text(encoding="utf-8"))
    nb.metadata = {"kernelspec": dict(KERNELSPEC),
                   "language_info": {"name": "python", "pygments_lexer": "ipython3"},
                   "jupytext": dict(PAIRING),
                   "coursekit": {"cells_sha256": cells_hash(nb)}}
    return nb


def keep_edits(target: Path, built: nbformat.NotebookNode | None = None) -> Path | None:
    """Copy ``target`` aside when its cells were edited after it was built (and, when
    ``built`` is given, differ from it: edits already saved into the source are safe);
    return the copy."""
    if not target.exists():
        return None
    old = nbformat.read(target, as_version=4)
    if old.metadata.get("coursekit", {}).get("cells_sha256") == cells_hash(old):
        return None
    if built is not None and same_cells(old, built):
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
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {k: v for k, v in nb.metadata.get("language_info", {}).items()
                                    if k in ("name", "pygments_lexer", "mimetype", "file_extension",
                                             "codemirror_mode", "nbconvert_exporter")}
    return elapsed


def same_cells(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> bool:
    key = lambda nb: [(c.cell_type, c.source) for c in nb.cells]
    return key(a) == key(b)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


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
        backup = keep_edits(target, nb)
        if backup:
            print(f"{name}: your edits to {target.name} are kept in {_shown(backup)}")
        nbformat.write(nb, target)
        size = target.stat().st_size / 1e6
        ran = "not executed" if seconds is None else f"executed in {seconds:.1f} s"
        print(f"{name}: {len(nb.cells)} cells, {ran}, {size:.2f} MB -> {_shown(target)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
