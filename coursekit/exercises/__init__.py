"""Exercises: the checks of every chapter, the stub generator, and a notebook helper.

- ``CHAPTERS``: chapter number -> checks module (format: coursekit.exercises.spec).
- ``check("ch1.numerical_gradient")``: grade one exercise (or ``"ch1"``, a whole
  chapter) of your ``exercises/`` folder in place, through the same sandbox as the
  grader; shows a table of passed / failed checks with hints.
- ``yours_or_reference("ch1.gd_step", reference)``: your function for a notebook
  figure, falling back to the reference (with a one-line notice) while unfinished.
- ``python -m coursekit.exercises sync [--check]``: writes ``exercises/`` from
  ``solutions/`` (coursekit.exercises.sync).
"""
from coursekit.exercises import ch1, ch4
from coursekit.exercises.spec import Args, Call, Check, Ref, call

CHAPTERS = {module.NUMBER: module for module in (ch1, ch4)}

__all__ = ["CHAPTERS", "chapter", "check", "yours_or_reference", "Args", "Call", "Check", "Ref", "call"]


def chapter(number):
    """The checks module of chapter ``number`` (int, or "ch1" / "1")."""
    key = str(number).lower().removeprefix("ch")
    if not key.isdigit() or int(key) not in CHAPTERS:
        raise ValueError(f"chapter must be one of {sorted(CHAPTERS)}, got {number!r}")
    return CHAPTERS[int(key)]


def check(name, folder=None, timeout=10.0):
    """Run the checks of ``name`` ("ch1.numerical_gradient" or "ch1") on your exercises.

    ``folder``: where your chapter modules are (default: the nearest ``exercises/``
    folder at or above the working directory). Returns a report that displays as a
    table (HTML in a notebook); an unfinished exercise shows as "not implemented".
    """
    from coursekit.exercises.notebook import run_check

    return run_check(name, folder=folder, timeout=timeout)


def yours_or_reference(name, reference, folder=None):
    """Your function ``name`` ("ch1.gd_step") for a figure; ``reference`` while unfinished."""
    from coursekit.exercises.notebook import yours_or_reference as helper

    return helper(name, reference, folder=folder)
