"""Notebook helpers: ``check("ch1.numerical_gradient")`` and ``yours_or_reference``."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from coursekit.exercises import chapter


class CheckReport:
    """Results of some checks: ``.score``, ``.max_score``, ``.results`` (CheckResult list).

    Shows as an HTML table in a notebook and as a text table otherwise.
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
        from coursekit.grade.report import chapter_html

        return chapter_html(self.chapters, self.title)

    def __repr__(self):
        lines = [f"{self.title}: {self.score:g}/{self.max_score:g} points"]
        lines += [f"  {'ok ' if c.passed else 'FAIL'} {c.id:<32} {c.points:g}/{c.max_points:g}  {c.status}"
                  + (f": {c.hint}" if c.hint else "") for c in self.results]
        return "\n".join(lines)


def find_exercises(start=None):
    """The nearest ``exercises/`` folder of chapter modules at or above ``start`` (default: the working directory)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "exercises"
        if candidate.is_dir() and not (candidate / "__init__.py").exists() and any(candidate.glob("ch*_*.py")):
            return candidate
    raise FileNotFoundError(f"no exercises/ folder at or above {here}; pass folder=")


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
    return call
