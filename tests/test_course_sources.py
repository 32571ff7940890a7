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


@pytest.mark.parametrize("name", SOURCES)
def test_source_and_notebook_are_a_jupytext_pair(name):
    """The notebook's cells, written back the way jupytext's pairing writes them, give the
    source byte for byte: editing either side (JupyterLab with jupytext, or the .py) is safe."""
    source = (ROOT / "course" / "src" / f"{name}.py").read_text(encoding="utf-8")
    committed = nbformat.read(ROOT / "course" / f"{name}.ipynb", as_version=4)
    assert build_notebooks.write_source(committed) == source
    assert committed.metadata["jupytext"]["formats"] == "ipynb,src//py:percent"
    assert committed.metadata["kernelspec"]["name"] == "python3"


def test_the_pairing_is_configured_for_jupyterlab():
    jupytext = pytest.importorskip("jupytext")
    config = jupytext.config.load_jupytext_configuration_file(str(ROOT / "course" / "jupytext.toml"))
    formats = config.formats if isinstance(config.formats, str) else ",".join(config.formats)
    assert formats == build_notebooks.PAIRING["formats"]
    assert config.notebook_metadata_filter == build_notebooks.PAIRING["notebook_metadata_filter"]
    assert config.comment_magics is False


def test_percent_format_reading():
    nb = build_notebooks.read_source('# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n\n# %%\n\n')
    assert [(c.cell_type, c.source) for c in nb.cells] == [("markdown", "# Title\n\ntext"), ("code", "x = 1")]
    assert [c.id for c in nb.cells] == ["cell-000", "cell-001"]
    magic = build_notebooks.read_source('# %%\n%config InlineBackend.figure_format = "png"\n')
    assert magic.cells[0].source == '%config InlineBackend.figure_format = "png"'


def test_rebuilding_keeps_a_copy_of_an_edited_notebook(tmp_path):
    built = build_notebooks.build(SOURCES[0])
    target = tmp_path / "chapter.ipynb"
    nbformat.write(built, target)
    assert build_notebooks.keep_edits(target) is None          # untouched: nothing to keep
    built.cells[0].source += "\n\nMy own note."
    nbformat.write(built, target)
    backup = build_notebooks.keep_edits(target)
    assert backup is not None and "My own note." in backup.read_text()
    # the same edit already saved into the source (jupytext pairing): nothing to keep aside
    assert build_notebooks.keep_edits(target, built) is None
    backup.unlink()


def test_check_fails_when_a_notebook_and_its_source_differ(tmp_path, monkeypatch):
    name = SOURCES[0]
    (tmp_path / "src").mkdir()
    source = (ROOT / "course" / "src" / f"{name}.py").read_text(encoding="utf-8")
    (tmp_path / "src" / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(build_notebooks, "SRC", tmp_path / "src")
    monkeypatch.setattr(build_notebooks, "OUT", tmp_path)
    assert build_notebooks.main(["--check", name]) == 1            # no notebook yet
    assert build_notebooks.main(["--no-execute", name]) == 0
    assert build_notebooks.main(["--check", name]) == 0
    (tmp_path / "src" / f"{name}.py").write_text(source + "\n# %%\nprint('new cell')\n", encoding="utf-8")
    assert build_notebooks.main(["--check", name]) == 1
