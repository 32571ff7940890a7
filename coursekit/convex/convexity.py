"""Testing convexity numerically: chords and Hessian eigenvalues.

f is convex on a convex set iff every chord lies above the graph,

    f(t x + (1 - t) y) <= t f(x) + (1 - t) f(y)   for all x, y in the set and t in [0, 1],

and, for twice differentiable f, iff its Hessian is positive semidefinite there. A sampled
chord above which the graph rises is a certificate of non-convexity; finding none is
evidence, not proof. Adding lam/2 |x|^2 shifts every Hessian eigenvalue by lam, so it makes
f convex on a region once lam >= -min(lambda_min(H)) there.
"""
from __future__ import annotations

import numpy as np

from coursekit import backend

from ._record import floating

__all__ = ["find_violation", "chord_gaps", "min_hessian_eigenvalue", "regularized"]


def _box(low, high):
    low, high = np.atleast_1d(floating(low, "low", np)), np.atleast_1d(floating(high, "high", np))
    if low.ndim != 1 or high.ndim != 1:
        raise ValueError(f"low and high must be numbers or vectors, got shapes {low.shape} and {high.shape}")
    try:
        low, high = np.broadcast_arrays(low, high)
    except ValueError:
        raise ValueError(f"low and high must have the same length, got {low.size} and {high.size}") from None
    if np.any(low > high):
        raise ValueError("low must be <= high in every coordinate")
    return low, high


def chord_gaps(f, x, y, t):
    """t f(x) + (1-t) f(y) - f(t x + (1-t) y) for rows x, y (..., d) and t (...): < 0 is a violation."""
    t = np.asarray(t, dtype=float)[..., None]
    fx, fy = backend.to_numpy(f(x)), backend.to_numpy(f(y))
    mid = backend.to_numpy(f(t * x + (1 - t) * y))
    return t[..., 0] * fx + (1 - t[..., 0]) * fy - mid


def find_violation(f, low, high, *, samples=10_000, seed=0, rtol=1e-9):
    """A chord of f in the box [low, high] that the graph rises above, or None.

    f: vectorized over leading axes (points of shape (..., d)); low, high: numbers (d = 1)
    or vectors of length d. Draws ``samples`` triples (x, y, t) uniformly and returns the
    worst violation (x, y, t) as NumPy values, or None when every chord lies above the graph
    (up to rounding: a gap below -rtol (|f(x)| + |f(y)| + 1) counts).
    """
    low, high = _box(low, high)
    rng = np.random.default_rng(seed)
    n, d = int(samples), low.size
    if n < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    x, y = rng.uniform(low, high, size=(n, d)), rng.uniform(low, high, size=(n, d))
    t = rng.uniform(0, 1, size=n)
    gaps = chord_gaps(f, x, y, t)
    fx, fy = backend.to_numpy(f(x)), backend.to_numpy(f(y))
    slack = gaps + rtol * (np.abs(fx) + np.abs(fy) + 1)
    worst = int(np.argmin(slack))
    if slack[worst] >= 0:
        return None
    return x[worst], y[worst], float(t[worst])


def min_hessian_eigenvalue(hessian, low, high, *, resolution=60):
    """The smallest Hessian eigenvalue over a grid of the 2-D box (or segment) [low, high], and where.

    hessian: vectorized x (..., d) -> (..., d, d). Returns (value, point).
    """
    low, high = _box(low, high)
    axes = [np.linspace(lo, hi, resolution) for lo, hi in zip(low, high)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, low.size)
    eig = np.linalg.eigvalsh(backend.to_numpy(hessian(grid)))[:, 0]
    i = int(np.argmin(eig))
    return float(eig[i]), grid[i]


def regularized(f, lam):
    """x -> f(x) + lam/2 |x|^2 (vectorized like f)."""
    return lambda x: f(x) + 0.5 * lam * np.sum(np.asarray(x) ** 2, axis=-1)
