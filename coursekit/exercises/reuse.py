"""Your function or the reference, for a notebook figure: the checks' rules, in the notebook.

``yours_or_reference("ch2.adam_step", reference)`` answers with your function while it
works, under the rules the checks apply: the same time limit per call (10 s; does a loop
end?), an answer of the reference's form (arrays where it returns arrays, a pair where it
returns a pair), and inputs it may not change (it gets copies; a change is noted once).
At the first call that breaks a rule it prints ONE line saying why, and from then on the
reference answers every call, so a figure is always drawn and never from a broken state.
``.used`` says whose code answered the calls since it was last read: "yours",
"reference" or "yours, then the reference" (a run your function started and the
reference finished); ``.whose()`` the same for a label ("your", "reference", ...).
"""
from __future__ import annotations

import copy
import signal
import threading
from contextlib import contextmanager

import numpy as np

__all__ = ["YoursOrReference"]

_LABELS = {("yours",): "yours", ("reference",): "reference", ("yours", "reference"): "yours, then the reference"}
_WHOSE = {"yours": "your", "reference": "reference", "yours, then the reference": "your, then the reference"}


class _TimeUp(BaseException):
    """Raised into your function at the time limit (a BaseException: ``except Exception`` cannot swallow it)."""


@contextmanager
def _time_limit(seconds):
    """Interrupt the block after ``seconds`` (main thread on Unix; elsewhere, or inside another limit, no limit)."""
    usable = (seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return

    def ring(signum, frame):
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _copies(value):
    """Arrays, and lists / tuples / dicts of them, copied; anything else as is (functions, objects)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) in (list, tuple):
        return type(value)(_copies(v) for v in value)
    if type(value) is dict:
        return {k: _copies(v) for k, v in value.items()}
    return value


def _changed(before, after):
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and after.shape == before.shape
                    and np.array_equal(after, before, equal_nan=True))
    if type(before) in (list, tuple):
        return len(after) != len(before) or any(_changed(b, a) for b, a in zip(before, after))
    if type(before) is dict:
        return set(after) != set(before) or any(_changed(before[k], after[k]) for k in before)
    return False


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if type(value) in (list, tuple):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def _number(value):
    return isinstance(value, (int, float, np.number, np.bool_)) or (
        isinstance(value, np.ndarray) and value.ndim == 0)


def _form_problem(mine, ref):
    """None if ``mine`` has the reference's form (what a figure reads from it), else a description."""
    if ref is None or mine is None:
        return None                                  # "no best" (None) and a value are both answers
    if isinstance(ref, np.ndarray) and ref.ndim:
        ok = isinstance(mine, np.ndarray) and mine.dtype.kind in "biuf" and mine.ndim == ref.ndim
        return None if ok else f"{_describe(mine)} where the reference returns {_describe(ref)}"
    if _number(ref):
        return None if _number(mine) else f"{_describe(mine)} where the reference returns a number"
    if type(ref) in (list, tuple):
        if type(mine) not in (list, tuple) or (type(ref) is tuple and len(mine) != len(ref)):
            return f"{_describe(mine)} where the reference returns {_describe(ref)}"
        for m, r in zip(mine, ref):
            problem = _form_problem(m, r)
            if problem:
                return problem
    return None


class YoursOrReference:
    """The callable ``yours_or_reference`` returns (see the module docstring)."""

    def __init__(self, function, mine, load_error, reference, timeout=10.0):
        self.function, self._mine, self._load_error = function, mine, load_error
        self._reference, self.timeout = reference, timeout
        self._failed, self._noted, self._form = False, False, None
        self._run, self._label = [], None

    def __call__(self, *args, **kwargs):
        if not self._failed:
            answer = self._try_yours(args, kwargs)
            if answer is not None:
                self._record("yours")
                return answer[0]
        self._record("reference")
        return self._reference(*args, **kwargs)

    def _try_yours(self, args, kwargs):
        """(your result,) or None after printing why the reference takes over."""
        mine_args, mine_kwargs = _copies(args), _copies(kwargs)
        try:
            if self._mine is None:
                raise self._load_error
            with _time_limit(self.timeout):
                result = self._mine(*mine_args, **mine_kwargs)
        except _TimeUp:
            return self._give_up(f"gave no answer within {self.timeout:g} s (does every loop in it end?)")
        except NotImplementedError:
            return self._give_up("is not implemented yet")
        except Exception as exc:             # noqa: BLE001 -- any error of yours: the reference draws instead
            return self._give_up(f"raised {type(exc).__name__}: {exc}")
        if self._form is None:               # the reference's form, once, on these very inputs
            self._form = (self._reference(*_copies(args), **_copies(kwargs)),)
        problem = _form_problem(result, self._form[0])
        if problem:
            return self._give_up(f"returned {problem}")
        if not self._noted and (_changed(args, mine_args) or _changed(kwargs, mine_kwargs)):
            self._noted = True
            print(f"note: {self.function} changed an input array in place (the checks note it too); "
                  "the notebook gave it copies, so its own arrays are as they were.")
        return (result,)

    def _give_up(self, why):
        self._failed = True
        print(f"{self.function} {why}: the reference implementation answers from here on"
              f"{' (the earlier calls were yours)' if 'yours' in self._run else ''}.")
        return None

    def _record(self, who):
        if self._label is not None and not self._run:         # the first call after .used was read
            self._label = None
        if who not in self._run:
            self._run.append(who)

    @property
    def used(self):
        """Whose code answered the calls since the last read: "yours", "reference" or "yours, then the reference"."""
        if self._run:
            self._label, self._run = _LABELS[tuple(self._run)], []
        return self._label

    def whose(self):
        """``used`` as a label's adjective: "your", "reference" or "your, then the reference"."""
        return _WHOSE.get(self.used)
