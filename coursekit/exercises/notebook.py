"""Notebook helpers that need no grader: where ``exercises/`` is, your function or the reference
for a figure (``yours_or_reference``), a worked solution's source. Checking in place is
``coursekit.grade.check`` (the grader sits above the exercises, never below)."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from coursekit.exercises.chapters import chapter


def _notebook_path():
    """The running notebook's file when the front end says (JupyterLab / VS Code), else None."""
    for name in ("JPY_SESSION_NAME", "COURSEKIT_NOTEBOOK"):
        value = os.environ.get(name)
        if value and value.endswith(".ipynb"):
            return Path(value)
    try:
        from IPython import get_ipython
        shell = get_ipython()
        value = shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None
    except ImportError:
        value = None
    return Path(value) if value else None


def _exercises_in(folder):
    candidate = folder / "exercises"
    if candidate.is_dir() and not (candidate / "__init__.py").exists() and any(candidate.glob("ch*_*.py")):
        return candidate
    return None


def find_exercises(start=None):
    """The project's ``exercises/`` folder of chapter modules.

    Looked for at and above ``start`` when given; otherwise at and above the running
    notebook's folder (when the front end tells it), then the project that holds the
    installed ``coursekit`` (``pip install -e .``), and last the working directory: so
    ``check(...)`` works wherever the kernel was started.
    """
    if start is not None:
        places = [(Path(start), True)]
    else:
        notebook = _notebook_path()
        installed = Path(__file__).resolve().parents[2]          # the project root of an editable install
        places = ([(notebook.parent, True)] if notebook else []) + [(installed, False), (Path.cwd(), True)]
    for place, walk_up in places:
        here = place.resolve()
        for folder in [here, *here.parents] if walk_up else [here]:
            found = _exercises_in(folder)
            if found:
                return found
    places = [p for p, _ in places]
    raise FileNotFoundError(f"no exercises/ folder at or above {', '.join(str(p) for p in places)}; pass folder=")


def load_yours(chapter_key, folder=None):
    """Your chapter module (e.g. ``exercises/ch1_gradient_descent.py``), freshly read from disk."""
    ch = chapter(chapter_key)
    path = Path(folder or find_exercises()) / f"{ch.MODULE}.py"
    spec = importlib.util.spec_from_file_location(f"yours_{ch.MODULE}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def yours_or_reference(name, reference, folder=None, timeout=10.0):
    """Your function ``name`` ("ch1.gd_step"), re-read from your exercises file, for a figure.

    It answers under the checks' rules (``timeout`` seconds per call, the reference's
    form, inputs left unchanged); at the first broken rule (or while it is not
    implemented) one line says why and the reference answers every later call, so the
    figure is always drawn. ``.used`` says whose code answered since it was last read:
    "yours", "reference" or "yours, then the reference" (coursekit.exercises.reuse).
    """
    from coursekit.exercises.reuse import YoursOrReference

    chapter_key, _, function = str(name).partition(".")
    try:
        mine, load_error = getattr(load_yours(chapter_key, folder), function), None
    except Exception as exc:               # a syntax error or a missing function in the learner's file
        mine, load_error = None, exc
    return YoursOrReference(function, mine, load_error, reference, timeout)


def solution_source(name, folder=None):
    """The worked solution of exercise ``name`` ("ch1.numerical_gradient") as source text.

    Read from ``solutions/`` next to the project's ``exercises/`` (or from ``folder``), else
    from ``worked_examples/`` (the student edition's, coursekit.release); a short notice when
    neither is there.
    """
    import ast

    chapter_key, _, function = str(name).partition(".")
    ch = chapter(chapter_key)
    if folder is None:
        project = find_exercises().parent
        found = [project / d for d in ("solutions", "worked_examples") if (project / d / f"{ch.MODULE}.py").is_file()]
        folder = found[0] if found else project / "solutions"
    path = Path(folder) / f"{ch.MODULE}.py"
    if not path.is_file():
        return f"# {path} is not here: the worked example is in the course repository's solutions/ folder"
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return ast.get_source_segment(text, node)
    raise ValueError(f"name: no function {function!r} in {path}")
