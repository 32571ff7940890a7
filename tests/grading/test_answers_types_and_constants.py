"""Right answers in any of the accepted types earn every check; constant or echoed answers earn none.

Issue 22: NumPy integers, bools and float scalars are accepted where Python ones are asked
(they reach the judge as 0-d arrays over the wire). Issue 19: an edge-case check (max_steps = 0,
a point inside the ball, lr accepted at once, a certain swap, ...) mixes its edge case with a
main case, so an answer that computes nothing earns 0 on every seed. 20 grading runs each.
"""
import numpy as np
import pytest

from coursekit.exercises import CHAPTERS
from trials import outcome, reference, trial_inputs

CHECKS = [(n, c) for n, ch in CHAPTERS.items() for c in ch.CHECKS]
SEEDS = range(20)


def numpy_typed(value):
    """The same answer with NumPy scalars where Python ones were returned (np.int64, np.bool_, np.float64)."""
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    if type(value) in (list, tuple):
        return type(value)(numpy_typed(v) for v in value)
    return value


@pytest.mark.parametrize("number, check", CHECKS, ids=lambda v: v.id if hasattr(v, "id") else f"ch{v}")
def test_the_reference_in_python_and_in_numpy_types_earns_every_check(number, check):
    solution = getattr(reference(number), check.exercise)
    typed = lambda *args, **kwargs: numpy_typed(solution(*args, **kwargs))
    for seed in SEEDS:
        inputs = trial_inputs(check, seed)
        assert outcome(check, solution, inputs=inputs) == (None, None), seed
        assert outcome(check, typed, inputs=inputs)[0] is None, seed


def constant_answers(args):
    """Answers that compute nothing: constants, and each argument (or x0-like rows of it) echoed back."""
    answers = [None, 0, 1, 0.0, 1.0, True, False, [0], [], [0, 1], (0.0, 0.0)]
    for a in list(args.args) + list(args.kwargs.values()):
        if isinstance(a, np.ndarray):
            answers += [a, a[None, :] if a.ndim == 1 else a, np.zeros_like(a, dtype=float)]
        elif isinstance(a, (int, float, list)) and not isinstance(a, bool):
            answers.append(a)
    return answers


@pytest.mark.parametrize("number, check", CHECKS, ids=lambda v: v.id if hasattr(v, "id") else f"ch{v}")
def test_constant_or_echoed_answers_earn_nothing(number, check):
    for seed in SEEDS:
        inputs = trial_inputs(check, seed)
        for k in range(len(constant_answers(inputs[0]))):
            def constant(*args, **kwargs):
                return constant_answers(inputs[0])[k]
            # the same answer on every trial: what the first trial's arguments were
            hint, _ = outcome(check, constant, inputs=inputs)
            assert hint is not None, (seed, k, constant_answers(inputs[0])[k])
