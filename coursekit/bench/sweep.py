"""The batched sweep: R (lr, momentum) configurations in one optimizer, against R single runs."""
from __future__ import annotations

import time

import numpy as np

from coursekit import optim
from coursekit.functions import Rosenbrock

__all__ = ["sweep"]


def _grid(xp, side, dtype):
    lr = np.geomspace(1e-5, 5e-4, side)
    momentum = np.linspace(0.0, 0.95, side)
    lr, momentum = (a.ravel()[:, None].astype(dtype) for a in np.meshgrid(lr, momentum))
    return xp.asarray(lr), xp.asarray(momentum)


def _warm_up(xp, f, x0, lr, momentum, R, dtype, sync, loop_configs):
    """Two steps of both timed computations, untimed: every GPU kernel they launch (the first
    momentum step's and the later steps', the batched layout and the single runs', with and
    without momentum, as the loop's configurations have) is compiled here."""
    X = xp.zeros((R, 2), dtype=dtype) + x0
    batched = optim.SGD(X, lr=lr, momentum=momentum)
    lr_h, mom_h = (np.asarray(a.get() if hasattr(a, "get") else a)[:, 0] for a in (lr, momentum))
    picks = _picks(R, loop_configs)
    singles = []
    for r in {bool(mom_h[r] == 0): r for r in picks}.values():      # one run per kernel the loop uses
        x = xp.zeros(2, dtype=dtype) + x0
        singles.append((x, optim.SGD(x, lr=float(lr_h[r]), momentum=float(mom_h[r]))))
    for _ in range(2):
        batched.step(f.grad(X))
        for x, single in singles:
            single.step(f.grad(x))
    sync()


def _picks(R, loop_configs):
    return np.linspace(0, R - 1, min(loop_configs, R)).astype(int)


def sweep(xp, configs=10_000, steps=100, loop_configs=500, dtype="float64", sync=lambda: None) -> dict:
    """Seconds for ``configs`` SGD-momentum runs of ``steps`` steps on Rosenbrock from (-1.5, 2):
    batched (params (R, 2), lr and momentum (R, 1)) and as a loop of single runs, the loop
    timed on ``loop_configs`` of them and scaled to ``configs``. Checks both agree."""
    side = int(round(configs ** 0.5))
    R = side * side
    f = Rosenbrock()
    lr, momentum = _grid(xp, side, dtype)
    x0 = xp.asarray(np.array([-1.5, 2.0], dtype))
    _warm_up(xp, f, x0, lr, momentum, R, dtype, sync, loop_configs)
    X = xp.zeros((R, 2), dtype=dtype) + x0
    sync()
    start = time.perf_counter()
    opt = optim.SGD(X, lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.step(f.grad(X))
    sync()
    batched = time.perf_counter() - start
    picks = _picks(R, loop_configs)
    lr_h, mom_h = (np.asarray(a.get() if hasattr(a, "get") else a)[:, 0] for a in (lr, momentum))
    finals = []
    sync()
    start = time.perf_counter()
    for r in picks:
        x = xp.zeros(2, dtype=dtype) + x0
        single = optim.SGD(x, lr=float(lr_h[r]), momentum=float(mom_h[r]))
        for _ in range(steps):
            single.step(f.grad(x))
        finals.append(x)
    sync()
    loop = (time.perf_counter() - start) * R / len(picks)
    chosen = X[xp.asarray(picks)]
    got = np.asarray(chosen.get() if hasattr(chosen, "get") else chosen)
    want = np.stack([np.asarray(x.get() if hasattr(x, "get") else x) for x in finals])
    finite = np.isfinite(want).all(axis=1)
    return {"configs": R, "steps": steps, "dtype": dtype, "batched_s": batched, "loop_s": loop,
            "loop_measured_configs": len(picks), "speedup": loop / batched,
            "max_abs_difference": float(np.max(np.abs(got[finite] - want[finite]), initial=0.0)),
            "diverged": int((~finite).sum())}
