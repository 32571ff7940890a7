"""Every chapter's exercise checks, run through the grader's sandbox on --target.

Each test is one check of a chapter listed in coursekit.exercises.chapters (id
``chN.exercise/name``) and carries its points; a failure shows the check's hint
(what was expected, what came back, the likely mistake), never the learner's traceback.
"""
import contextlib

import pytest

from coursekit.exercises.chapters import CHAPTERS
from coursekit.grade import ChapterSession
from coursekit.grade.grader import find_modules


@pytest.fixture(scope="module")
def sessions(target_dir):
    """chapter number -> its ChapterSession, opened on first use (in any test order), closed at the end."""
    with contextlib.ExitStack() as stack:
        opened = {}

        def session(number):
            if number not in opened:
                source = find_modules(target_dir, [number]).get(number)
                opened[number] = stack.enter_context(ChapterSession(source, CHAPTERS[number]))
            return opened[number]

        yield session


@pytest.mark.parametrize("number, check", [
    pytest.param(number, c, marks=pytest.mark.points(c.points), id=f"ch{number}.{c.id}")
    for number, chapter in CHAPTERS.items() for c in chapter.CHECKS])
def test_check(sessions, number, check):
    result = sessions(number).run(check)
    if not result.passed:
        pytest.fail(f"ch{number}.{check.id} ({result.status}, 0/{check.points:g} points): {result.hint}",
                    pytrace=False)
