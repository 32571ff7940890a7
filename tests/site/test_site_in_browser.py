"""The course website as a reader meets it: every page of build/site/ in headless Chromium.

``make site`` builds the site (tools/build_site.py, Sphinx with warnings as errors, so every
cross-reference resolved at build time). This test serves it on loopback and, for every HTML
page, asserts what a reader with no internet sees:

- the page loads with no console error, no uncaught exception, no failed request and no
  request anywhere but the local server (each one is blocked and reported: no CDN font,
  script or widget manager);
- every image has a non-zero natural width;
- the maths is typeset: every ``.math`` element holds a MathJax rendering without a TeX error,
  and no raw ``$...$``, ``\\(`` or ``\\[`` is left in the text outside code;
- every internal link resolves: the file exists and its ``#fragment`` is an id in it;
- a chapter page links to its notebook, says how to run it, and shows, for every explorer of
  the committed notebook, the one-line note followed by the explorer's static figure;
- the claims table links each claim of a published chapter to its cells;
- search works offline (results for a word of the course), also from file:// without a server.

A screenshot of each chapter's first screen goes to $COURSEKIT_SITE_SHOTS or build/site-shots/.
Run: ``make site && pytest -m site tests/site`` (Debian's chromium and the playwright package).
"""
from __future__ import annotations

import json
import os
import re
import urllib.parse
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.site

PAGE_TIMEOUT_MS = 120_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTEBOOKS = sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))


def _site_pages() -> list[str]:
    """The site's pages (the same folder as conftest's ``site_dir``), found when collected."""
    SITE = Path(os.environ.get("COURSEKIT_SITE") or ROOT / "build" / "site")
    if not SITE.exists():
        return []
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                  if not p.relative_to(SITE).parts[0].startswith("_"))


PAGES = _site_pages()


def _explorers(notebook: Path) -> int:
    """Explorers of the committed notebook: cells with a widget view and an image."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
               and any(WIDGET_VIEW in o.get("data", {}) for o in cell.get("outputs", [])) for cell in cells)


@lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset[str]:
    return frozenset(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8", errors="replace")))


@pytest.fixture(scope="module")
def browser(chromium_options):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(**chromium_options)
        try:
            yield b
        finally:
            b.close()


class Visit:
    """One page opened in a fresh context that lets through only the local server's requests."""

    def __init__(self, browser, base: str, rel: str):
        self.base, self.problems = base, []
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(PAGE_TIMEOUT_MS)
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.page.goto(base + rel, wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.problems.append(f"request outside the site (blocked): {url}")
            route.abort()

    def close(self):
        self.context.close()


def _typeset(page) -> dict:
    """Wait for MathJax's first typesetting; what it left behind."""
    if page.evaluate("document.querySelectorAll('.math').length") == 0:
        return {"math": 0, "unrendered": [], "errors": []}
    page.wait_for_function("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)")
    page.evaluate("async () => { await MathJax.startup.promise; }")
    return page.evaluate("""() => {
        const math = [...document.querySelectorAll('.math')];
        return {
          math: math.length,
          unrendered: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
          errors: [...document.querySelectorAll('mjx-merror, [data-mjx-error]')].map(
              e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120)),
        };
    }""")


RAW_MATH = re.compile(r"\$[^$\s][^$]{0,200}?\$|\\\(|\\\[")


def _raw_math(page) -> list[str]:
    text = page.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('pre, code, kbd, samp, script, style, textarea, mjx-container, .math')
            .forEach(n => n.remove());
        return body.textContent;
    }""")
    return [m.group(0)[:80] for m in RAW_MATH.finditer(text)]


def _images(page) -> list[str]:
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    return page.evaluate("""() => [...document.images].filter(i => !(i.naturalWidth > 0))
                                  .map(i => (i.currentSrc || i.src).slice(0, 100))""")


def _broken_links(page, base: str, site: Path) -> list[str]:
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    broken = []
    for href in dict.fromkeys(hrefs):
        if not href.startswith(base):
            continue
        url = urllib.parse.urlsplit(href)
        rel = urllib.parse.unquote(url.path)[len(urllib.parse.urlsplit(base).path):]
        target = site / rel
        if rel == "" or rel.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href}: no file {target.relative_to(site)}")
            continue
        fragment = urllib.parse.unquote(url.fragment)
        if fragment and target.suffix == ".html" and fragment not in _ids(target):
            broken.append(f"{href}: no id {fragment!r} in {target.relative_to(site)}")
    return broken


def test_the_site_has_its_pages(site_dir):
    for rel in ["index.html", "claims.html", "exercises.html", "api/index.html", "search.html",
                "api/coursekit.optim.html", *[f"{nb.stem}.html" for nb in NOTEBOOKS]]:
        assert (site_dir / rel).is_file(), f"the site has no {rel}"
    instructors = (ROOT / "docs" / "instructors.md").exists()
    assert (site_dir / "instructors.html").is_file() == instructors, "the instructor guide is in the site iff docs/instructors.md exists"
    mathjax = site_dir / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.is_file(), "MathJax is not in the site's _static/"


@pytest.mark.parametrize("rel", PAGES)
def test_page(rel, browser, site_server, site_dir, shots):
    visit = Visit(browser, site_server, rel)
    try:
        page = visit.page
        maths = _typeset(page)
        problems = list(visit.problems)
        problems += [f"maths not typeset: {t!r}" for t in maths["unrendered"]]
        problems += [f"TeX error: {t!r}" for t in maths["errors"]]
        problems += [f"raw maths left in the text: {t!r}" for t in _raw_math(page)]
        problems += [f"image with no width: {src}" for src in _images(page)]
        problems += [f"broken link: {b}" for b in _broken_links(page, site_server, site_dir)]

        stem = rel.removesuffix(".html")
        notebook = ROOT / "course" / f"{stem}.ipynb"
        if notebook.exists():
            page.screenshot(path=str(shots / f"{stem}.png"))
            problems += _chapter_problems(page, notebook)
        if rel == "claims.html":
            problems += _claims_problems(page)
        assert not problems, f"{rel}:\n" + "\n".join(problems)
    finally:
        visit.close()


def _chapter_problems(page, notebook: Path) -> list[str]:
    problems = []
    downloads = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    if not any(h.endswith(f"/{notebook.name}") for h in downloads):
        problems.append(f"no link to the notebook {notebook.name}")
    text = page.inner_text("article")
    if "make lab" not in text:
        problems.append("the page does not say how to run it (make lab)")
    notes = page.evaluate("""() => [...document.querySelectorAll('.ck-explorer-note')].map(note => {
        const cell = note.closest('.cell') || note.parentElement;
        const after = [...cell.querySelectorAll('img')].filter(
            img => note.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING);
        return {text: note.textContent, figure: after.length > 0 && after[0].naturalWidth > 0};
    })""")
    expected = _explorers(notebook)
    if len(notes) != expected:
        problems.append(f"{len(notes)} explorer notes, the notebook has {expected} explorers")
    for note in notes:
        if not note["figure"]:
            problems.append(f"an explorer note with no static figure after it: {note['text'][:60]!r}")
        if "JupyterLab" not in note["text"]:
            problems.append(f"the explorer note does not say where the sliders run: {note['text'][:60]!r}")
    if page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
        problems.append("a widget view is left in the page (no widget manager can show it)")
    return problems


def _claims_problems(page) -> list[str]:
    published = {int(nb.name[:2]) for nb in NOTEBOOKS}
    table, chapter = {}, None
    for line in (ROOT / "course" / "CLAIMS.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"## Chapter (\d+)", line)
        chapter = int(m.group(1)) if m else chapter
        m = re.match(r"\| (C\d+) \|", line)
        if m and chapter in published:
            table[m.group(1)] = chapter
    rows = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('table tr')].map(tr => {
        const first = tr.querySelector('td');
        const id = first ? first.textContent.trim() : '';
        return [id, [...tr.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))];
    }))""")
    problems = []
    for cid, chapter in table.items():
        links = [h for h in rows.get(cid, []) if re.match(rf"{chapter:02d}_\w+\.html#claim-", h)]
        if not links:
            problems.append(f"claim {cid}: no link to a cell of chapter {chapter}")
    return problems


@pytest.mark.parametrize("served", ["loopback", "file"])
def test_search_works_offline(browser, site_server, site_dir, served):
    """Search finds a word of the course served on loopback and opened as a file (no server)."""
    base = site_server if served == "loopback" else site_dir.resolve().as_uri() + "/"
    visit = Visit(browser, base, "search.html?q=momentum")
    try:
        results = visit.page.locator("#search-results ul.search li")
        results.first.wait_for(state="attached")
        assert results.count() >= 1
        problems = visit.problems
        if served == "file":   # Chromium refuses web fonts to file:// pages (CORS); older themes load icon fonts
            problems = [p for p in problems if not re.search(r"Access to font at|\.woff2?\b|ERR_FAILED$", p)]
        assert not problems, "\n".join(problems)
    finally:
        visit.close()
