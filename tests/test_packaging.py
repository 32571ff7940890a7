"""The repository's set-up files agree with each other."""
import os
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


def _requirement(requirement: str) -> tuple[str, str]:
    """'dask[distributed]>=2024.1' -> ('dask', '>=2024.1'): the name and the version bound."""
    name = _name(requirement)
    bound = re.sub(r"^[A-Za-z0-9_.\-]+(\[[^\]]*\])?", "", requirement.split(";")[0].strip())
    return name, bound.replace(" ", "")


def _conda_requirements() -> set[tuple[str, str]]:
    text = (ROOT / "environment.yml").read_text()
    found = set()
    for line in text[text.index("dependencies:"):].splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-\[\]<>=!~]+)\s*$", line)   # top-level entries only
        if m and not m.group(1).startswith("--"):
            found.add(_requirement(m.group(1)))
    return {r for r in found if r[0] not in ("python", "pip")}


def test_environment_yml_lists_the_same_dependencies_and_bounds_as_pyproject():
    project = _pyproject()
    wanted = {_requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    assert _conda_requirements() == wanted


def test_every_dependency_has_a_lower_bound():
    project = _pyproject()
    for r in project["dependencies"] + [r for v in project["optional-dependencies"].values() for r in v]:
        assert ">=" in _requirement(r)[1], f"{r}: give it a tested lower bound (.ci/lowest-versions)"


def test_extras():
    extras = _pyproject()["optional-dependencies"]
    assert set(extras) == {"gpu", "gpu-cuda13", "fast", "scale", "browser", "site", "dev"}
    for extra, cupy in (("gpu", "cupy-cuda12x"), ("gpu-cuda13", "cupy-cuda13x")):   # NVRTC + headers
        assert [r.replace(" ", "") for r in extras[extra]] == [f"{cupy}[ctk]>=14.1"]   # 14.1: isdtype
    assert [_name(r) for r in extras["fast"]] == ["numba"]
    assert any(_name(r) == "dask" and "distributed" in r for r in extras["scale"])
    assert [_name(r) for r in extras["browser"]] == ["playwright"]
    assert {_name(r) for r in extras["site"]} == {"sphinx", "myst-nb", "sphinx-book-theme", "sphinx-mathjax-offline"}
    dev = {_name(r) for r in extras["dev"]}
    assert {"pytest", "nbval", "jupytext", "numba", "scikit-learn", "optuna", "dask"} <= dev


def test_license_is_an_spdx_expression():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["license"] == "MIT"
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in data["build-system"]["requires"])


@pytest.mark.skipif(not os.environ.get("COURSEKIT_EXPECT_FLOORS"),
                    reason="only in .ci/lowest-versions, which installs the lower bounds")
def test_installed_versions_are_the_lower_bounds():
    """The lowest-versions run really tested the floors (nothing was lifted by a conflict)."""
    import sys
    from importlib.metadata import version

    from packaging.version import Version
    project = _pyproject()
    floor = Version(project["requires-python"].removeprefix(">="))
    assert sys.version_info[:2] == (floor.major, floor.minor)
    extras = project["optional-dependencies"]
    lifted = []
    # the site extra is not installed there: myst-parser's markdown-it-py>=3 would lift jupytext's floor;
    # its own floors are tested apart (pyproject.toml, the comment above the site extra)
    for r in project["dependencies"] + [r for k, v in extras.items() if k != "site" and not k.startswith("gpu") for r in v]:
        name, bound = _requirement(r)
        installed = Version(version(name))
        if installed != Version(bound.removeprefix(">=")):
            lifted.append(f"{name}: bound {bound}, installed {installed}")
    assert not lifted, lifted


def test_python_floor_is_3_10():
    assert _pyproject()["requires-python"] == ">=3.10"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make lab" in (ROOT / "README.md").read_text()


def test_a_kernel_runs_the_course_stack():
    """The notebook stack at its installed versions (the lowest allowed ones in the CI's
    lowest-versions step): a Jupyter kernel imports coursekit, draws an inline figure,
    shows a widget and a progress bar."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (
        "%matplotlib inline\nimport numpy as np, matplotlib.pyplot as plt, coursekit\n"
        "from coursekit.functions import Rosenbrock\nfrom coursekit.runs import minimize",
        "traj = minimize(Rosenbrock(), [-1.0, 1.0], 'adam', 50, lr=0.05, progress=True)\n"
        "plt.semilogy(traj.losses); plt.title('a loss curve'); plt.show()",
        "import ipywidgets\nipywidgets.FloatSlider(value=0.1, description='lr')",
    )]
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    outputs = [o for c in nb.cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


def test_jupyterlab_starts_its_command_line():
    import subprocess
    import sys
    pytest.importorskip("jupyterlab")
    out = subprocess.run([sys.executable, "-m", "jupyterlab", "--version"], capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]


def test_nbval_runs_a_notebook_with_the_course_options(tmp_path):
    """make test runs the chapters through nbval with these options; they work at this version."""
    import subprocess
    import sys
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbval")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import coursekit\nprint(sum(range(4)))")]
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    out = subprocess.run([sys.executable, "-m", "pytest", str(tmp_path / "tiny.ipynb"), "-q",
                          "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
                          "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg")],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0 and "1 passed" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]


# --- the optional stacks of the extras (fast, scale, browser) and of dev ----------------------------
def _numba():
    numba = pytest.importorskip("numba")
    import numpy as np

    @numba.njit(cache=False)
    def sum_of_squares(x):
        total = 0.0
        for v in x:
            total += v * v
        return total
    x = np.linspace(-1.0, 1.0, 101)
    assert sum_of_squares(x) == pytest.approx(float(x @ x), rel=1e-12)


def _sklearn():
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import LinearRegression
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 3.0
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, [1.0, -2.0, 0.5], rtol=1e-10)


def _optuna():
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda trial: (trial.suggest_float("x", -2.0, 2.0) - 1.0) ** 2, n_trials=20)
    assert len(study.trials) == 20
    assert study.best_value == min(t.value for t in study.trials) < 0.5


def _dask():
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                            dashboard_address=None) as client:
        assert client.gather(client.map(lambda v: v * v, range(5))) == [0, 1, 4, 9, 16]


def _jupytext():
    jupytext = pytest.importorskip("jupytext")
    nb = jupytext.reads("# %% [markdown]\n# # Title\n\n# %%\nx = 1\n", fmt="py:percent")
    assert [(c.cell_type, c.source) for c in nb.cells] == [("markdown", "# Title"), ("code", "x = 1")]


def _playwright():
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright   # the browser check's entry point
    assert callable(sync_playwright)


@pytest.mark.parametrize("check", [_numba, _sklearn, _optuna, _dask, _jupytext, _playwright],
                         ids=lambda f: f.__name__.strip("_"))
def test_optional_stack_works(check):
    check()
