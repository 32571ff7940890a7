"""Exercise checks as data: the format of every chapter's checks.

A chapter's checks live in the package ``coursekit/exercises/checks/chN/`` (inside
coursekit, so the grader works outside the repository: ``__init__.py``, and modules for the
rest of its checks and its ``Ref`` targets) and it is listed in
``coursekit.exercises.CHAPTERS``. Its ``__init__`` defines::

    NUMBER = 1                                   # chapter number (--chapter 1)
    TITLE = "Gradient descent"
    MODULE = "ch1_gradient_descent"              # solutions/ and exercises/ file name
    NOTEBOOK = "course/01_gradient_descent.ipynb"
    CHECKS = Checks()                            # Check objects, in the order the learner meets them
    ALLOWED_IMPORTS = ("numpy",)                 # optional: what the learner's module may import
                                                 # besides the standard library (default: NumPy only)

A :class:`Check` is one property of one exercise (a function of ``MODULE``)::

    Check(name="central", exercise="numerical_gradient", points=1,
          inputs=lambda rng: call(Ref("coursekit.exercises.checks.ch1.objectives.SumOfCubes"),
                                  rng.uniform(-2, 2, size=5), eps=1e-2),
          judge=judge_central, trials=1)

A chapter module declares each check above its judge, which appends it to ``CHECKS``
(source order is the order of the checks)::

    @CHECKS.add("central", "numerical_gradient", 1, _central_inputs, description="...")
    def _judge_central(c):
        ...

- ``inputs(rng)`` runs in the grader with a fresh ``numpy.random.Generator`` for
  every grading run (so expected values cannot be read from disk) and returns
  ``call(*args, **kwargs)``: plain data only (None, bool, int, float, str, NumPy
  numeric arrays, and lists / tuples / str-keyed dicts of these) plus :class:`Ref`
  for callables, as top-level arguments: ``Ref("coursekit.functions.Rosenbrock",
  method="value")`` is ``Rosenbrock().value`` (a class is instantiated with the Ref's
  arguments; a function is passed as is, or called with them when there are some).
  It is built and evaluated in the grader: the learner's function receives a plain
  stub that sends its arguments to the grader and returns the value, so nothing of
  the object (its ``.grad``, its parameters) reaches the learner's process. Its
  arguments come from the learner's code: a Ref target must validate their shapes
  (:func:`shaped`, coursekit._validate) and take time linear in their size.
- The learner's function (a module-level function of ``MODULE``) runs in a
  sandboxed child process (coursekit.grade); it must return plain data as above,
  anything else fails the check with a hint.
- ``judge(c)`` runs in the grader with a :class:`Call` ``c``: ``c.args``,
  ``c.kwargs`` (as generated, Refs included), ``c.value`` (what the function
  returned, already plain data) and ``c.after`` (each positional array argument,
  or list of arrays, as it was after the call, None for the others: detects in-place
  changes; a passed call with a changed one earns :func:`unchanged`'s note in every exercise). Only
  the learner's process can see ``c.after``, so it never decides points: the grader
  judges each call twice, once with ``after`` equal to the inputs (this decides the
  points), then with the reported ``after`` (a hint from :func:`unchanged` is shown,
  worth nothing). It
  computes the expected result itself (a closed form, or a coursekit reference),
  and returns None when the result is right, otherwise a hint: what was
  expected, what came back, and the likely mistake. :func:`close`,
  :func:`unchanged`, :func:`array_like`, :func:`pair`, :func:`number` and
  :func:`fmt` write such hints.
- ``trials`` calls the function that many times with fresh inputs; the check
  passes when every call does. ``timeout`` overrides the grader's per-call limit.
  ``inputs`` may also be a tuple of input functions (*cases*): the calls of one grading
  run (one generator) take them in turn from the first, so ``trials >= len(cases)`` meets
  every case. An edge case (max_steps = 0, a point inside the ball, a certain swap) is mixed
  with a main case that way, so a constant or echoed answer cannot earn its points.
- One rule for types: the judge sees NumPy scalars (np.int64, np.float64, np.bool_)
  and 0-d arrays as the Python int, float or bool they hold (:func:`plain`), at any
  depth of a returned tuple or list; a dtype the statement asks for is checked and hinted.
- ``points``: what the check is worth; an exercise's points are the sum of its checks.

Adding an exercise: write it in ``solutions/chN_*.py`` with its body between
``# BEGIN SOLUTION`` and ``# END SOLUTION``; run ``python -m coursekit.exercises
sync`` (writes the stub to ``exercises/``); add its checks to ``CHECKS``; then
``pytest tests/exercises --target solutions`` must pass and ``--target exercises``
must fail every new check with a "not implemented" hint. A new chapter also
needs an entry in ``coursekit.exercises.chapters`` (tests/exercises/test_checks.py
runs every chapter listed there).
"""
from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["Args", "Call", "Check", "Checks", "Ref", "call", "close", "unchanged", "array_like", "pair",
           "number", "fmt", "plain", "unchanged_list", "shaped"]


@dataclass(frozen=True)
class Args:
    """Positional and keyword arguments of one call of an exercise."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


def call(*args, **kwargs) -> Args:
    """The arguments of one call: ``call(f, x, eps=1e-2)``."""
    return Args(tuple(args), dict(kwargs))


@dataclass(frozen=True)
class Call:
    """One finished call, as a judge sees it (``value`` and ``after`` are plain data)."""

    args: tuple
    kwargs: dict
    value: Any
    after: list


class Ref:
    """A coursekit (or NumPy) callable named by its dotted path, evaluated by the grader.

    A class is instantiated with the given arguments (plain data), a function is
    called only when arguments are given (a factory), then ``method`` is taken:
    ``Ref("coursekit.functions.Rosenbrock", method="value")`` is
    ``coursekit.functions.Rosenbrock().value``; ``Ref("numpy.sum")`` is ``numpy.sum``;
    ``Ref("coursekit.optim.schedules.constant", 0.1)`` is ``coursekit.optim.schedules.constant(0.1)``.
    Judges read ``.args`` / ``.kwargs`` to compute expected values.
    """

    def __init__(self, path, *args, method=None, **kwargs):
        if not isinstance(path, str) or not path.startswith(("coursekit.", "numpy.")):
            raise ValueError(f"path must name a coursekit.* or numpy.* object, got {path!r}")
        self.path, self.args, self.kwargs, self.method = path, args, kwargs, method

    def __repr__(self):
        inner = [repr(self.path)] + [_short(a) for a in self.args]
        inner += [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        if self.method:
            inner.append(f"method={self.method!r}")
        return f"Ref({', '.join(inner)})"

    def resolve(self):
        """The object this names (built in the grader's process)."""
        import importlib

        module_name, _, attr = self.path.rpartition(".")
        obj = getattr(importlib.import_module(module_name), attr)
        if isinstance(obj, type) or self.args or self.kwargs:
            obj = obj(*self.args, **self.kwargs)
        return getattr(obj, self.method) if self.method else obj


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Check:
    """One checked property of one exercise (see the module docstring)."""

    name: str
    exercise: str
    points: float
    inputs: Callable[[np.random.Generator], Args]
    judge: Callable[[Call], "str | None"]
    trials: int = 1
    timeout: "float | None" = None
    description: str = ""

    def __post_init__(self):
        if isinstance(self.inputs, (tuple, list)):
            object.__setattr__(self, "inputs", _Cases(tuple(self.inputs)))
            if self.trials < len(self.inputs.cases):
                raise ValueError(f"trials must be >= the number of cases (check {self.name!r})")
        if not getattr(self.judge, "_plain", False):
            object.__setattr__(self, "judge", _on_plain(self.judge))
        if not self.name or not self.exercise.isidentifier():
            raise ValueError(f"name and exercise must be set, got {self.name!r}, {self.exercise!r}")
        if not self.points > 0 or self.trials < 1:
            raise ValueError(f"points must be > 0 and trials >= 1 (check {self.name!r})")

    @property
    def id(self) -> str:
        """``exercise/name``, unique within a chapter."""
        return f"{self.exercise}/{self.name}"


class _Cases:
    """Input functions taken in turn: the k-th call with one generator uses ``cases[k % len(cases)]``.

    Each grading session draws from its own generator, so its calls start at case 0 and
    meet every case within ``len(cases)`` trials (concurrent sessions keep their own turns)."""

    def __init__(self, cases):
        if not cases or not all(callable(f) for f in cases):
            raise ValueError("inputs: a tuple of cases must hold input functions")
        self.cases, self._turns, self._lock = cases, {}, threading.Lock()

    def __call__(self, rng):
        with self._lock:
            held, k = self._turns.pop(id(rng), (None, 0))
            k = k if held is rng else 0
            self._turns[id(rng)] = (rng, k + 1)
            while len(self._turns) > 256:                      # the oldest sessions' turns
                self._turns.pop(next(iter(self._turns)))
        return self.cases[k % len(self.cases)](rng)


def plain(value):
    """NumPy scalars and 0-d arrays as Python bool / int / float / complex, inside tuples and lists too."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "biufc":
        value = value[()]
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return value.item()
    if type(value) in (tuple, list):
        return type(value)(plain(v) for v in value)
    return value


def _on_plain(judge):
    """``judge`` fed with :func:`plain` values (the one rule for returned types); when it passes the
    call, any positional array (or list of arrays) changed in place earns the note of :func:`unchanged`
    (the same note in every exercise; it never costs points: see ``Call.after``)."""
    def plain_judge(c):
        hint = judge(dataclasses.replace(c, value=plain(c.value)))
        for i, (before, after) in enumerate(zip(c.args, c.after or ())):
            if hint:
                break
            if isinstance(before, np.ndarray):
                hint = unchanged(before, after, f"argument {i + 1}")
            elif isinstance(before, list) and before and all(isinstance(b, np.ndarray) for b in before):
                hint = unchanged_list(before, after, f"argument {i + 1}")
        return hint
    plain_judge._plain = True
    plain_judge.__wrapped__ = judge
    return plain_judge


class Checks(list):
    """A chapter's ``CHECKS``: a list of :class:`Check` filled by :meth:`add` in source order."""

    def add(self, name, exercise, points, inputs, *, trials=1, timeout=None, description=""):
        """Decorator: append the check whose judge is the decorated function (returned unchanged)."""
        def register(judge):
            self.append(Check(name, exercise, points, inputs, judge, trials, timeout, description))
            return judge
        return register


# ------------------------------------------------------------- judge helpers --
def fmt(value, precision=4) -> str:
    """A short, readable rendering of a value for hints."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and value.size:
            body = np.array2string(value, precision=precision, threshold=8, edgeitems=3, separator=", ")
        else:
            body = np.array2string(value, threshold=8, edgeitems=3, separator=", ")
        body = " ".join(body.split())  # one line, also for matrices
        return f"{body} (shape {value.shape}, {value.dtype})" if value.ndim else body
    if isinstance(value, float):
        return f"{value:.{precision + 2}g}"
    if isinstance(value, Ref):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def array_like(got, expected, what="the result") -> "str | None":
    """None if ``got`` is a numeric array shaped like ``expected``, else a hint."""
    expected = np.asarray(expected)
    if isinstance(got, (int, float)) and not isinstance(got, bool) and expected.ndim == 0:
        return None
    if not isinstance(got, np.ndarray):
        return f"{what} should be a NumPy array of shape {expected.shape}, got {type(got).__name__} {fmt(got)}"
    if got.shape != expected.shape:
        return f"{what} has shape {got.shape}, expected {expected.shape}"
    if got.dtype.kind not in "biufc":
        return f"{what} has dtype {got.dtype}, expected a numeric array"
    if got.dtype.kind == "f" and got.dtype.itemsize < 8:
        return (f"{what} has dtype {got.dtype}: the exercises work in float64 (the rule of every exercise); "
                "do not cast to a smaller float")
    return None


def pair(got, names, what) -> "str | None":
    """None if ``got`` is a pair (a tuple or list of two), else a hint naming its parts, e.g. "(mean, scale)"."""
    if isinstance(got, (tuple, list)) and len(got) == 2:
        return None
    return f"{what} should return a pair {names}, got {fmt(got)}"


def number(got, what) -> "str | None":
    """None if ``got`` is one number (a Python or NumPy scalar, a 0-d array), else a hint. An array
    of shape (1,) is not: old NumPy converts it with a warning, NumPy 2 refuses, and the verdict
    must not depend on the version."""
    if getattr(got, "ndim", 0) or isinstance(got, (str, bytes)):      # float("2") works too: not a number
        return f"{what} should be a number, got {fmt(got)}"
    try:
        float(got)
    except (TypeError, ValueError):
        return f"{what} should be a number, got {fmt(got)}"
    return None


def close(got, expected, rtol=1e-6, atol=0.0, what="the result", mistakes=None) -> "str | None":
    """None if ``got`` matches ``expected`` (``|got - expected| <= atol + rtol |expected|``).

    Otherwise "expected ..., got ..." plus the first matching entry of ``mistakes``,
    a dict {hint: value a typical mistake would give}.
    """
    problem = array_like(got, expected, what)
    if problem:
        return problem
    got, expected = np.asarray(got), np.asarray(expected)
    if not np.all(np.isfinite(got)):
        return f"{what} contains NaN or inf: {fmt(got)}"
    if np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected)):
        return None
    error = float(np.max(np.abs(got - expected)))
    differing = _differing(got, expected, rtol, atol)
    hint = f"{what}: expected {fmt(expected)}, got {fmt(got)} (largest difference {error:.3g}{differing})"
    for advice, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong)
        if wrong.shape == got.shape and np.all(np.abs(got - wrong) <= atol + rtol * np.abs(wrong)):
            return f"{hint}; {advice}"
    return hint


def _differing(got, expected, rtol, atol, show=3):
    """"; 2 of 40 entries differ: [3] expected 0.5, got 0.4, ..." when the arrays are too long to show whole."""
    if got.ndim == 0 or got.size <= 8:
        return ""
    wrong = np.argwhere(~(np.abs(got - expected) <= atol + rtol * np.abs(expected)))
    entries = [f"[{', '.join(str(int(i)) for i in index)}] expected {fmt(expected[tuple(index)][()])}, "
               f"got {fmt(got[tuple(index)][()])}" for index in wrong[:show]]
    more = ", ..." if len(wrong) > show else ""
    return f"; {len(wrong)} of {got.size} entries differ: {'; '.join(entries)}{more}"


def unchanged_list(before, after, name="grads") -> "str | None":
    """:func:`unchanged` for a list of arrays (``after`` None or a list of the same length)."""
    if not isinstance(after, (list, tuple)):
        return None
    for i, (b, a) in enumerate(zip(before, after)):
        problem = unchanged(b, a, f"{name}[{i}]")
        if problem:
            return problem
    return None


def unchanged(before, after, name="x") -> "str | None":
    """None if the argument ``name`` is bit-for-bit what it was before the call."""
    if after is None or (isinstance(after, np.ndarray) and after.shape == np.shape(before)
                         and np.array_equal(after, before, equal_nan=True)):
        return None
    same_shape = np.shape(after) == np.shape(before)
    change = float(np.max(np.abs(np.asarray(after, dtype=float) - before))) if same_shape else None
    size = f" (largest change {change:.3g})" if change is not None else ""
    return (f"{name} was modified by the call{size}: leave the input unchanged and work on a copy"
            " (even x[i] += eps followed by x[i] -= eps can leave rounding errors)")


def shaped(x, shape):
    """``x`` as a float array of ``shape``, else ValueError: a Ref target's guard on arguments from the learner."""
    x = np.asarray(x, dtype=float)
    if x.shape != shape:
        raise ValueError(f"x must have shape {shape}, got {x.shape}")
    return x
