"""The repository's set-up files agree with each other."""
import re
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """'pytest-xdist>=3' -> 'pytest-xdist'; 'dask[distributed]' -> 'dask'."""
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _conda_names() -> set[str]:
    text = (ROOT / "environment.yml").read_text()
    names = set()
    for line in text[text.index("dependencies:"):].splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-\[\]<>=!~]+)\s*$", line)   # top-level entries only
        if m and not m.group(1).startswith("--"):
            names.add(_name(m.group(1)))
    return names - {"python", "pip"}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    assert _conda_names() == wanted


def test_extras_are_gpu_dev_scale():
    extras = _pyproject()["optional-dependencies"]
    assert set(extras) == {"gpu", "dev", "scale"}
    assert any(_name(r).startswith("cupy") for r in extras["gpu"])
    assert any(_name(r) == "dask" and "distributed" in r for r in extras["scale"])
    assert {"pytest", "nbval"} <= {_name(r) for r in extras["dev"]}


def test_python_floor_is_3_10():
    assert _pyproject()["requires-python"] == ">=3.10"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make lab" in (ROOT / "README.md").read_text()
