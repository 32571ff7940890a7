"""The committed notebooks match their sources in course/src/ (tools/build_notebooks.py)."""
import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
build_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_notebooks)

SOURCES = sorted(p.stem for p in (ROOT / "course" / "src").glob("*.py"))


@pytest.mark.parametrize("name", SOURCES)
def test_notebook_is_built_from_its_source(name):
    target = ROOT / "course" / f"{name}.ipynb"
    assert target.exists(), f"run: python tools/build_notebooks.py {name}"
    committed = nbformat.read(target, as_version=4)
    assert build_notebooks.same_cells(build_notebooks.build(name), committed), \
        f"course/{name}.ipynb is stale: run python tools/build_notebooks.py {name}"


@pytest.mark.parametrize("name", SOURCES)
def test_notebook_is_committed_with_outputs_and_no_errors(name):
    nb = nbformat.read(ROOT / "course" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "execute it: python tools/build_notebooks.py"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)


def test_percent_format_parsing():
    cells = build_notebooks.parse_cells('# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n\n# %%\n\n')
    assert [(c.cell_type, c.source) for c in cells] == [("markdown", "# Title\n\ntext"), ("code", "x = 1")]
    with pytest.raises(ValueError, match="not a comment"):
        build_notebooks.parse_cells("# %% [markdown]\nnot a comment\n")
    with pytest.raises(ValueError, match="before the first"):
        build_notebooks.parse_cells("x = 1\n# %%\ny = 2\n")


def test_rebuilding_keeps_a_copy_of_an_edited_notebook(tmp_path):
    built = build_notebooks.build(SOURCES[0])
    target = tmp_path / "chapter.ipynb"
    nbformat.write(built, target)
    assert build_notebooks.keep_edits(target) is None          # untouched: nothing to keep
    built.cells[0].source += "\n\nMy own note."
    nbformat.write(built, target)
    backup = build_notebooks.keep_edits(target)
    assert backup is not None and "My own note." in backup.read_text()
