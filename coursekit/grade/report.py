"""What the learner and the instructor see: text and HTML tables, Gradescope JSON, CSV.

Every string from a submission was sanitized on arrival (coursekit.grade.text.clean);
the writers here clean again, so nothing unsanitized reaches a terminal or a file.
"""
from __future__ import annotations

import csv
import json
import re
import textwrap
import unicodedata

from coursekit.grade.text import clean

PASSED = "passed"


def _points(x):
    return f"{x:g}"


def chapter_text(ch, width=100, verbose=False):
    """The table of one chapter: exercise, points earned / possible, status, hint.

    ``verbose``: every failing check with its hint, not only the first of each exercise.
    """
    lines = [f"Chapter {ch.number}: {ch.title}  ({ch.file or ch.module + '.py'})"]
    if ch.note:
        lines.append(f"  {ch.note}")
    dropped = re.search(r"\[\.\.\. (\d+) more bytes of output dropped\]", ch.output or "")
    if dropped:
        lines.append(f"  note: the output of your code was truncated ({dropped.group(1)} more bytes dropped)")
    rows = ch.exercises()
    name_w = max([len("function")] + [len(r.exercise) for r in rows])
    lines.append(f"  {'function':<{name_w}}  {'points':>7}  status")
    for r in rows:
        lines.append(f"  {r.exercise:<{name_w}}  {_points(r.points) + '/' + _points(r.max_points):>7}  {r.status}")
        distinct = [c for i, c in enumerate(r.failed) if c.hint not in {d.hint for d in r.failed[:i]}]
        hints = [f"[{c.name}] {c.hint}" for c in distinct] if verbose and distinct else [r.hint] if r.hint else []
        for hint in hints:
            lines += textwrap.wrap(hint, width=width, initial_indent="      ", subsequent_indent="        ")
        if not verbose and len(distinct) > 1:
            lines.append(f"      (and {len(distinct) - 1} more failing check{'s' if len(distinct) > 2 else ''}: "
                         "see them all with -v)")
    lines.append(f"  {'total':<{name_w}}  {_points(ch.score) + '/' + _points(ch.max_score):>7}")
    return "\n".join(lines)


def next_step(result):
    """One line saying where to look next."""
    for ch in result.chapters:
        for r in ch.exercises():
            if r.status != PASSED:
                if r.status == "not submitted":
                    return f"Next: add {ch.module}.py to your submission (chapter {ch.number})."
                return (f"Next: fix {r.exercise} in {ch.file or ch.module + '.py'} (hint above); "
                        f"it is explained in {ch.notebook}.")
    return "Next: nothing to fix, every check passed."


def submission_text(result, verbose=False):
    """The learner's report: a table per chapter, the total, where to look next."""
    parts = [f"Grading {result.path}"] + ([result.note] if result.note else [])
    for ch in result.chapters:
        parts.append(chapter_text(ch, verbose=verbose))
        if verbose and ch.output:
            lines = [line if len(line) <= 160 else line[:157] + "..." for line in ch.output[:4000].splitlines()]
            parts.append(textwrap.indent("\n".join(["output of your code:"] + lines[:40]), "  | "))
        if verbose and ch.sandbox:
            parts.append("  sandbox: " + "; ".join(ch.sandbox))
    pct = 100 * result.score / result.max_score if result.max_score else 0.0
    parts.append(f"Total: {_points(result.score)}/{_points(result.max_score)} points ({pct:.0f}%)"
                 f"  [{result.seconds:.1f} s" + (f", seed {result.seed}]" if result.seed is not None else "]"))
    parts.append(next_step(result))
    return clean("\n\n".join(parts), keep_lines=True)


def gradescope(result):
    """A Gradescope results.json dict: score, tests[] (one per check), output."""
    tests = []
    for ch in result.chapters:
        for c in ch.checks:
            tests.append({
                "name": f"ch{ch.number} {c.id}" + (f": {c.description}" if c.description else ""),
                "score": c.points, "max_score": c.max_points,
                "status": "passed" if c.passed else "failed",
                "output": (f"{c.status} (note, no points lost: {c.hint})" if c.hint else c.status) if c.passed
                          else f"{c.status}: {c.hint}",
                "visibility": "visible",
            })
    return {"score": result.score, "execution_time": round(result.seconds, 3),
            "output": submission_text(result), "visibility": "visible", "stdout_visibility": "hidden",
            "extra_data": {"seed": result.seed}, "tests": tests}


def write_json(result, path):
    data = json.loads(json.dumps(gradescope(result)), object_hook=_clean_strings)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)


def _clean_strings(obj):
    return {k: clean(v, keep_lines=True) if isinstance(v, str) else v for k, v in obj.items()}


def csv_header(chapters):
    return (["submission", "path"] + [f"ch{n}" for n in chapters] +
            ["score", "max_score", "percent", "seconds", "seed", "note", "results_json"])


def _cell(text):
    """A text cell a spreadsheet shows as text: invisible format characters (U+FEFF, U+200B...) removed,
    leading spaces too; then one starting with = + - @ (a formula) gets a leading '."""
    text = "".join(ch for ch in clean(text) if unicodedata.category(ch) != "Cf").lstrip()
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20") else text


def csv_row(result, json_path=""):
    by_number = {ch.number: ch for ch in result.chapters}
    pct = 100 * result.score / result.max_score if result.max_score else 0.0
    notes = [result.note] + [ch.note for ch in result.chapters if ch.note]
    return ([_cell(result.name), _cell(result.path)] + [_points(by_number[n].score) for n in sorted(by_number)] +
            [_points(result.score), _points(result.max_score), f"{pct:.1f}", f"{result.seconds:.2f}",
             "" if result.seed is None else str(result.seed), _cell("; ".join(n for n in notes if n)), _cell(json_path)])


def write_csv(rows, chapters, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(csv_header(chapters))
        writer.writerows(rows)
