"""The README and docs/ say what the code does: counts, commands, links."""
import re
from pathlib import Path

from coursekit.exercises.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _functions(n):
    return list(dict.fromkeys(c.exercise for c in CHAPTERS[n].CHECKS))


def test_every_pytest_call_uses_the_venv_interpreter():
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    commands = [line.strip() for block in blocks for line in block.splitlines()]
    commands += re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", README, flags=re.S))
    calls = [c for c in commands if re.match(r"(\S*python\S* -m )?pytest\b", c)]
    assert len(calls) >= 5 and all(c.startswith(".venv/bin/python -m pytest") for c in calls), calls


def test_counts_are_functions_everywhere():
    """README, docs/grading.md and the exercises' files count the functions the grader scores."""
    grading = (ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
    for n, ch in CHAPTERS.items():
        count, points = len(_functions(n)), sum(c.points for c in ch.CHECKS)
        assert re.search(rf"^\| {n} \| {count} \| {points:g} \|$", grading, flags=re.M), (n, count, points)
        assert re.search(rf"^{n}\. \*\*.*?\*\*:.*?; {count} functions to write", README, flags=re.M), n
        for folder in ("solutions", "exercises"):
            assert f"The {count} functions below" in (ROOT / folder / f"{ch.MODULE}.py").read_text(encoding="utf-8")


def test_links_to_files_of_the_project_resolve():
    links = re.findall(r"\]\(([^)#:]+)\)", README)
    assert "docs/grading.md" in links and "docs/speed.md" in links and "LICENSE" in links
    missing = [link for link in links if not (ROOT / link).exists() and link != "docs/instructors.md"]
    assert not missing, missing
