"""docs/instructors.md: its generated tables (points per exercise, learner time) match the grader's
checks and the notebooks (`python tools/instructor_guide.py` rewrites them), and the commands it
tells instructors to run exist."""
import importlib.util
import re
from pathlib import Path

from coursekit.exercises.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructors.md"


def _tool():
    spec = importlib.util.spec_from_file_location("instructor_guide", ROOT / "tools" / "instructor_guide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_tables_are_up_to_date():
    text = GUIDE.read_text(encoding="utf-8")
    assert _tool().render(text) == text, "docs/instructors.md is out of date: run python tools/instructor_guide.py"


def test_a_stale_table_is_rewritten_from_the_checks():
    text = GUIDE.read_text(encoding="utf-8")
    total = sum(c.points for ch in CHAPTERS.values() for c in ch.CHECKS)
    stale = text.replace(f"| **course** | | **{sum(len(ch.CHECKS) for ch in CHAPTERS.values())}** | **{total:g}** |",
                         "| **course** | | **1** | **1** |")
    assert stale != text and _tool().render(stale) == text


def test_the_points_table_adds_up_to_each_chapter():
    text = GUIDE.read_text(encoding="utf-8")
    for n, ch in CHAPTERS.items():
        rows = re.findall(rf"^\| {n} · [^|]+\| `(\w+)`[^|]*\| (\d+) \| ([\d.]+) \|$", text, re.M)
        assert {r[0] for r in rows} == {c.exercise for c in ch.CHECKS}
        assert sum(float(r[2]) for r in rows) == sum(c.points for c in ch.CHECKS)
        assert sum(int(r[1]) for r in rows) == len(ch.CHECKS)


def test_the_commands_of_the_guide_exist():
    text = GUIDE.read_text(encoding="utf-8")
    makefiles = "\n".join((ROOT / p).read_text(encoding="utf-8") for p in ("Makefile", "tools/kit/student_Makefile"))
    for target in set(re.findall(r"\bmake ([a-z-]+)", text)):
        assert re.search(rf"^{target}:", makefiles, re.M), target
    for module in set(re.findall(r"python -m (coursekit\.\w+)", text)):
        assert importlib.util.find_spec(module) is not None, module
    for path in ["tools/instructor_guide.py", "benchmarks/class_grading.py", "tests/grading/test_autograder.py",
                 "tests/test_release.py", "tests/grading/hostile_submissions.py"]:
        assert (ROOT / path).is_file() and path in text, path
