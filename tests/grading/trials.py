"""Runs a check as the grader does, in-process: every trial, one generator, values over the wire.

``outcome(check, function, seed)``: the hint that costs the check its points (None: the
points are earned) and the note of a passed check (an input changed in place). Like the
grader: all ``check.trials`` calls draw from one ``numpy.random.Generator`` (so a check's
cases come in turn), the function gets copies of the inputs with Refs resolved, the
value goes through the grader's wire codec (NumPy scalars arrive as 0-d arrays), and the
judge decides points with the inputs as they were, then notes with the inputs as after
the call. ``trial_inputs`` draws the inputs once, for many functions.
"""
import functools
import importlib.util
from pathlib import Path

import numpy as np

from coursekit.exercises import CHAPTERS
from coursekit.exercises.spec import Call, Ref
from coursekit.grade.wire import decode, encode

ROOT = Path(__file__).resolve().parents[2]


def reference(number):
    """The solution module of chapter ``number`` (solutions/chN_*.py)."""
    ch = CHAPTERS[number]
    spec = importlib.util.spec_from_file_location(f"solution_{ch.MODULE}", ROOT / "solutions" / f"{ch.MODULE}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def find(number, exercise, name):
    return next(c for c in CHAPTERS[number].CHECKS if c.exercise == exercise and c.name == name)


@functools.lru_cache(maxsize=4096)
def trial_inputs(check, seed):
    """The Args of every trial of ``check`` for grading-run ``seed`` (cases in turn; drawn once: a
    function never gets the originals, see ``outcome``)."""
    rng = np.random.default_rng(seed)
    return tuple(check.inputs(rng) for _ in range(check.trials))


def _copy(a):
    if isinstance(a, Ref):
        return a.resolve()
    if isinstance(a, np.ndarray):
        return np.copy(a)
    if type(a) is list:
        return [np.copy(x) if isinstance(x, np.ndarray) else x for x in a]
    return a


def _after(a):
    if isinstance(a, np.ndarray) or (type(a) is list and a and all(isinstance(x, np.ndarray) for x in a)):
        return a
    return None


def outcome(check, function, seed=None, inputs=None):
    """(hint that fails the check or None, note of a passed check or None)."""
    note = None
    for args in inputs if inputs is not None else trial_inputs(check, seed):
        copies = [_copy(a) for a in args.args]
        try:
            value = decode(encode(function(*copies, **args.kwargs)))
        except Exception as exc:                       # the grader's "raised X" / "returned an object"
            return f"raised {type(exc).__name__}: {exc}", None
        originals = [np.copy(a) if isinstance(a, np.ndarray) else None for a in args.args]
        try:
            hint = check.judge(Call(args.args, args.kwargs, value, originals))
        except Exception as exc:                       # the grader turns it into this hint, 0 points
            hint = f"the result could not be checked ({type(exc).__name__}: {exc})"
        if hint:
            return hint, None
        note = note or check.judge(Call(args.args, args.kwargs, value, [_after(a) for a in copies]))
    return None, note


def hints(check, function, seeds=range(20)):
    """The failing hint on each seed (None where the check passed)."""
    return [outcome(check, function, seed)[0] for seed in seeds]


def by_id(number, check_id):
    return next(c for c in CHAPTERS[number].CHECKS if c.id == check_id)


def table_rows(table):
    """pytest params of a mistake table: each row with the phrases of its exercise's other rows, which its
    hint must not contain (the nearby mistakes it must not claim)."""
    import pytest

    rows = []
    for check_id, mistake, says in table:
        exercise = check_id.split("/")[0]
        others = tuple({s for c, _, s in table if c.split("/")[0] == exercise and s != says
                        and s not in says and says not in s and not s.startswith("note:")})
        rows.append(pytest.param(check_id, mistake, says, others, id=f"{check_id}: {mistake.__name__}"))
    return rows


def assert_diagnosed(number, check_id, mistake, says, others, seeds=range(20)):
    """On every seed the mistake loses the check's points with a hint containing ``says``
    and none of ``others``; a ``says`` of "note: ..." is a note on a passed check instead."""
    check = by_id(number, check_id)
    for seed in seeds:
        hint, note = outcome(check, mistake, seed)
        if says.startswith("note: "):
            assert hint is None and note and says[6:] in note, (seed, hint, note)
            continue
        assert hint is not None, f"seed {seed}: {mistake.__name__} earned {check_id}"
        assert says in hint, (seed, hint)
        claimed = [o for o in others if o in hint]
        assert not claimed, (seed, claimed, hint)
