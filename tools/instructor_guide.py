"""Write the generated tables of docs/instructors.md: points per chapter and exercise, learner time.

    .venv/bin/python tools/instructor_guide.py            # rewrite the tables in place
    .venv/bin/python tools/instructor_guide.py --check    # exit 1 if they are out of date (tests run it)

Each table sits between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``; only those lines
change. Points come from the grader's checks (coursekit.exercises.CHAPTERS); the worked examples
from the notebooks (coursekit.release.worked_examples); the time estimates from the length of each
notebook's prose and its number of exercises (the formula is printed under the table).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coursekit.exercises.chapters import CHAPTERS  # noqa: E402
from coursekit.release import worked_examples  # noqa: E402

GUIDE = ROOT / "docs" / "instructors.md"
WORDS_PER_MINUTE = (80, 150)     # technical prose with formulas: slow and quick readers
MINUTES_PER_EXERCISE = (10, 30)  # a quick and a slow learner, checks in place included
MINUTES_PER_WORKED = (5, 10)


def _fmt(x):
    return f"{x:g}"


def points_table():
    worked = worked_examples(ROOT)
    lines = ["| chapter | exercise | checks | points |", "|---|---|---:|---:|"]
    for n, ch in sorted(CHAPTERS.items()):
        by_exercise = {}
        for c in ch.CHECKS:
            by_exercise.setdefault(c.exercise, []).append(c.points)
        for exercise, points in by_exercise.items():
            note = " (worked example: its solution is shown in the notebook)" if (n, exercise) in worked else ""
            lines.append(f"| {n} · {ch.TITLE} | `{exercise}`{note} | {len(points)} | {_fmt(sum(points))} |")
        lines.append(f"| **{n} · {ch.TITLE}** | **total** ({len(by_exercise)} exercises) | **{len(ch.CHECKS)}** | "
                     f"**{_fmt(sum(c.points for c in ch.CHECKS))}** |")
    total = sum(c.points for ch in CHAPTERS.values() for c in ch.CHECKS)
    checks = sum(len(ch.CHECKS) for ch in CHAPTERS.values())
    lines.append(f"| **course** | | **{checks}** | **{_fmt(total)}** |")
    return "\n".join(lines)


def prose_words(source):
    """Words of the markdown cells of a jupytext percent source (formulas count as words)."""
    words, markdown = 0, False
    for line in Path(source).read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            markdown = "[markdown]" in line
        elif markdown and line.startswith("#"):
            words += len(line.lstrip("#").split())
    return words


def _round5(x):
    return int(5 * round(x / 5))


def time_table():
    worked = worked_examples(ROOT)
    lines = ["| chapter | prose (words) | exercises | estimated learner time |", "|---|---:|---:|---|"]
    for n, ch in sorted(CHAPTERS.items()):
        source = ROOT / "course" / "src" / (Path(ch.NOTEBOOK).stem + ".py")
        words = prose_words(source)
        exercises = {c.exercise for c in ch.CHECKS}
        shown = sum(1 for e in exercises if (n, e) in worked)
        low, high = (words / WORDS_PER_MINUTE[1 - i] + (len(exercises) - shown) * MINUTES_PER_EXERCISE[i]
                     + shown * MINUTES_PER_WORKED[i] for i in (0, 1))
        lines.append(f"| {n} · {ch.TITLE} | {words:,} | {len(exercises)} | "
                     f"{_round5(low) / 60:.1f} to {_round5(high) / 60:.1f} hours |")
    lines += ["", f"Estimates, not measurements with learners: prose read at {WORDS_PER_MINUTE[1]} to "
              f"{WORDS_PER_MINUTE[0]} words per minute, {MINUTES_PER_EXERCISE[0]} to {MINUTES_PER_EXERCISE[1]} "
              f"minutes per exercise ({MINUTES_PER_WORKED[0]} to {MINUTES_PER_WORKED[1]} for a worked example), "
              "running the cells and moving the sliders included in the reading time."]
    return "\n".join(lines)


TABLES = {"points": points_table, "time": time_table}


def render(text):
    """``text`` with every generated table replaced by its current version."""
    for name, make in TABLES.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(\n<!-- end: {name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"{GUIDE.name} has no <!-- generated: {name} --> ... <!-- end: {name} --> block")
        text = pattern.sub(lambda m: m.group(1) + make() + m.group(2), text)
    return text


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text = GUIDE.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(f"{GUIDE.relative_to(ROOT)} is out of date: run python tools/instructor_guide.py", file=sys.stderr)
            return 1
        print(f"{GUIDE.relative_to(ROOT)} is up to date")
        return 0
    if new != text:
        GUIDE.write_text(new, encoding="utf-8")
    print(f"wrote {GUIDE.relative_to(ROOT)}" if new != text else f"{GUIDE.relative_to(ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
