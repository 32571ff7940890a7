"""A batched sweep: many optimizer configurations trained as one array computation.

R configurations (lr_r, momentum_r) of heavy-ball SGD on one least-squares problem are
R rows of a parameter matrix W (R, d); one ``optim.SGD`` with ``lr`` and ``momentum``
of shape (R, 1) steps them all at once, and the gradients of every row come from one
matrix product, G = (W X^T - y) X / n. On a GPU (CuPy arrays) R = 100,000 rows cost
about as much as a few; on NumPy the time grows with R.
"""
from __future__ import annotations

import time

import numpy as np

from .. import backend, data, optim
from .._validate import count

__all__ = ["batched_sweep"]


def batched_sweep(n_configs, *, steps=100, seed=0, xp=None, n=256, d=16):
    """Train ``n_configs`` random (lr, momentum) configs for ``steps`` steps on one least-squares
    problem (n rows, d features), all at once with the array module ``xp`` (default NumPy).

    lr is log-uniform in [1e-3, 1], momentum uniform in [0, 0.99] (drawn with ``seed``).
    Returns (lrs, momenta, final losses, seconds) as NumPy arrays (losses: NaN where a run diverged).
    """
    xp = np if xp is None else xp
    R, steps = count(n_configs, "n_configs"), count(steps, "steps")
    rng = np.random.default_rng(seed)
    lrs = 10 ** rng.uniform(-3, 0, size=R)
    momenta = rng.uniform(0, 0.99, size=R)
    X_np, y_np, _ = data.regression(n=n, d=d, noise=0.1, seed=seed)
    X, y = xp.asarray(X_np), xp.asarray(y_np)
    W = xp.zeros((R, d))
    opt = optim.SGD(W, lr=xp.asarray(lrs[:, None]), momentum=xp.asarray(momenta[:, None]))
    W_warm = xp.zeros((R, d))                          # not timed: two steps of the same shapes compile
    warm = optim.SGD(W_warm, lr=xp.asarray(lrs[:, None]), momentum=xp.asarray(momenta[:, None]))
    for _ in range(2):                                 # every GPU kernel (first momentum step, later ones)
        warm.step((W_warm @ X.T - y) @ X / n)          # and opens the BLAS handles
    backend.synchronize(xp)
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        for _ in range(steps):
            residual = W @ X.T - y                     # (R, n): every configuration at once
            opt.step(residual @ X / n)                 # (R, d) gradients
        losses = xp.mean((W @ X.T - y) ** 2, axis=1) / 2
        losses = np.asarray(losses.get() if hasattr(losses, "get") else losses)
    seconds = time.perf_counter() - start
    return lrs, momenta, np.where(np.isfinite(losses), losses, np.nan), seconds
