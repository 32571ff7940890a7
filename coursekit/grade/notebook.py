"""Checking exercises in place from a notebook: ``check("ch1.gd_step")`` and its table."""
from __future__ import annotations

import html
from pathlib import Path

from coursekit.exercises.chapters import chapter
from coursekit.exercises.notebook import find_exercises
from coursekit.grade.parent import Limits
from coursekit.grade.grader import ChapterSession, find_modules


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


def check(name, folder=None, timeout=10.0):
    """Run the checks of ``name`` ("ch1.numerical_gradient" or "ch1") on your exercises, in place.

    ``folder``: where your chapter modules are (default: the project's ``exercises/``,
    found from the notebook's location or the installed project). The code runs in the
    grader's sandbox; returns a :class:`CheckReport` that displays as a table (HTML in a
    notebook); an unfinished exercise shows as "not implemented".
    """
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
    # your own code, in your own kernel's sandbox: it runs with your rights where it cannot get a user of its own
    with ChapterSession(source, ch, Limits(timeout=timeout, allow_same_user=True)) as session:
        result = session.run_all(checks, file=source.name if source else None, note=note)
    return CheckReport(f"{name} ({ch.MODULE}.py)", [result])
