"""tools/build_site.py's sources for the website (``make site``), without Sphinx: what it makes
of the committed notebooks, course/CLAIMS.md and the grader's checks. The built site itself is
checked in a browser by tests/site (``pytest -m site tests/site``)."""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTEBOOKS = sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))


def _load_tool():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    return _load_tool()


@pytest.fixture(scope="module")
def sources(tool, tmp_path_factory):
    dest = tmp_path_factory.mktemp("site") / "src"
    info = tool.prepare(dest)
    return dest, info


def _published_claims() -> dict[str, int]:
    published, found, chapter = {int(nb.name[:2]) for nb in NOTEBOOKS}, {}, None
    for line in (ROOT / "course" / "CLAIMS.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"## Chapter (\d+)", line)
        chapter = int(m.group(1)) if m else chapter
        m = re.match(r"\| (C\d+) \|", line)
        if m and chapter in published:
            found[m.group(1)] = chapter
    return found


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_chapter_page_keeps_every_output_and_swaps_widget_controls_for_a_note(sources, notebook):
    dest, _ = sources
    original = nbformat.read(notebook, as_version=4)
    page = nbformat.read(dest / notebook.name, as_version=4)
    assert "widgets" not in page.metadata
    assert len(page.cells) == len(original.cells)
    for before, after in zip(original.cells, page.cells):
        if before.cell_type != "code":
            continue
        kept = [o for o in before.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
        images = [o for o in kept if "image/png" in o.get("data", {})]
        explorer = bool(images) and len(kept) < len(before.get("outputs", []))
        assert not any(WIDGET_VIEW in o.get("data", {}) for o in after.outputs)
        notes = [k for k, o in enumerate(after.outputs) if "ck-explorer-note" in str(o.get("data", {}).get("text/html", ""))]
        assert len(notes) == int(explorer)
        if explorer:   # the note sits right above the explorer's static figure
            assert "image/png" in after.outputs[notes[0] + 1]["data"]
            assert "JupyterLab" in after.outputs[notes[0]]["data"]["text/html"]
        others = [o for o in after.outputs if "ck-explorer-note" not in str(o.get("data", {}).get("text/html", ""))]
        if explorer or len(kept) == len(before.get("outputs", [])):
            assert others == kept, "an output was lost or changed"
    title = next(c for c in page.cells if c.cell_type == "markdown" and "# " in c.source).source
    assert "make lab" in title and f"{notebook.stem}.ipynb" in title, "the run note is under the title"
    assert (dest / "_downloads_src" / notebook.name).read_bytes() == notebook.read_bytes()


def test_every_published_claim_is_linked_to_a_cell_that_names_it(sources):
    dest, info = sources
    claims = _published_claims()
    assert claims, "no chapter of CLAIMS.md has its notebook in course/"
    text = {nb.stem: nbformat.read(dest / nb.name, as_version=4) for nb in NOTEBOOKS}
    for cid, chapter in claims.items():
        labels = info["claims"].get(cid)
        assert labels, f"{cid}: no cell to link to"
        stem = next(nb.stem for nb in NOTEBOOKS if int(nb.name[:2]) == chapter)
        for label in labels:
            cell = next((c for c in text[stem].cells if f"({label})=" in c.source), None)
            assert cell is not None, f"{cid}: label {label} not in {stem}"
            assert f"{cid} <claims-{cid.lower()}>" in cell.source, f"{cid}: the labelled cell does not name it"
    page = (dest / "claims.md").read_text()
    for cid in claims:
        assert f"({'claims-' + cid.lower()})=" in page
    assert page.count(":::{list-table}") == len(set(claims.values())) + page.count("its chapter is not published")


def test_exercises_page_lists_each_exercise_with_its_points(sources):
    from coursekit.exercises import CHAPTERS
    dest, _ = sources
    page = (dest / "exercises.md").read_text()
    for number, mod in CHAPTERS.items():
        stub = (ROOT / "exercises" / f"{mod.MODULE}.py").read_text()
        for name in dict.fromkeys(c.exercise for c in mod.CHECKS):
            assert f"def {name}(" in stub, f"{name} is checked but not in exercises/{mod.MODULE}.py"
            points = sum(c.points for c in mod.CHECKS if c.exercise == name)
            assert re.search(rf"\| `{name}` \| {points:g} \|", page), f"{name}: {points:g} points not listed"


def test_instructor_guide_links_become_site_links_or_paths(tool, tmp_path):
    guide = tmp_path / "instructors.md"
    guide.write_text("See [chapter 1](../course/01_gradient_descent.ipynb), [the claims](../course/CLAIMS.md), "
                     "[the grader](../coursekit/grade/cli.py) and [Sphinx](https://www.sphinx-doc.org).\n"
                     "![a figure](explorer.png)\n")
    text = tool.instructors_page({"course/01_gradient_descent.ipynb": "01_gradient_descent.ipynb",
                                  "course/CLAIMS.md": "claims.md"}, guide)
    assert "[chapter 1](01_gradient_descent.ipynb)" in text and "[the claims](claims.md)" in text
    assert "the grader (`../coursekit/grade/cli.py`)" in text and "[Sphinx](https://www.sphinx-doc.org)" in text
    assert "![" not in text and "*(figure: a figure, `explorer.png`)*" in text
    assert tool.instructors_page({}, tmp_path / "absent.md") is None
    (tmp_path / "explorer.png").write_bytes(b"png")
    (tmp_path / "site").mkdir()
    text = tool.instructors_page({}, guide, tmp_path / "site")
    assert "![a figure](_instructors/explorer.png)" in text and (tmp_path / "site" / "_instructors" / "explorer.png").exists()


def test_api_pages_show_each_optimizers_update_rule(sources):
    from coursekit import optim
    dest, _ = sources
    page = (dest / "api" / "coursekit.optim.md").read_text()
    own = [n for n in optim.__all__ if isinstance(getattr(optim, n), type) and "reference_update" in vars(getattr(optim, n))]
    assert {"SGD", "Adam", "AdamW"} <= set(own)
    for name in own:
        assert f"### {name}\n" in page
    assert "def reference_update(p, g, s, t, *, lr, betas" in page
    index = (dest / "api" / "index.md").read_text()
    assert "coursekit.optim" in index and "coursekit.exercises\n" not in index
