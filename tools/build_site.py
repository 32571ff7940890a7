"""Build the course website (``make site``): static HTML from the committed, executed notebooks.

    python tools/build_site.py [--src build/site-src] [--out build/site] [--prepare-only]

Nothing is executed: the notebooks in course/ are read as committed (myst-nb with
``nb_execution_mode = "off"``). This script writes the Sphinx sources into build/site-src/:

- each chapter ``course/NN_*.ipynb``, with a note under its title linking to the notebook and
  its jupytext source and saying how to run it; each explorer's widget output (which needs a
  widget front end) replaced by one line saying that the slider version runs in JupyterLab,
  above the static figure the explorer drew for its default values; a label at every markdown
  cell that names a claim "(claim Cn)", and that name turned into a link to the claims table;
- ``claims.md``: course/CLAIMS.md with a column linking each claim to the cells that show it;
- ``exercises.md``: every exercise with its checks and points, from the grader's checks
  (``coursekit.exercises.CHAPTERS``) and the stubs' docstrings in exercises/;
- ``instructors.md``: docs/instructors.md, where it exists;
- ``api/``: the reference of ``coursekit`` from its docstrings (autodoc), with the source of
  each optimizer's ``reference_update`` (the update rule as maths in code);
- the home page from docs/site/index.md (the chapter list and the table of contents filled in);

then runs ``sphinx-build -W`` (warnings are errors) into build/site/ and prints the time taken.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CLAIM = re.compile(r"\(claim (C\d+)\)")
EXPLORER_NOTE = ('<p class="ck-explorer-note">In JupyterLab this explorer has sliders that rerun it and '
                 'redraw the figure (run the notebook: <code>make lab</code>); here it shows its default values.</p>')
DOWNLOADS = "_downloads_src"


def chapters() -> list[Path]:
    return sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise SystemExit("a chapter notebook has no '# title' line in its markdown")


def _plain(text: str) -> str:
    """Heading text fit for a link title: no maths dollars, emphasis, backticks or angle brackets."""
    return " ".join(re.sub(r"[$*`<>\\]", "", text).split())


def claim_mentions(nb, stem: str) -> dict[str, list[tuple[int, str, str]]]:
    """Claim id -> [(cell index, label, section heading)] of the markdown cells naming it.

    A mention in the chapter's first cell (its introduction, which names a claim as an example)
    counts only when no later cell names that claim."""
    found: dict[str, list[tuple[int, str]]] = {}
    heading = ""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():   # the cell's own heading, if it starts with one
            if line.startswith("#"):
                heading = _plain(line.lstrip("#"))
                break
        for cid in dict.fromkeys(CLAIM.findall(cell.source)):
            found.setdefault(cid, []).append((i, heading))
    result = {}
    for cid, cells in found.items():
        if len(cells) > 1 and cells[0][0] == 0:
            cells = cells[1:]
        result[cid] = [(i, f"claim-{stem}-{cid.lower()}" + (f"-{k + 1}" if k else ""), h)
                       for k, (i, h) in enumerate(cells)]
    return result


def run_note(stem: str, number: str) -> str:
    src = ROOT / "course" / "src" / f"{stem}.py"
    source = (f", its source {{download}}`course/src/{stem}.py <{DOWNLOADS}/{stem}.py>` (jupytext, "
              "rebuilt into the notebook by `make notebooks`)") if src.exists() else ""
    return (f"```{{admonition}} Run this chapter\n:class: tip\n"
            f"This page is the notebook {{download}}`course/{stem}.ipynb <{DOWNLOADS}/{stem}.ipynb>` as "
            f"committed, with its outputs{source}. To run it: in a clone of the repository, `make lab` "
            f"sets up `.venv` and opens JupyterLab; open `course/{stem}.ipynb` there and run all cells "
            f"(Run > Run All Cells). Its exercises are in `exercises/ch{number}_*.py`; the cell under each "
            f"exercise checks yours in place.\n```\n")


def prepare_notebook(path: Path, dest: Path, mentions: dict) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)            # no widget state: nothing for a widget manager to load
    stem, number = path.stem, str(int(path.stem[:2]))
    labels: dict[int, list[str]] = {}
    for cells in mentions.values():
        for i, label, _ in cells:
            labels.setdefault(i, []).append(label)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            parts = re.split(r"(```.*?```|`[^`\n]*`)", cell.source, flags=re.S)   # code stays as written
            text = "".join(part if k % 2 else CLAIM.sub(
                lambda m: f"(claim {{ref}}`{m.group(1)} <claims-{m.group(1).lower()}>`)", part)
                for k, part in enumerate(parts))
            cell.source = "".join(f"({label})=\n" for label in labels.get(i, [])) + text
        elif cell.cell_type == "code":
            has_image = any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                            for o in cell.get("outputs", []))
            outputs, explorer = [], False
            for o in cell.get("outputs", []):
                if WIDGET_VIEW not in o.get("data", {}):
                    outputs.append(o)
                elif has_image:      # an explorer: its controls go, its static figure stays
                    explorer = True
                elif o["data"].get("text/plain"):
                    outputs.append(nbformat.v4.new_output("display_data", data={"text/plain": o["data"]["text/plain"]}))
            if explorer:             # the note goes right above the figure, wherever the controls were
                k = next(k for k, o in enumerate(outputs)
                         if "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}))
                outputs.insert(k, nbformat.v4.new_output("display_data", data={"text/html": EXPLORER_NOTE}))
            cell.outputs = outputs
    first = next(c for c in nb.cells if c.cell_type == "markdown" and re.search(r"(?m)^# ", c.source))
    title = re.search(r"(?m)^# .*$", first.source)     # the note goes right under the chapter's title
    first.source = (first.source[:title.end()] + "\n\n" + run_note(stem, number) + "\n"
                    + first.source[title.end():].lstrip("\n"))
    nbformat.write(nb, dest / f"{stem}.ipynb")
    (dest / DOWNLOADS).mkdir(exist_ok=True)
    shutil.copy2(path, dest / DOWNLOADS / path.name)
    if (ROOT / "course" / "src" / f"{stem}.py").exists():
        shutil.copy2(ROOT / "course" / "src" / f"{stem}.py", dest / DOWNLOADS / f"{stem}.py")
    return {"stem": stem, "number": int(number), "title": title_of(nb)}


def _row_cells(line: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def claims_page(mentions: dict[str, list], titles: dict[int, str]) -> str:
    """course/CLAIMS.md, its tables as list-tables with a label per claim and a column of links
    to the cells that show it."""
    out, chapter, header, table = [], None, None, []

    def flush():
        if not table:
            return
        out.extend([":::{list-table}", ":header-rows: 1", ":widths: 6 38 38 18", "",
                    *[("* - " if k == 0 else "  - ") + cell for k, cell in enumerate(header)]])
        for cells in table:
            cid = cells[0]
            links = ", ".join(f"{{ref}}`{h or titles.get(chapter, 'chapter ' + str(chapter))} <{label}>`"
                              for _, label, h in mentions.get(cid, []))
            if not links:
                links = "its chapter is not published yet" if chapter not in titles else "not named in the notebook"
            out.extend([f"* - ({'claims-' + cid.lower()})=", "", f"    {cid}",
                        *[f"  - {cell}" for cell in cells[1:]], f"  - {links}"])
        out.extend([":::", ""])
        table.clear()

    for line in (ROOT / "course" / "CLAIMS.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"## Chapter (\d+)", line)
        if m:
            flush()
            chapter = int(m.group(1))
            files = re.match(r"(## .+?) \((.+)\)\s*$", line)   # "## Chapter 1: title (`files`)"
            if files:
                out.extend([files.group(1), "", f"Files: {files.group(2)}.", ""])
                continue
        if re.match(r"\| id \| claim \|", line):
            header = _row_cells(line) + ["shown in"]
            continue
        if re.match(r"\|(-+\|)+\s*$", line):
            continue
        if re.match(r"\| (C\d+) \|", line):
            table.append(_row_cells(line))
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    """Docstring text safe inside a MyST table cell: ``code`` becomes a code span, the rest is escaped."""
    parts = re.split(r"``(.+?)``", " ".join(str(text).split()))
    return "".join(f"`{part}`" if k % 2 and "`" not in part and "|" not in part
                   else re.sub(r"([|*$_`<\[\]\\])", r"\\\1", part) for k, part in enumerate(parts))


def exercise_docs(module_file: Path) -> dict[str, str]:
    """Function name -> first paragraph of its docstring, read (not imported) from an exercises/ stub."""
    if not module_file.exists():
        return {}
    tree = ast.parse(module_file.read_text(encoding="utf-8"))
    return {n.name: (ast.get_docstring(n) or "").split("\n\n")[0]
            for n in tree.body if isinstance(n, ast.FunctionDef)}


def exercises_page() -> str:
    from coursekit.exercises import CHAPTERS

    lines = ["(exercises)=", "# The exercises and their points", "",
             "Each chapter's exercises are functions you write in `exercises/chN_*.py`. The cell under each "
             "exercise in the notebook checks yours in place (a table of passed checks with hints); "
             "`python -m coursekit.grade exercises` grades them all as an instructor would, in a sandbox, "
             "with fresh random inputs on every run. This page is generated from the grader's checks "
             "(`coursekit/exercises/checks/chN/`): an exercise is worth the sum of its checks' points.", ""]
    grand = 0.0
    for number, mod in sorted(CHAPTERS.items()):
        by_exercise: dict[str, list] = {}
        for check in mod.CHECKS:
            by_exercise.setdefault(check.exercise, []).append(check)
        total = sum(c.points for c in mod.CHECKS)
        grand += total
        docs = exercise_docs(ROOT / "exercises" / f"{mod.MODULE}.py")
        lines += [f"## Chapter {number}: {mod.TITLE}", "",
                  f"File `exercises/{mod.MODULE}.py`, notebook `{mod.NOTEBOOK}`: {len(by_exercise)} exercises, "
                  f"{total:g} points.", "",
                  "| exercise | points | what it asks | checks (points) |", "|---|---|---|---|"]
        for name, checks in by_exercise.items():
            detail = "; ".join(f"{_md_cell(c.name)} ({c.points:g}): {_md_cell(c.description)}" if c.description
                               else f"{_md_cell(c.name)} ({c.points:g})" for c in checks)
            lines.append(f"| `{name}` | {sum(c.points for c in checks):g} | {_md_cell(docs.get(name, ''))} | {detail} |")
        lines.append("")
    lines.insert(5, f"In all: {grand:g} points over {len(CHAPTERS)} chapters.\n")
    return "\n".join(lines) + "\n"


def _site_link(target: str, pages: dict[str, str]) -> str | None:
    for key, page in pages.items():
        if target.split("#")[0].endswith(key):
            return page
    return None


def instructors_page(pages: dict[str, str], path: Path | None = None, dest: Path | None = None) -> str | None:
    """docs/instructors.md, its links to repository files turned into site links or plain paths."""
    path = path or ROOT / "docs" / "instructors.md"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")

    def relink(m):
        label, target = m.group(1), m.group(2).strip()
        if re.match(r"[a-z]+:|#", target):
            return m.group(0)
        page = _site_link(target, pages)
        if page:
            return f"[{label}]({page})"
        return f"{label} (`{target}`)" if label.strip("`") != target else f"`{target}`"

    text = re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", relink, text)

    def image(m):              # an image of the repository is copied next to the page
        alt, target = m.group(1), m.group(2)
        source = (path.parent / target).resolve()
        if re.match(r"[a-z]+:", target) or not source.is_file() or not dest:
            return m.group(0) if re.match(r"[a-z]+:", target) else f"*(figure: {alt}, `{target}`)*"
        (dest / "_instructors").mkdir(exist_ok=True)
        shutil.copy2(source, dest / "_instructors" / source.name)
        return f"![{alt}](_instructors/{source.name})"

    return re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", image, text)


PUBLIC_SKIP = {"coursekit.exercises"}     # the exercises page shows them; the rest is the grader's
SUBMODULE_PAGES = ("coursekit.theory", "coursekit.runs", "coursekit.experiments", "coursekit.widgets")


def public_modules() -> list[str]:
    import pkgutil
    import coursekit
    from coursekit._layers import ALIASES       # old paths kept one release: their targets have the pages
    names = [m.name for m in pkgutil.iter_modules(coursekit.__path__, "coursekit.")
             if not m.name.rsplit(".", 1)[1].startswith("_") and m.name not in PUBLIC_SKIP
             and m.name not in ALIASES]
    for package in SUBMODULE_PAGES:             # top-level modules before issue 18's moves: a page each still
        names += [m.name for m in pkgutil.iter_modules(importlib.import_module(package).__path__, package + ".")
                  if not m.name.rsplit(".", 1)[1].startswith("_")]
    return sorted(names)


def reference_updates() -> list[tuple[str, str]]:
    """(class name, source) of each optimizer's own ``reference_update``: its update rule."""
    from coursekit import optim
    found = []
    for name in getattr(optim, "__all__", dir(optim)):
        obj = getattr(optim, name, None)
        if inspect.isclass(obj) and "reference_update" in vars(obj):
            fn = vars(obj)["reference_update"]
            fn = getattr(fn, "__func__", fn)
            found.append((name, inspect.cleandoc("\n" + inspect.getsource(fn))))
    return found


def api_pages(dest: Path) -> list[str]:
    (dest / "api").mkdir(exist_ok=True)
    names = public_modules()
    for name in names:
        importlib.import_module(name)
        body = [f"# `{name}`", "", "```{eval-rst}", f".. automodule:: {name}", "   :members:",
                *(["   :no-index:"] if name in SUBMODULE_PAGES else []), "```", ""]   # its modules' pages index them
        if name == "coursekit.optim":
            body += ["## The update rules (`reference_update`)", "",
                     "Each optimizer's `reference_update` is its maths written with Array API calls only; "
                     "the in-place, Numba and CuPy paths are tested against it, and it against `torch.optim`.", ""]
            for cls, source in reference_updates():
                body += [f"### {cls}", "", "```python", source, "```", ""]
        (dest / "api" / f"{name}.md").write_text("\n".join(body), encoding="utf-8")
    index = ["# API reference", "",
             "The package `coursekit`, from its docstrings. The optimizers' update rules are on the "
             "{doc}`coursekit.optim <coursekit.optim>` page.", "",
             "```{toctree}", ":maxdepth: 1", "", *names, "```", ""]
    (dest / "api" / "index.md").write_text("\n".join(index), encoding="utf-8")
    return names


def prepare(dest: Path) -> dict:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "docs" / "site", dest, ignore=shutil.ignore_patterns("__pycache__"))
    chapter_info, mentions_all = [], {}
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        mentions = claim_mentions(nb, path.stem)
        mentions_all.update(mentions)
        chapter_info.append(prepare_notebook(path, dest, mentions))
    titles = {c["number"]: c["title"] for c in chapter_info}
    (dest / "claims.md").write_text(claims_page(mentions_all, titles), encoding="utf-8")
    (dest / "exercises.md").write_text(exercises_page(), encoding="utf-8")
    pages = {f"course/{c['stem']}.ipynb": f"{c['stem']}.ipynb" for c in chapter_info}
    pages.update({"course/CLAIMS.md": "claims.md"})
    instructors = instructors_page(pages, dest=dest)
    if instructors is not None:
        (dest / "instructors.md").write_text(instructors, encoding="utf-8")
    api_pages(dest)

    index = (dest / "index.md").read_text(encoding="utf-8")
    listing = "\n".join(f"{c['number']}. {{doc}}`{c['title']} <{c['stem']}>`" for c in chapter_info)
    toc = ["```{toctree}", ":caption: Chapters", ":hidden:", "", *[c["stem"] for c in chapter_info], "```", "",
           "```{toctree}", ":caption: Reference", ":hidden:", "", "claims", "exercises",
           *(["instructors"] if instructors is not None else []), "api/index", "```"]
    guide = ("\n**Teaching it?** The {doc}`instructor guide <instructors>` says how to run the course "
             "and grade a class.\n") if instructors is not None else ""
    index = (index.replace("<!-- chapters -->", listing).replace("<!-- toctree -->", "\n".join(toc))
             .replace("<!-- instructors -->\n", guide))
    (dest / "index.md").write_text(index, encoding="utf-8")
    info = {"chapters": chapter_info, "instructors": instructors is not None,
            "claims": {k: [label for _, label, _ in v] for k, v in mentions_all.items()}}
    (dest / "site-info.json").write_text(json.dumps(info, indent=1))
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "build" / "site-src")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    info = prepare(args.src)
    print(f"site sources: {len(info['chapters'])} chapters, {len(info['claims'])} claims linked, "
          f"instructor guide {'included' if info['instructors'] else 'absent (docs/instructors.md)'} "
          f"-> {args.src} ({time.monotonic() - t0:.1f} s)")
    if args.prepare_only:
        return 0
    if args.out.exists():
        shutil.rmtree(args.out)
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
           "-d", str(args.src.parent / "site-doctrees"), str(args.src), str(args.out)]
    done = subprocess.run(cmd, cwd=ROOT)
    if done.returncode:
        return done.returncode
    print(f"site built in {time.monotonic() - t0:.0f} s (notebooks not executed): open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
