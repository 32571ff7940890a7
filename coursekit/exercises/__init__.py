"""Exercises: the checks of every chapter, their format, the stub sync, the notebook helper and the pytest option.

- ``CHAPTERS``: chapter number -> its checks, the package ``coursekit.exercises.checks.chN``
  (coursekit.exercises.chapters; format: coursekit.exercises.spec).
- checking in place is the grader's: ``coursekit.grade.check("ch1.numerical_gradient")``
  (one exercise, or ``"ch1"`` a whole chapter, through the same sandbox as the grader;
  a table of passed / failed checks with hints).
- ``yours_or_reference("ch1.gd_step", reference)``: your function for a notebook
  figure under the checks' rules (time limit, form, unchanged inputs), falling back to
  the reference with one notice (coursekit.exercises.reuse).
- ``python -m coursekit.exercises sync [--check]``: writes ``exercises/`` from
  ``solutions/`` (coursekit.exercises.sync).
- ``pytest --target exercises|solutions``: the option of tests/exercises (coursekit.exercises.pytest_plugin).
"""
from coursekit.exercises.chapters import CHAPTERS, chapter
from coursekit.exercises.notebook import solution_source, yours_or_reference
from coursekit.exercises.spec import Args, Call, Check, Ref, call

__all__ = ["CHAPTERS", "chapter", "yours_or_reference", "solution_source", "Args", "Call", "Check", "Ref", "call"]
