"""Shared pytest configuration.

``--target exercises|solutions`` (default exercises) picks the folder whose
chapter modules tests/exercises/ grades: ``make test`` uses solutions (must pass
100%); a learner runs ``pytest tests/exercises`` on their own work. The modules
run in the grader's sandbox, never in this process.

The option itself is registered by coursekit.exercises.pytest_plugin (loaded through
``addopts`` in pyproject.toml), early enough that ``--target exercises`` is never read
as a test path. Grade other people's work with ``python -m coursekit.grade``.
"""
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The suite grades this project's own solutions/ and exercises/ and runs as any user: where the grader
# cannot give its workers a user of their own (not root), they run as this user (docs/grading-security.md).
os.environ.setdefault("COURSEKIT_GRADE_ALLOW_SAME_USER", "1")

# Property tests run on busy 2-core CI machines: slowness there is no failure.
settings.register_profile("course", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    target = (ROOT / config.getoption("--target")).resolve()
    for plugin in config.pluginmanager.get_plugins():
        path = getattr(plugin, "__file__", None)
        if path and target in Path(path).resolve().parents:
            raise pytest.UsageError(f"{path} was loaded as a pytest plugin: remove it. Files in {target.name}/ "
                                    "may only be chapter modules (they could change the test results).")


_POINTS = {}  # nodeid -> [points, earned]; filled from reports, so it also works under xdist


_CLAIMS = {}  # claim id -> {nodeid: passed}; a claim is asserted only if one of its tests passed


def pytest_addoption(parser):
    parser.addoption("--claim", action="append", default=[], metavar="ID",
                     help="run only the tests marked claim(ID), e.g. --claim C3 (repeatable)")


def pytest_collection_modifyitems(config, items):
    wanted = {c.upper() for c in config.getoption("--claim")}
    if wanted:
        keep = [i for i in items if any(m.args and m.args[0] in wanted for m in i.iter_markers("claim"))]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
    for item in items:
        marker = item.get_closest_marker("points")
        if marker is not None:
            item.user_properties.append(("points", float(marker.args[0])))
        for marker in item.iter_markers("claim"):
            item.user_properties.append(("claim", marker.args[0]))


def pytest_runtest_logreport(report):
    points = dict(report.user_properties).get("points")
    if points is not None:
        entry = _POINTS.setdefault(report.nodeid, [points, 0.0])
        if report.when == "call" and report.passed:
            entry[1] = points
    for key, claim_id in report.user_properties:
        if key == "claim" and (report.when == "call" or report.skipped):
            tests = _CLAIMS.setdefault(claim_id, {})
            tests[report.nodeid] = tests.get(report.nodeid, False) or (report.when == "call" and report.passed)


def pytest_sessionfinish(session, exitstatus):
    """A claim whose tests ran but none passed (all skipped, say) is not asserted: fail the run."""
    unasserted = sorted(c for c, tests in _CLAIMS.items() if tests and not any(tests.values()))
    if unasserted and exitstatus == 0:
        session.config._claims_unasserted = unasserted
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, config):
    for claim_id in getattr(config, "_claims_unasserted", []):
        terminalreporter.write_line(f"claim {claim_id} is not asserted: none of its tests passed "
                                    f"({', '.join(_CLAIMS[claim_id])})", red=True)
    if _POINTS:
        earned, total = sum(e for _, e in _POINTS.values()), sum(p for p, _ in _POINTS.values())
        terminalreporter.write_line(f"exercise points ({config.getoption('--target')}): {earned:g}/{total:g}")


@pytest.fixture(scope="session")
def target_dir(request):
    """The folder of chapter modules under test: ROOT/exercises or ROOT/solutions."""
    return ROOT / request.config.getoption("--target")


@pytest.fixture
def captured_display(monkeypatch):
    """IPython's display replaced by a recorder: returns (shown, updates), the objects
    displayed and those a display handle was updated with (explorers without a front end)."""
    pytest.importorskip("ipywidgets")
    import IPython.display

    shown, updates = [], []

    class Handle:
        def update(self, obj):
            updates.append(obj)

    def fake_display(obj, display_id=False):
        shown.append(obj)
        return Handle() if display_id else None

    monkeypatch.setattr(IPython.display, "display", fake_display)
    return shown, updates


CHROMIUM = os.environ.get("COURSEKIT_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable (Debian's ``chromium``) for tests/browser and tests/site; skips
    without it or Playwright."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the Python package playwright is not installed: `.venv/bin/pip install -e \".[browser]\"` "
                    "(the browser comes from Debian: `apt-get install chromium`; never `playwright install`)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get update && apt-get install -y chromium` "
                    "(or set COURSEKIT_CHROMIUM to a Chromium executable)")
    return CHROMIUM


@pytest.fixture(scope="session")
def chromium_options(chromium) -> dict:
    """Playwright launch options shared by the browser and website tests: headless, offline."""
    return dict(executable_path=chromium, headless=True,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"])
