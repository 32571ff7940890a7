"""Bounds on what a callback of one call may be given (evaluated in the grader, see coursekit.grade.parent).

A check's callables (``Ref``: an objective, its gradient) run in the grader's process
on arguments the submission chose. :class:`Bound` keeps their cost to what the check's
own inputs cost.
"""
import math

import numpy as np

from coursekit.grade.wire import MAX_DEPTH

SMALL_ARRAY = 1024               # a callback argument this small is always accepted


class Bound:
    """What a callback of one call may be given: the arrays of the call's own inputs bound it.

    An array argument of a callback must be of a real dtype of at least 32 bits (bool and
    integers too: no float16, whose arithmetic NumPy emulates slowly, no complex), and either
    small (at most SMALL_ARRAY entries) or no larger, axis by axis, than an array of the call
    with as many axes; all of them together hold at most 4 times the call's entries. So a Ref
    target, which takes time linear in its arguments or a product of two of them (a matrix
    times a batch), costs the grader no more than on the check's own inputs, whatever the
    submission sends (a "batch of w" of 10^6 rows, in float16, is refused)."""

    def __init__(self, inputs):
        self.shapes = {a.shape for a in _arrays(inputs)}
        self.total = 4 * sum(math.prod(s) for s in self.shapes) + 4 * SMALL_ARRAY

    def check(self, arguments):
        total = 0
        for a in _arrays(arguments):
            if a.dtype.kind not in "biuf" or (a.dtype.kind == "f" and a.dtype.itemsize < 4):
                raise TypeError(f"this function takes arrays of float64 (or float32, integers, booleans); it was "
                                f"given an array of {a.dtype}")
            if a.size > SMALL_ARRAY and not any(len(s) == a.ndim and all(n <= m for n, m in zip(a.shape, s))
                                                for s in self.shapes):
                shapes = ", ".join(str(s) for s in sorted(self.shapes, key=len)) or "none"
                raise ValueError(f"this function was given an array of shape {a.shape}: larger than the arrays "
                                 f"it is meant for (the call's inputs: {shapes})")
            total += a.size
        if total > self.total:
            raise ValueError(f"this function was given arrays of {total} entries in all; the limit for this "
                             f"check is {self.total}")


def _arrays(value, depth=0):
    """The NumPy arrays in plain data (lists, tuples, dict values), depth first."""
    if isinstance(value, np.ndarray):
        yield value
    elif depth < MAX_DEPTH and isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays(v, depth + 1)
    elif depth < MAX_DEPTH and isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v, depth + 1)
