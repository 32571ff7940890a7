"""Many optimizer configurations in one array computation, and the same as a loop, for timing.

:func:`momentum_sweep` runs heavy ball (``optim.SGD``) for every (lr, momentum) pair of a
grid at once: the parameters are an array of shape (R, d), one row per configuration, and
``lr``/``momentum`` are (R, 1) arrays broadcasting against them, so each step is a handful
of array operations over all R runs. :func:`momentum_loop` runs the same configurations
one by one (the same optimizer, scalar hyperparameters), to compare results and time.

The array module follows ``x0`` (NumPy or CuPy); nothing here plots.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .. import backend
from .._validate import count

__all__ = ["Sweep", "momentum_sweep", "momentum_loop", "grid", "time_adam", "time_sweep"]

BLOWUP = 1e6   #: a run whose |x| exceeds this counts as diverged and is frozen


@dataclass
class Sweep:
    """Results of a sweep: ``final_loss`` (R,) with NaN for diverged runs, ``diverged`` (R,),
    the configurations ``lr`` and ``momentum`` (R,), and the wall time in ``seconds``."""

    lr: np.ndarray
    momentum: np.ndarray
    final_loss: np.ndarray
    diverged: np.ndarray
    seconds: float

    def grid(self, n_momentum, n_lr) -> np.ndarray:
        """final_loss as a (n_momentum, n_lr) grid (the layout of :func:`grid`)."""
        return self.final_loss.reshape(n_momentum, n_lr)


def grid(lrs, momenta):
    """Every (lr, momentum) pair as two flat arrays, lr varying fastest (R = len(lrs) * len(momenta))."""
    L, M = np.meshgrid(np.asarray(lrs, float), np.asarray(momenta, float))
    return L.ravel(), M.ravel()


def momentum_sweep(landscape, x0, lr, momentum, steps) -> Sweep:
    """Heavy ball for R configurations at once on ``landscape`` from the same ``x0`` (shape (d,)).

    lr, momentum: arrays of shape (R,) (see :func:`grid`), of ``x0``'s array module or NumPy.
    A run has diverged when its final loss is not finite or some |x_i| > BLOWUP; its final
    loss is then NaN. Rows never mix, so a run that overflows leaves the others untouched.
    """
    from .. import optim

    steps = count(steps, "steps", 0)
    xp = backend.get_namespace(x0)
    lr_np, mom_np = np.asarray(backend.to_numpy(lr), float), np.asarray(backend.to_numpy(momentum), float)
    if lr_np.shape != mom_np.shape or lr_np.ndim != 1:
        raise ValueError(f"lr and momentum must be 1-D arrays of one length, got {lr_np.shape} and {mom_np.shape}")

    def run(lr_np, mom_np, steps):
        x = xp.tile(xp.asarray(x0, dtype=xp.float64)[None, :], (lr_np.size, 1))
        opt = optim.SGD(x, lr=xp.asarray(lr_np[:, None]), momentum=xp.asarray(mom_np[:, None]))
        with np.errstate(all="ignore"):
            for _ in range(steps):
                opt.step(landscape.grad(x))
            f = landscape.value(x)
            ok = xp.all(xp.abs(x) < BLOWUP, axis=1) & xp.isfinite(f)
        final = xp.where(ok, f, xp.nan)
        backend.synchronize(xp)
        return final, ok

    if lr_np.size:           # warm-up, not timed: the same arrays for two steps compile every GPU kernel
        run(lr_np, mom_np, 2)  # the timed loop uses (first momentum step, later ones; same layouts)
    start = time.perf_counter()
    final, ok = run(lr_np, mom_np, steps)
    seconds = time.perf_counter() - start
    return Sweep(lr_np, mom_np, np.asarray(backend.to_numpy(final)), ~np.asarray(backend.to_numpy(ok)), seconds)


def momentum_loop(landscape, x0, lr, momentum, steps) -> Sweep:
    """The same configurations as :func:`momentum_sweep`, one optimizer run after the other."""
    from .. import optim

    steps = count(steps, "steps", 0)
    lr, momentum = np.asarray(lr, float), np.asarray(momentum, float)
    finals, bad = [], []
    if lr.size:                                      # warm-up, not timed (as in momentum_sweep)
        optim.SGD(np.array(x0, dtype=float), lr=float(lr[0]), momentum=float(momentum[0])).step(
            landscape.grad(np.array(x0, dtype=float)))
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        for a, m in zip(lr, momentum):
            x = np.array(x0, dtype=float)
            opt = optim.SGD(x, lr=float(a), momentum=float(m))
            for _ in range(steps):
                opt.step(landscape.grad(x))
            f = float(landscape.value(x))
            ok = bool(np.all(np.abs(x) < BLOWUP)) and np.isfinite(f)
            finals.append(f if ok else np.nan)
            bad.append(not ok)
    return Sweep(lr, momentum, np.asarray(finals), np.asarray(bad), time.perf_counter() - start)


def time_adam(n, xp=np, steps=10, seed=0):
    """(seconds per Adam step on ``n`` float64 parameters of module ``xp``, final params as NumPy).

    The same seeded parameters and gradient on every module, so results can be compared.
    """
    from .. import optim

    rng = np.random.default_rng(seed)
    p = xp.asarray(rng.standard_normal(count(n, "n")))
    g = xp.asarray(rng.standard_normal(n))
    opt = optim.Adam(p, lr=1e-3)
    opt.step(g)                                   # warm-up: allocation, kernels
    backend.synchronize(xp)
    start = time.perf_counter()
    for _ in range(count(steps, "steps")):
        opt.step(g)
    backend.synchronize(xp)
    return (time.perf_counter() - start) / steps, np.asarray(backend.to_numpy(p))


def time_sweep(landscape, n_side, steps, xp=np):
    """(seconds, final losses as NumPy) of :func:`momentum_sweep` on an n_side x n_side
    (lr in [1e-5, 2e-2] log-spaced, momentum in [0, 0.99]) grid, on module ``xp``."""
    lr, mom = grid(np.geomspace(1e-5, 2e-2, count(n_side, "n_side")), np.linspace(0.0, 0.99, n_side))
    s = momentum_sweep(landscape, xp.asarray(np.array([-1.2, 1.0])), xp.asarray(lr), xp.asarray(mom), steps)
    return s.seconds, s.final_loss
