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

__all__ = ["Cost", "minibatch_cost", "minibatch_cost_grid", "tuned_minibatch_cost", "cost_table", "examples_by_dataset",
           "time_gradient_descent"]


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


def minibatch_cost_grid(X, y, batch_size, lrs, seeds, fractions=(1e-2, 1e-4), max_steps=5000):
    """:func:`minibatch_cost` for every learning rate and seed at once (one vectorized loop).

    Returns a float array of shape ``(len(lrs), len(seeds), len(fractions))``: the steps each
    run needs for each fraction, ``inf`` where it misses the target or diverges. Run
    ``(i, j)`` is :func:`minibatch_cost` ``(X, y, batch_size, lrs[i], fractions, max_steps,
    seeds[j])``: the same batches (one generator per seed) and the same stopping rules.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an int in [1, {n}], got {batch_size!r}")
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    if lrs.size == 0 or not np.all((lrs > 0) & np.isfinite(lrs)):
        raise ValueError(f"lrs must be positive and finite, got {lrs!r}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    B, fractions = int(batch_size), np.asarray(fractions, dtype=float)
    H = X.T @ X / n
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    gap0 = 0.5 * w_star @ H @ w_star                         # the gap at w = 0
    W = np.zeros((lrs.size, len(seeds), d))
    reached = np.full(W.shape[:2] + (fractions.size,), np.inf)
    pending = np.ones(reached.shape, dtype=bool)            # target not reached, run not diverged
    targets, limit, rates = fractions * gap0, 1e6 * (gap0 + 1), lrs[:, None, None]
    rngs = [np.random.default_rng(s) for s in seeds]
    steps = 0
    with np.errstate(over="ignore", invalid="ignore"):      # diverging runs are dropped, not stopped
        while steps < max_steps and pending.any():
            order = np.stack([rng.permutation(n) for rng in rngs])       # one epoch per seed
            for start in range(0, n - B + 1, B):
                if B == n:                              # the full batch: order does not matter
                    step = W @ H - X.T @ y / n
                else:
                    idx = order[:, start:start + B]                      # (seeds, B)
                    Xb = X[idx]
                    resid = np.matmul(Xb, W[..., None])[..., 0] - y[idx]             # (lrs, seeds, B)
                    step = np.matmul(resid[..., None, :], Xb)[..., 0, :] / B        # (lrs, seeds, d)
                W = W - rates * step
                steps += 1
                E = W - w_star
                gap = 0.5 * np.sum((E @ H) * E, axis=-1)
                pending &= (gap <= limit)[..., None]                     # diverged (or nan): out
                hit = pending & (gap[..., None] <= targets)
                if hit.any():
                    reached[hit] = steps
                    pending &= ~hit
                if steps >= max_steps or not pending.any():
                    break
    return reached


def tuned_minibatch_cost(X, y, batch_sizes, lrs, fractions=(1e-2, 1e-4), max_steps=5000, seed=7,
                         seeds=None, tune_seeds=None):
    """For every batch size and fraction, the learning rate of ``lrs`` whose median run over
    the tuning seeds needs the fewest steps, and its runs over ``seeds`` (default ``(seed,)``).

    Returns ``{B: [Cost(steps, lr, low, high) per fraction]}``: each fraction gets its own best
    learning rate (a smaller one reaches a lower noise floor, a larger one gets there faster).
    The rate is picked on the median over seeds, not on one run: the luckiest single run would
    favour the noisiest (smallest) batches. With ``tune_seeds`` (disjoint from ``seeds``) the
    rate is picked on those runs and ``Cost`` reports the runs on ``seeds`` at that rate, so the
    reported median is not the minimum of noisy medians (held-out tuning); without, both are
    ``seeds``. A run that misses the target counts as infinitely slow; a cell whose median tuning
    run misses it is ``Cost(None, None)``.
    """
    seeds = (seed,) if seeds is None else tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    tune_seeds = seeds if tune_seeds is None else tuple(int(s) for s in tune_seeds)
    if not tune_seeds:
        raise ValueError("tune_seeds must name at least one seed")
    lrs = list(lrs)
    table = {}
    for B in batch_sizes:
        runs = minibatch_cost_grid(X, y, int(B), lrs, list(dict.fromkeys(tune_seeds + seeds)), fractions, max_steps)
        column = {s: k for k, s in enumerate(dict.fromkeys(tune_seeds + seeds))}
        tune = runs[:, [column[s] for s in tune_seeds]]
        report = runs[:, [column[s] for s in seeds]]
        best = []
        for j in range(len(fractions)):
            median = np.sort(tune[:, :, j], axis=1)[:, len(tune_seeds) // 2]      # the median run
            i = min(range(len(lrs)), key=lambda k: (median[k], lrs[k]))
            if not np.isfinite(median[i]):
                best.append(Cost(None, None))
                continue
            shown = np.sort(report[i, :, j])
            mid, lo, hi = shown[len(seeds) // 2], shown[0], shown[-1]
            best.append(Cost(int(mid) if np.isfinite(mid) else None, float(lrs[i]),
                             int(lo) if np.isfinite(lo) else None, int(hi) if np.isfinite(hi) else None))
        table[int(B)] = best
    return table


def _rate(lr, L):
    """A learning rate as a fraction of 1/L: "1/L", "1/(8L)"."""
    k = round(1 / (lr * L))
    return "1/L" if k == 1 else f"1/({k}L)"


def _target_names(targets, fractions):
    return [f"target {j + 1}" for j in range(fractions)] if targets is None else list(targets)


def cost_table(table, L, max_steps=5000, targets=None):
    """The rows of :func:`tuned_minibatch_cost` as text: per target (named by ``targets``), the
    median run's steps and examples (steps x B), the range of examples over the seeds, and the
    tuned rate in units of 1/L."""
    fractions = len(next(iter(table.values())))
    head = "".join(f" {name:^38}" for name in _target_names(targets, fractions))
    lines = [f"{'':>5}{head}", f"{'B':>5}" + f" {'steps':>6} {'examples':>9} {'(range)':>11} {'best lr':>9}" * fractions]
    for B, row in table.items():
        cells = []
        for c in row:
            if c.steps is None:
                cells.append(f" {f'> {max_steps}':>6}" + " " * 31)
                continue
            spread = f"{c.low * B}-{c.high * B}" if c.high is not None else f"{c.low * B}-(missed)"
            cells.append(f" {c.steps:>6} {c.steps * B:>9} {spread:>11} {_rate(c.lr, L):>9}")
        lines.append(f"{B:>5}" + "".join(cells))
    return "\n".join(lines)


def examples_by_dataset(tables, targets=None):
    """``{data seed: tuned_minibatch_cost table}`` as text: the median run's examples per batch
    size and target (the cheapest marked ``*``), then, per target, how often each batch size
    was the cheapest in examples and in steps."""
    first = next(iter(tables.values()))
    sizes, fractions = list(first), len(next(iter(first.values())))
    names = _target_names(targets, fractions)
    width = 10 * len(sizes)
    lines = [f"{'':>5}" + "".join(f"{name:^{width}}" for name in names),
             f"{'data':>5}" + "".join(f" {f'B = {B}':>9}" for B in sizes) * fractions]
    wins = {kind: np.zeros((fractions, len(sizes)), dtype=int) for kind in ("examples", "steps")}
    for seed, table in tables.items():
        row = f"{seed:>5}"
        for j in range(fractions):
            steps = np.array([np.inf if table[B][j].steps is None else table[B][j].steps for B in sizes])
            examples = steps * np.array(sizes)
            for kind, values in (("examples", examples), ("steps", steps)):
                wins[kind][j, values == values.min()] += 1
            row += "".join(f" {'missed' if not np.isfinite(e) else int(e):>8}{'*' if e == examples.min() else ' '}"
                           for e in examples)
        lines.append(row)
    for kind in ("examples", "steps"):
        for j in range(fractions):
            counts = ", ".join(f"B = {B}: {wins[kind][j, i]}" for i, B in enumerate(sizes) if wins[kind][j, i])
            lines.append(f"fewest {kind} {names[j]}, in data sets out of {len(tables)} (ties count for each): {counts}")
    return "\n".join(lines)


def time_gradient_descent(X, y, steps, lr, backends=("numpy",)):
    """Full-batch GD on least squares, timed on each backend: ``{name: Trajectory}``.

    The data are copied to each backend first (``backend.asarray``) and two steps of the very
    same run are taken before timing, so every GPU kernel the timed loop uses (the gradient's,
    the SGD update's) is compiled outside it; their seconds are the trajectory's
    ``warmup_time`` (compilation and first calls), apart from ``wall_time`` (the steps, each
    synchronized by the recorder reading the loss back). A backend that fails is reported, not
    raised: ``{name: "ExceptionName: message"}``.
    """
    from .. import backend, models
    from ..runs import minimize

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
