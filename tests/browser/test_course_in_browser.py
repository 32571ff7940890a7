"""The course as learners meet it: every chapter notebook in JupyterLab, in headless Chromium.

For each ``course/*.ipynb`` (new chapters are picked up without change) the test opens the
notebook in a JupyterLab it started itself (tests/browser/conftest.py), waits for the
kernel, clears the committed outputs, runs all cells, and asserts what a learner sees:

- no error anywhere: no traceback, nothing on stderr, no widget that failed to display;
- at least one rendered slider, and for every cell with sliders, moving its first slider
  redraws the figure it drives (the image's pixels before and after differ);
- every exercise check cell shows its table (check / points / status / hint);
- each exercise file the notebook names (``exercises/chN_*.py``) opens in the editor with
  the file's text.

Widgets are live (COURSEKIT_STATIC is removed from the server's environment). Screenshots
go to $COURSEKIT_SCREENSHOTS or build/browser/: ``<notebook>-notebook.png`` (the first
explorer in its page), ``<notebook>-explorer-<k>.png`` (each explorer after its slider
moved) and ``<notebook>-exercise.png`` (the exercise file in the editor).

Run: ``pytest -m browser tests/browser`` (needs Debian's chromium and the playwright package).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

try:
    from playwright.sync_api import Error as PlaywrightError, TimeoutError as PlaywrightTimeout
except ImportError:        # the `chromium` fixture skips with the reason
    PlaywrightTimeout = TimeoutError
    PlaywrightError = RuntimeError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "course").glob("*.ipynb"))
RUN_TIMEOUT = float(os.environ.get("COURSEKIT_BROWSER_TIMEOUT", "600"))  # s, to run one notebook
# s, for anything else to appear (a kernel start, a redraw, an editor)
STEP_TIMEOUT = float(os.environ.get("COURSEKIT_BROWSER_STEP_TIMEOUT", "180"))
EXERCISE_FILE = re.compile(r"\bexercises/(ch\d+_\w+\.py)\b")
CHECK_CALL = re.compile(r"\bcheck\(\s*[\"']ch\d+")
CHECK_HEADER = ["check", "points", "status", "hint"]

pytestmark = pytest.mark.browser

# Helpers installed in every page: the notebook widget of a path and its kernel's state.
HELPERS = """
window.__ck = {
  widget(path) {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path) return w;
    }
    return null;
  },
  kernelIdle(path) {
    const w = window.__ck.widget(path);
    if (!w || !w.context.isReady || !w.sessionContext) return false;
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.status === 'idle' && k.connectionStatus === 'connected';
  },
  running(path) {  // cells queued or executing ("[*]")
    const w = window.__ck.widget(path);
    return [...w.node.querySelectorAll('.jp-InputArea-prompt')].filter(
      p => p.textContent.includes('*')).length;
  },
};
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_notebook(path: Path):
    """(cells as (type, source)), the exercise files it names, the indices of its check cells."""
    cells = [(c["cell_type"], "".join(c["source"])) for c in json.loads(path.read_text())["cells"]]
    files = sorted({m for _, src in cells for m in EXERCISE_FILE.findall(src)})
    checks = [i for i, (kind, src) in enumerate(cells) if kind == "code" and CHECK_CALL.search(src)]
    return cells, files, checks


def _errors(page, path):
    """Every error output, stderr stream and failed widget of the notebook, as text."""
    return page.evaluate("""(path) => {
      const w = window.__ck.widget(path), found = [];
      const cells = w.content.model.cells;
      for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        for (const o of cell.outputs.toJSON()) {
          if (o.output_type === 'error') found.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
          if (o.output_type === 'stream' && o.name === 'stderr') found.push(`cell ${i} stderr: ${o.text}`);
        }
      }
      for (const node of w.node.querySelectorAll(
          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
        found.push('rendered stderr: ' + node.textContent.slice(0, 300));
      }
      for (const node of w.node.querySelectorAll('.jp-OutputArea-output')) {
        const text = node.textContent;
        if (text.includes('Error displaying widget') || text.includes('Error rendering'))
          found.push('widget: ' + text.slice(0, 300));
      }
      return found;
    }""", path)


def _wait_idle(page, path, timeout=STEP_TIMEOUT):
    page.wait_for_function("(path) => window.__ck.kernelIdle(path) && !window.__ck.running(path)",
                           arg=path, timeout=timeout * 1000, polling=250)


def _shutdown_sessions(lab, path):
    """Stop the kernel of ``path`` (so that the next chapter gets the CPU)."""
    try:
        with urllib.request.urlopen(lab.url("api/sessions"), timeout=10) as response:
            sessions = json.load(response)
        for s in sessions:
            if s.get("path") == path:
                request = urllib.request.Request(lab.url(f"api/sessions/{s['id']}"), method="DELETE")
                urllib.request.urlopen(request, timeout=30).close()
    except OSError:
        pass


def _move_slider(page, slider):
    """Drag the slider's handle a quarter of its track, towards the far side."""
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target").first
    handle.scroll_into_view_if_needed()
    h, t = handle.bounding_box(), track.bounding_box()
    x, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    dx = t["width"] / 4 * (-1 if x > t["x"] + t["width"] / 2 else 1)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=8)
    page.mouse.up()


def _check_explorer(page, path, cell, shot: Path):
    """Move the first slider of ``cell``; the last image of the cell must be redrawn."""
    images = cell.locator(".jp-OutputArea-output img")
    assert images.count() >= 1, "a cell with sliders shows no figure for them to drive"
    cell.scroll_into_view_if_needed()
    before_src = images.last.get_attribute("src")
    try:
        before_png = images.last.screenshot()
    except PlaywrightError as exc:       # the figure was replaced between the two lines
        pytest.fail(f"the figure redrew although no slider moved (a slider that reports while dragged "
                    f"sends its snapped value when first drawn): {str(exc).splitlines()[0]}")
    assert images.last.get_attribute("src") == before_src, "the figure redrew although no slider moved"
    slider = cell.locator(".widget-slider").first
    readout = slider.locator(".widget-readout").first
    before_value = readout.inner_text()
    _move_slider(page, slider)
    try:
        page.wait_for_function(
            """([cell, before]) => {
                 const imgs = cell.querySelectorAll('.jp-OutputArea-output img');
                 const img = imgs[imgs.length - 1];
                 return !!img && img.complete && img.naturalWidth > 0 && img.getAttribute('src') !== before;
               }""", arg=[cell.element_handle(), before_src], timeout=STEP_TIMEOUT * 1000, polling=250)
    except PlaywrightTimeout:
        pytest.fail(f"moving the slider {' '.join(slider.inner_text().split())!r} did not redraw the figure below it "
                    f"within {STEP_TIMEOUT:.0f} s")
    _wait_idle(page, path)
    after_png = images.last.screenshot()
    assert readout.inner_text() != before_value, "the slider's value did not change"
    assert after_png != before_png, "the figure's pixels did not change when the slider moved"
    cell.locator(".jp-Cell-outputWrapper").screenshot(path=str(shot))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_chapter_in_jupyterlab(notebook, lab, chromium_options, screenshots, record_property):
    from playwright.sync_api import sync_playwright

    rel = notebook.relative_to(ROOT).as_posix()
    cells, exercise_files, check_cells = _read_notebook(notebook)
    assert exercise_files, f"{rel} names no exercise file (exercises/chN_*.py)"
    watched = [notebook] + [ROOT / "exercises" / f for f in exercise_files]
    for f in watched:
        assert f.exists(), f"{rel} names {f.relative_to(ROOT)}, which does not exist"
    hashes = {f: _sha(f) for f in watched}
    stem, times, t0 = notebook.stem, {}, time.monotonic()

    with tempfile.TemporaryDirectory(prefix="coursekit-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, **chromium_options,
            viewport={"width": 1400, "height": 900}, device_scale_factor=1)
        page_errors = []
        try:
            context.add_init_script(HELPERS)
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(STEP_TIMEOUT * 1000)
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            # a workspace of its own, so that no other chapter's tabs are restored
            page.goto(lab.url(f"lab/workspaces/{stem}/tree/{rel}"))
            page.wait_for_function("(path) => !!window.__ck.widget(path)", arg=rel,
                                   timeout=STEP_TIMEOUT * 1000, polling=250)
            _wait_idle(page, rel)
            times["open_and_kernel_s"] = time.monotonic() - t0

            t1 = time.monotonic()
            page.evaluate("""async ([path, ms]) => {
                const app = window.jupyterapp, w = window.__ck.widget(path);
                app.shell.activateById(w.id);
                await app.commands.execute('notebook:clear-all-cell-outputs');
                const done = app.commands.execute('notebook:run-all-cells');
                const late = new Promise((_, no) => setTimeout(() => no(new Error('run-all timed out')), ms));
                await Promise.race([done, late]);
            }""", [rel, RUN_TIMEOUT * 1000])
            _wait_idle(page, rel, RUN_TIMEOUT)
            lab.track_children()
            times["run_all_s"] = time.monotonic() - t1

            errors = _errors(page, rel)
            assert not errors, f"{rel}: errors in the browser:\n" + "\n".join(errors)
            dom_cells = page.locator(".jp-Notebook .jp-Cell")
            assert dom_cells.count() == len(cells), "the notebook in JupyterLab has other cells than the file"
            unrun = page.evaluate("""(path) => {
                const cells = window.__ck.widget(path).content.model.cells, left = [];
                for (let i = 0; i < cells.length; i++) {
                  const c = cells.get(i);
                  if (c.type === 'code' && c.sharedModel.getSource().trim() && c.executionCount == null) left.push(i);
                }
                return left;
            }""", rel)
            assert not unrun, f"{rel}: cells {unrun} did not run"

            # sliders, and the figures they drive
            sliders = page.locator(".jp-Notebook .widget-slider")
            sliders.first.wait_for(state="visible")
            explorers = dom_cells.filter(has=page.locator(".widget-slider"))
            record_property("sliders", sliders.count())
            record_property("explorers", explorers.count())
            assert explorers.count() >= 1, f"{rel}: no cell shows a slider"
            explorers.first.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshots / f"{stem}-notebook.png"))
            t2 = time.monotonic()
            for k in range(explorers.count()):
                _check_explorer(page, rel, explorers.nth(k), screenshots / f"{stem}-explorer-{k + 1}.png")
            times["sliders_s"] = time.monotonic() - t2

            # the exercise check tables
            assert check_cells, f"{rel} has no exercise check cell (check('chN...') from coursekit.grade)"
            for i in check_cells:
                table = dom_cells.nth(i).locator(".jp-OutputArea-output table").first
                try:
                    table.wait_for(state="attached")
                except PlaywrightTimeout:
                    pytest.fail(f"cell {i} ({cells[i][1].strip().splitlines()[-1]}) shows no check table")
                header = [h.strip().lower() for h in table.locator("th").all_inner_texts()]
                assert header == CHECK_HEADER, f"cell {i}: check table header {header}"
                assert table.locator("tbody tr").count() >= 1, f"cell {i}: the check table has no rows"
                table.scroll_into_view_if_needed()
                assert table.is_visible(), f"cell {i}: the check table is not visible"

            # the exercise files open in the editor
            for name in exercise_files:
                path = f"exercises/{name}"
                text = (ROOT / path).read_text()
                page.evaluate("async (path) => { await window.jupyterapp.commands.execute("
                              "'docmanager:open', {path}); }", path)
                page.wait_for_function(
                    """([path, text]) => {
                         const w = window.__ck.widget(path);
                         return !!w && w.context.isReady && w.isVisible && !!w.content.editor
                                && w.content.model.sharedModel.getSource() === text;
                       }""", arg=[path, text], timeout=STEP_TIMEOUT * 1000, polling=250)
                first_line = next(line for line in text.splitlines() if line.strip()).strip()
                editor = page.locator(".jp-FileEditor .cm-content:visible").first
                editor.wait_for(state="visible")
                assert first_line[:40] in editor.inner_text(), f"{path}: the editor does not show the file"
            page.screenshot(path=str(screenshots / f"{stem}-exercise.png"))
            assert not page_errors, f"{rel}: uncaught errors in the page:\n" + "\n".join(page_errors)
        finally:
            context.close()
            _shutdown_sessions(lab, rel)

    for f, digest in hashes.items():
        assert _sha(f) == digest, f"{f.relative_to(ROOT)} was changed by opening it in JupyterLab"
    times["total_s"] = time.monotonic() - t0
    for key, value in times.items():
        record_property(key, round(value, 1))
    record_property("check_tables", len(check_cells))
