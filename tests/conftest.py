"""Shared pytest configuration.

``--target exercises|solutions`` (default exercises) picks the folder whose
chapter modules tests/exercises/ grades: ``make test`` uses solutions (must pass
100%); a learner runs ``pytest tests/exercises`` on their own work. The modules
run in the grader's sandbox, never in this process.

The option itself is registered by coursekit.exercises.pytest_plugin (loaded through
``addopts`` in pyproject.toml), early enough that ``--target exercises`` is never read
as a test path. Grade other people's work with ``python -m coursekit.grade``.
"""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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


def pytest_collection_modifyitems(items):
    for item in items:
        marker = item.get_closest_marker("points")
        if marker is not None:
            item.user_properties.append(("points", float(marker.args[0])))


def pytest_runtest_logreport(report):
    points = dict(report.user_properties).get("points")
    if points is not None:
        entry = _POINTS.setdefault(report.nodeid, [points, 0.0])
        if report.when == "call" and report.passed:
            entry[1] = points


def pytest_terminal_summary(terminalreporter, config):
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
