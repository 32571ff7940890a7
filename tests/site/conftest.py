"""The course website (``make site``) for the browser test: served from build/site/ on loopback.

``site_server`` (session fixture) serves the built site (``$COURSEKIT_SITE`` or build/site/)
with Python's http.server on a free 127.0.0.1 port, in a thread, and stops it at the end.
The ``site`` marker is registered here: these tests run only when selected with ``-m site``
(``pytest -m site tests/site``, a CI step after ``make site``); any other run skips them.
"""
from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSEKIT_SITE") or ROOT / "build" / "site")
def pytest_configure(config):
    config.addinivalue_line(
        "markers", "site: checks the built website (make site) in headless Chromium (run with "
        "`pytest -m site tests/site`; skipped in other runs)")


def pytest_collection_modifyitems(config, items):
    if "site" in (config.getoption("markexpr", "") or ""):
        return
    skip = pytest.mark.skip(reason="website test: `make site`, then `pytest -m site tests/site` "
                                   "(CI runs it as its own step)")
    for item in items:
        if item.get_closest_marker("site") is not None:
            item.add_marker(skip)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail(f"no website in {SITE}: build it first with `make site`")
    return SITE


@pytest.fixture(scope="session")
def site_server(site_dir):
    """The base URL (``http://127.0.0.1:PORT/``) of a server of the built site."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where the screenshots go: $COURSEKIT_SITE_SHOTS or build/site-shots/."""
    folder = Path(os.environ.get("COURSEKIT_SITE_SHOTS") or ROOT / "build" / "site-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
