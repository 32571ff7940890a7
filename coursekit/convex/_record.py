"""Shared plumbing of coursekit.convex: argument checks and the Trajectory record.

Every iterative method of the package collects its iterates, objective values and
gradient (or residual) norms in a :class:`Recorder` and returns ``recorder.trajectory(...)``,
the same :class:`~coursekit.runs.trajectory.Trajectory` that ``coursekit.minimize`` returns.
"""
from __future__ import annotations

import math
import time

import numpy as np

from coursekit import backend
from coursekit.runs.trajectory import Trajectory


def floating(x, name, xp=None):
    """``x`` as a floating-point array of its own module (float64 for ints), or ValueError."""
    xp = xp or backend.get_namespace(x)
    try:
        a = xp.asarray(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {type(x).__name__}") from None
    if not xp.isdtype(a.dtype, ("real floating", "complex floating")):
        if not xp.isdtype(a.dtype, ("bool", "integral")):
            raise ValueError(f"{name} must be an array of numbers, got dtype {a.dtype}")
        a = xp.astype(a, xp.float64)
    if not bool(xp.all(xp.isfinite(a))):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def positive(value, name) -> float:
    """``value`` as a finite float > 0, or TypeError / ValueError naming ``name``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number > 0, got {value!r}") from None
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def nonnegative_number(value, name) -> float:
    """``value`` as a finite float >= 0, or TypeError / ValueError naming ``name``."""
    from coursekit._validate import nonnegative
    return nonnegative(value, name)


def fun_and_grad_of(fun):
    """``x -> (f, g)`` from a callable or a landscape (anything with ``value_and_grad`` or ``value``/``grad``)."""
    if hasattr(fun, "value_and_grad"):
        return fun.value_and_grad
    if hasattr(fun, "value") and hasattr(fun, "grad"):
        return lambda x: (fun.value(x), fun.grad(x))
    if callable(fun):
        return fun
    raise TypeError(f"fun_and_grad must be callable x -> (f, g) or a landscape, got {type(fun).__name__}")


class Recorder:
    """Iterates, objective values and gradient norms, appended one step at a time."""

    def __init__(self, label):
        self.label, self.xs, self.fs, self.gs, self.lrs = label, [], [], [], []
        self.start = time.perf_counter()

    def add(self, x, f, gnorm, lr=None):
        self.xs.append(backend.to_numpy(x).copy())
        self.fs.append(float(f))
        self.gs.append(float(gnorm))
        if lr is not None:
            self.lrs.append(float(lr))

    def trajectory(self, message, converged=False, hyperparameters=None) -> Trajectory:
        steps = len(self.xs) - 1
        return Trajectory(
            iterates=np.stack(self.xs), losses=np.array(self.fs), grad_norms=np.array(self.gs),
            lrs=np.array(self.lrs), wall_time=time.perf_counter() - self.start, steps=steps,
            diverged=False, diverged_at=None, converged=bool(converged),
            converged_at=steps if converged else None, message=message, label=self.label,
            optimizer=self.label, hyperparameters=dict(hyperparameters or {}))
