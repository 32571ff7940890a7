"""Measurements behind chapter figures that are too long for a notebook cell.

- :func:`minibatch_cost`: mini-batch SGD on least squares, steps (and examples) needed to
  close a fraction of the gap to the optimum, per learning rate (chapter 1, section 4.2);
- :func:`tuned_minibatch_cost`: the same with the learning rate tuned per batch size (on the
  median over seeds);
- :func:`time_gradient_descent`: full-batch GD timed on each array backend (chapter 1, section 8).

NumPy only except :func:`time_gradient_descent`, which runs on each backend it is given.
"""
from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

__all__ = ["Cost", "minibatch_cost", "tuned_minibatch_cost", "time_gradient_descent"]


def minibatch_cost(X, y, batch_size, lr, fractions=(1e-2, 1e-4), max_steps=5000, seed=7):
    """Mini-batch SGD on ``L(w) = ||Xw - y||^2 / (2n)`` from ``w = 0``, batches drawn without
    replacement within each epoch (reshuffled every epoch).

    Returns one entry per fraction: the number of steps after which
    ``L(w) - L* <= fraction * (L(0) - L*)`` first holds, or None if not within ``max_steps``
    (or if the run diverged). ``L(w) - L* = (w - w*)^T H (w - w*) / 2`` exactly, with the
    least-squares ``w*`` and ``H = X^T X / n``, so checking costs O(d^2) per step.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an int in [1, {n}], got {batch_size!r}")
    if not (float(lr) > 0 and np.isfinite(lr)):
        raise ValueError(f"lr must be positive and finite, got {lr!r}")
    H = X.T @ X / n
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    gap = lambda w: 0.5 * (w - w_star) @ H @ (w - w_star)     # noqa: E731
    w = np.zeros(d)
    targets = [f * gap(w) for f in fractions]
    reached = [None] * len(fractions)
    rng, steps = np.random.default_rng(seed), 0
    while steps < max_steps:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / batch_size
            steps += 1
            g = gap(w)
            if not np.isfinite(g) or g > 1e6 * (targets[0] / fractions[0] + 1):
                return reached
            reached = [r if r is not None or g > t else steps for r, t in zip(reached, targets)]
            if all(r is not None for r in reached) or steps >= max_steps:
                return reached
    return reached


class Cost(NamedTuple):
    """One cell of :func:`tuned_minibatch_cost`: the median run's ``steps`` at the tuned ``lr``,
    and the fewest and most steps over the seeds (``None`` where a run missed the target)."""
    steps: int | None
    lr: float | None
    low: int | None = None
    high: int | None = None


def tuned_minibatch_cost(X, y, batch_sizes, lrs, fractions=(1e-2, 1e-4), max_steps=5000, seed=7,
                         seeds=None):
    """For every batch size and fraction, the learning rate of ``lrs`` whose median run over
    ``seeds`` (default ``(seed,)``) needs the fewest steps.

    Returns ``{B: [Cost(steps, lr, low, high) per fraction]}``: each fraction gets its own best
    learning rate (a smaller one reaches a lower noise floor, a larger one gets there faster).
    The rate is picked on the median over seeds, not on one run: the luckiest single run would
    favour the noisiest (smallest) batches. A run that misses the target counts as infinitely
    slow; a cell whose median run misses it is ``Cost(None, None)``.
    """
    seeds = (seed,) if seeds is None else tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    table = {}
    for B in batch_sizes:
        runs = {lr: np.array([[np.inf if s is None else s for s in
                               minibatch_cost(X, y, int(B), lr, fractions, max_steps, sd)] for sd in seeds])
                for lr in lrs}
        best = []
        for j in range(len(fractions)):
            median = {lr: np.sort(r[:, j])[len(seeds) // 2] for lr, r in runs.items()}  # the median run
            lr = min(median, key=lambda r: (median[r], r))
            if not np.isfinite(median[lr]):
                best.append(Cost(None, None))
                continue
            lo, hi = runs[lr][:, j].min(), runs[lr][:, j].max()
            best.append(Cost(int(median[lr]), lr, int(lo), int(hi) if np.isfinite(hi) else None))
        table[int(B)] = best
    return table


def time_gradient_descent(X, y, steps, lr, backends=("numpy",)):
    """Full-batch GD on least squares, timed on each backend: ``{name: Trajectory}``.

    The data are copied to each backend first (``backend.asarray``) and two steps of the very
    same run are taken before timing, so every GPU kernel the timed loop uses (the gradient's,
    the SGD update's) is compiled outside it; their seconds are the trajectory's
    ``warmup_time`` (compilation and first calls), apart from ``wall_time`` (the steps, each
    synchronized by the recorder reading the loss back). A backend that fails is reported, not
    raised: ``{name: "ExceptionName: message"}``.
    """
    from . import backend, models
    from .runs import minimize

    out = {}
    for name in backends:
        try:
            backend.use(name)
            X_dev, y_dev = backend.asarray(X), backend.asarray(y)
            problem = models.LinearRegression().objective(X_dev, y_dev)
            start = time.perf_counter()
            minimize(problem, backend.xp.zeros(X.shape[1]), "sgd", 2, lr=lr)   # warm-up: kernels
            backend.synchronize(backend.xp)
            warmup = time.perf_counter() - start
            out[name] = minimize(problem, backend.xp.zeros(X.shape[1]), "sgd", steps, lr=lr)
            out[name].warmup_time = warmup
        except Exception as exc:                                          # never fail: report
            out[name] = f"{type(exc).__name__}: {exc}"
        finally:
            backend.use("numpy")
    return out
