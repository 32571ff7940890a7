"""Chapter 4's exercise checks, run through the grader's sandbox on --target.

Each test is one check of coursekit.exercises.ch4 and carries its points; a
failure shows the check's hint (what was expected, what came back, the likely
mistake), never the learner's traceback.
"""
import pytest

from coursekit.exercises import ch4
from coursekit.grade import ChapterSession
from coursekit.grade.grader import find_modules


@pytest.fixture(scope="module")
def session(target_dir):
    source = find_modules(target_dir, [ch4.NUMBER]).get(ch4.NUMBER)
    with ChapterSession(source, ch4) as chapter_session:
        yield chapter_session


@pytest.mark.parametrize("check", [pytest.param(c, marks=pytest.mark.points(c.points), id=c.id) for c in ch4.CHECKS])
def test_check(session, check):
    result = session.run(check)
    if not result.passed:
        pytest.fail(f"{check.id} ({result.status}, 0/{check.points:g} points): {result.hint}", pytrace=False)
