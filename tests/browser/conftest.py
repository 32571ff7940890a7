"""JupyterLab for the browser test: a private server on a free loopback port.

``lab`` (session fixture) starts ``jupyter lab`` from the project's ``.venv`` with a
random token, every Jupyter folder (config, data, runtime, lab settings, workspaces)
in a temporary directory, news, update checks and the extension manager's PyPI
look-ups off, autosave off (the test never writes a notebook), and ``root_dir`` = the
project root so that both ``course/`` and ``exercises/`` can be opened. It stops the
server and every process the server started (kernels, the grader's sandboxes) at the
end, also when a test failed.

The ``browser`` marker is registered here. Browser tests run only when selected with
``-m browser`` (``pytest -m browser tests/browser``, the CI's last step); in any other
run (``make test``) they are skipped, so that they do not run twice.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 180.0   # seconds; a cold start on a busy 2-core machine can take a minute

# Lab settings (JSON) written to the private settings folder: render every cell (so that the
# DOM holds the whole notebook), never autosave, no news, no update checks, no toasts.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}

SERVER_CONFIG = {
    # a safety net for a test run killed outright: idle kernels are culled after 10 minutes,
    # and the server then stops itself after 15 minutes without kernels or requests
    "ServerApp": {"open_browser": False, "port_retries": 0, "shutdown_no_activity_timeout": 900},
    "MappingKernelManager": {"cull_idle_timeout": 600, "cull_interval": 60},
    "LabApp": {"news_url": None, "expose_app_in_browser": True, "extension_manager": "readonly",
               "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"},
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in headless Chromium (run with "
        "`pytest -m browser tests/browser`; skipped in other runs)")


def pytest_collection_modifyitems(config, items):
    if "browser" in (config.getoption("markexpr", "") or ""):
        return
    skip = pytest.mark.skip(reason="browser test: run it with `pytest -m browser tests/browser` "
                                   "(CI runs it as its own step after `make test`)")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


_TIMES = {}   # test id -> its phases' durations (from the reports' user_properties)


def pytest_runtest_logreport(report):
    if report.when == "call":
        props = dict(report.user_properties)
        if "total_s" in props:
            _TIMES[report.nodeid.rpartition("[")[2].rstrip("]")] = props


def pytest_terminal_summary(terminalreporter):
    if _TIMES:
        terminalreporter.section("browser test: seconds per notebook")
        for name, props in _TIMES.items():
            terminalreporter.write_line(
                f"{name}: " + ", ".join(f"{k} {v}" for k, v in props.items() if k.endswith("_s"))
                + f", sliders {props.get('sliders', '?')} in {props.get('explorers', '?')} explorers, check tables {props.get('check_tables', '?')}")


def venv_python() -> str:
    """The project's .venv interpreter (the one learners run), else this interpreter."""
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (from /proc; empty where there is no /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # a zombie is as good as gone
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


class Lab:
    """A running JupyterLab: ``url(path)`` gives an authenticated address."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None
        self.started: set[int] = set()

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def env(self) -> dict:
        folders = {name: self.tmp / name for name in ("config", "data", "runtime", "settings",
                                                       "workspaces", "ipython", "mpl")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        (folders["config"] / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
        (folders["config"] / "jupyter_lab_config.json").write_text(json.dumps(SERVER_CONFIG))
        for plugin, values in LAB_SETTINGS.items():
            path = folders["settings"] / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items()
               if k not in ("COURSEKIT_STATIC", "MPLBACKEND", "JUPYTER_PATH", "JUPYTER_PREFER_ENV_PATH")}
        env.update(JUPYTER_CONFIG_DIR=str(folders["config"]), JUPYTER_DATA_DIR=str(folders["data"]),
                   JUPYTER_RUNTIME_DIR=str(folders["runtime"]),
                   JUPYTERLAB_SETTINGS_DIR=str(folders["settings"]),
                   JUPYTERLAB_WORKSPACES_DIR=str(folders["workspaces"]),
                   IPYTHONDIR=str(folders["ipython"]), MPLCONFIGDIR=str(folders["mpl"]),
                   JUPYTER_PLATFORM_DIRS="1", PYTHONHASHSEED="0")
        return env

    def start(self):
        cmd = [venv_python(), "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={ROOT}",
               "--ServerApp.port_retries=0"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.started.add(self.proc.pid)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def track_children(self):
        """Remember every process the server has started so far (kernels, sandboxes)."""
        if self.proc is not None:
            self.started.update(_descendants(self.proc.pid))

    def stop(self):
        """Shut the server down (it stops its kernels), then end whatever it started that is left."""
        if self.proc is None:
            return
        self.track_children()
        if self.proc.poll() is None:
            try:
                request = urllib.request.Request(self.url("api/shutdown"), method="POST")
                urllib.request.urlopen(request, timeout=10).close()
            except (urllib.error.URLError, OSError):
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        for pid in sorted(self.started - {self.proc.pid}):
            if _alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self.log.close()
        self.proc = None


@pytest.fixture(scope="session")
def lab(chromium):
    """A JupyterLab server for the browser tests (stopped at the end, even on failure)."""
    with tempfile.TemporaryDirectory(prefix="coursekit-lab-") as tmp:
        server = Lab(Path(tmp))
        try:
            yield server.start()
        finally:
            server.stop()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser test saves its screenshots: $COURSEKIT_SCREENSHOTS or build/browser/."""
    folder = Path(os.environ.get("COURSEKIT_SCREENSHOTS") or ROOT / "build" / "browser")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
