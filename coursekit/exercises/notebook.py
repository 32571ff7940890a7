"""Notebook helpers: ``check("ch1.numerical_gradient")`` and ``yours_or_reference``."""
from __future__ import annotations

import html
import importlib.util
import os
from pathlib import Path

from coursekit.exercises import chapter


def _shown_hints(results):
    """The hint column: each distinct hint once (later repeats say so), the description when passed."""
    seen, shown = {}, []
    for i, c in enumerate(results):
        if c.passed or not c.hint:
            shown.append(c.description)
        elif c.hint in seen:
            shown.append(f"same hint as {seen[c.hint]}")
        else:
            seen[c.hint] = results[i].id
            shown.append(c.hint)
    return shown


class CheckReport:
    """Results of some checks: ``.score``, ``.max_score``, ``.results`` (CheckResult list).

    Shows as an HTML table in a notebook and as a text table otherwise: one row per
    check, its status on one line, and each distinct hint once (a check failing for the
    same reason as an earlier one points to it instead of repeating it).
    """

    def __init__(self, title, chapters):
        self.title, self.chapters = title, chapters
        self.results = [c for ch in chapters for c in ch.checks]
        self.score = sum(c.points for c in self.results)
        self.max_score = sum(c.max_points for c in self.results)

    @property
    def passed(self):
        return bool(self.results) and all(c.passed for c in self.results)

    def _repr_html_(self):
        cell = "padding:2px 10px;text-align:left;vertical-align:top"
        head = "".join(f"<th style='{cell}'>{h}</th>" for h in ("check", "points", "status", "hint"))
        rows = [f"<tr><td colspan=4 style='{cell}'><em>{html.escape(ch.note)}</em></td></tr>"
                for ch in self.chapters if ch.note]
        for c, hint in zip(self.results, _shown_hints(self.results)):
            colour = "#2e7d32" if c.passed else "#c62828"
            rows.append(f"<tr><td style='{cell};white-space:nowrap'><code>{html.escape(c.id)}</code></td>"
                        f"<td style='{cell};white-space:nowrap'>{c.points:g}/{c.max_points:g}</td>"
                        f"<td style='{cell};white-space:nowrap;color:{colour}'>{html.escape(c.status)}</td>"
                        f"<td style='{cell}'>{html.escape(hint)}</td></tr>")
        return (f"<p><strong>{html.escape(self.title)}</strong>: {self.score:g}/{self.max_score:g} points</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def __repr__(self):
        width = max([len("check")] + [len(c.id) for c in self.results])
        status_w = max([len("status")] + [len(c.status) for c in self.results])
        lines = [f"{self.title}: {self.score:g}/{self.max_score:g} points",
                 f"  {'check':<{width}}  {'points':>6}  {'status':<{status_w}}  hint"]
        for c, hint in zip(self.results, _shown_hints(self.results)):
            points = f"{c.points:g}/{c.max_points:g}"
            lines.append(f"  {c.id:<{width}}  {points:>6}  {c.status:<{status_w}}  {hint}".rstrip())
        return "\n".join(lines)


def _notebook_path():
    """The running notebook's file when the front end says (JupyterLab / VS Code), else None."""
    for name in ("JPY_SESSION_NAME", "COURSEKIT_NOTEBOOK"):
        value = os.environ.get(name)
        if value and value.endswith(".ipynb"):
            return Path(value)
    try:
        from IPython import get_ipython
        shell = get_ipython()
        value = shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None
    except ImportError:
        value = None
    return Path(value) if value else None


def _exercises_in(folder):
    candidate = folder / "exercises"
    if candidate.is_dir() and not (candidate / "__init__.py").exists() and any(candidate.glob("ch*_*.py")):
        return candidate
    return None


def find_exercises(start=None):
    """The project's ``exercises/`` folder of chapter modules.

    Looked for at and above ``start`` when given; otherwise at and above the running
    notebook's folder (when the front end tells it), then the project that holds the
    installed ``coursekit`` (``pip install -e .``), and last the working directory: so
    ``check(...)`` works wherever the kernel was started.
    """
    if start is not None:
        places = [(Path(start), True)]
    else:
        notebook = _notebook_path()
        installed = Path(__file__).resolve().parents[2]          # the project root of an editable install
        places = ([(notebook.parent, True)] if notebook else []) + [(installed, False), (Path.cwd(), True)]
    for place, walk_up in places:
        here = place.resolve()
        for folder in [here, *here.parents] if walk_up else [here]:
            found = _exercises_in(folder)
            if found:
                return found
    places = [p for p, _ in places]
    raise FileNotFoundError(f"no exercises/ folder at or above {', '.join(str(p) for p in places)}; pass folder=")


def run_check(name, folder=None, timeout=10.0):
    """Grade exercise ``name`` ("ch1.numerical_gradient") or chapter ("ch1") in a sandbox."""
    from coursekit.grade.child import Limits
    from coursekit.grade.grader import ChapterSession, find_modules

    chapter_key, _, exercise = str(name).partition(".")
    ch = chapter(chapter_key)
    checks = [c for c in ch.CHECKS if not exercise or c.exercise == exercise]
    if not checks:
        names = sorted({c.exercise for c in ch.CHECKS})
        choices = [f"ch{ch.NUMBER}"] + [f"ch{ch.NUMBER}.{n}" for n in names]
        raise ValueError(f"name must be one of {choices}, got {name!r}")
    folder = Path(folder) if folder is not None else find_exercises()
    source = find_modules(folder, [ch.NUMBER]).get(ch.NUMBER)
    note = "" if source else f"{ch.MODULE}.py not found in {folder}"
    with ChapterSession(source, ch, Limits(timeout=timeout)) as session:
        result = session.run_all(checks, file=source.name if source else None, note=note)
    return CheckReport(f"{name} ({ch.MODULE}.py)", [result])


def load_yours(chapter_key, folder=None):
    """Your chapter module (e.g. ``exercises/ch1_gradient_descent.py``), freshly read from disk."""
    ch = chapter(chapter_key)
    path = Path(folder or find_exercises()) / f"{ch.MODULE}.py"
    spec = importlib.util.spec_from_file_location(f"yours_{ch.MODULE}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def yours_or_reference(name, reference, folder=None):
    """Your function ``name`` ("ch1.gd_step"), re-read from your exercises file, for a figure.

    While it is not implemented (or raises), the first failing call says so and every
    call returns ``reference``'s answer instead, so the figure is always drawn.
    ``.used`` tells which one answered last: "yours" or "reference".
    """
    chapter_key, _, function = str(name).partition(".")
    try:
        mine = getattr(load_yours(chapter_key, folder), function)
    except Exception as exc:               # a syntax error or a missing function in the learner's file
        mine, load_error = None, exc

    def call(*args, **kwargs):
        try:
            if mine is None:
                raise load_error
            result = mine(*args, **kwargs)
            call.used = "yours"
            return result
        except Exception as exc:
            if call.used != "reference":
                why = ("is not implemented yet" if isinstance(exc, NotImplementedError)
                       else f"raised {type(exc).__name__}: {exc}")
                print(f"{function} {why}: this figure uses the reference implementation instead.")
            call.used = "reference"
            return reference(*args, **kwargs)

    call.used = None
    call.whose = lambda: "your" if call.used == "yours" else "reference"   # for labels: "your path" / "reference path"
    return call


def solution_source(name, folder=None):
    """The worked solution of exercise ``name`` ("ch1.numerical_gradient") as source text.

    Read from ``solutions/`` next to the project's ``exercises/`` (or from ``folder``);
    a short notice when that file is not there.
    """
    import ast

    chapter_key, _, function = str(name).partition(".")
    ch = chapter(chapter_key)
    path = Path(folder or find_exercises().parent / "solutions") / f"{ch.MODULE}.py"
    if not path.is_file():
        return f"# {path} is not here: the worked example is in the course repository's solutions/ folder"
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return ast.get_source_segment(text, node)
    raise ValueError(f"name: no function {function!r} in {path}")
