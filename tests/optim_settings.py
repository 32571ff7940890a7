"""Test settings of every optimizer in ``optim.OPTIMIZERS``, read from the class (no table by name).

Each ``Hyperparameter`` takes its default and one other value inside its bounds (0 -> 0.1, a
decay d in [0, 1) -> 0.8 d, a tiny eps -> 1e-3, else 5x); each ``Flag`` False and True. So a new
optimizer is tested by adding it to ``OPTIMIZERS``.
"""
import inspect
import itertools

import numpy as np

from coursekit import optim

NAMES = sorted(optim.OPTIMIZERS)


def settings(name) -> dict:
    """{hyperparameter: descriptor} in the constructor's order."""
    cls = optim.OPTIMIZERS[name]
    params = inspect.signature(cls).parameters
    return {k: inspect.getattr_static(cls, k) for k in params
            if isinstance(inspect.getattr_static(cls, k, None), (optim.Hyperparameter, optim.Flag))}


def default(name, key):
    return inspect.signature(optim.OPTIMIZERS[name]).parameters[key].default


def _other(h, value):
    if isinstance(value, tuple):
        return tuple(_other(h, v) for v in value)
    if value == 0:
        return 0.1
    if h.high is not None:
        return 0.8 * value
    return 1e-3 if value < 1e-4 else 5 * value


def other(name, key):
    """A value of ``key`` that is not its default (True for a flag)."""
    h = settings(name)[key]
    return True if isinstance(h, optim.Flag) else _other(h, default(name, key))


def lr(name):
    return other(name, "lr")


def _valid(name, kw) -> bool:
    try:
        optim.OPTIMIZERS[name](np.zeros(2), **kw)
    except ValueError:
        return False
    return True


def option_sets(name):
    """Every combination of default/other for each setting but ``lr`` (fixed at :func:`lr`)
    that the optimizer accepts (Nesterov without momentum is refused, as by torch)."""
    keys = [k for k in settings(name) if k != "lr"]
    for values in itertools.product(*([default(name, k), other(name, k)] for k in keys)):
        kw = dict(zip(keys, values), lr=lr(name))
        if _valid(name, kw):
            yield kw


def all_on(name) -> dict:
    """The accepted option set with the most settings off their defaults: the hardest state."""
    return max(option_sets(name), key=lambda kw: sum(kw[k] != default(name, k) for k in kw if k != "lr"))


def batched(name, R=3) -> dict:
    """R configurations, one per row: each numeric setting takes R different accepted values
    (:func:`all_on`'s, the other value of it, their mean), flags as in :func:`all_on`."""
    base = all_on(name)
    rows = {}
    for k, h in settings(name).items():
        if isinstance(h, optim.Flag):
            rows[k] = base[k]
            continue
        cand = [base[k], _other(h, base[k])]
        cand.append(tuple((x + y) / 2 for x, y in zip(*cand)) if isinstance(base[k], tuple) else sum(cand) / 2)
        per_row = [dict(base, **{k: v}) for v in cand]
        if all(_valid(name, kw) for kw in per_row) and len({repr(v) for v in cand}) == R:
            rows[k] = tuple(list(e) for e in zip(*cand)) if isinstance(base[k], tuple) else cand
        else:
            rows[k] = tuple([e] * R for e in base[k]) if isinstance(base[k], tuple) else [base[k]] * R
    return rows
