"""Speed of coursekit.optim's in-place fast path against its reference math, in one run.

    .venv/bin/python benchmarks/bench_optim.py [--size 1000000] [--steps 20] [--repeats 5]
                                               [--dtype float64] [--backend numpy|cupy]

For each optimizer (with its costlier options on) it times ``steps`` steps on one
parameter of ``size`` elements, best of ``repeats``, for ``fast=True`` and
``fast=False``, and prints milliseconds per step and the ratio reference / fast.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from coursekit import optim

CONFIGS = {
    "SGD (momentum 0.9, nesterov, weight_decay)": ("sgd", dict(lr=1e-3, momentum=0.9, nesterov=True,
                                                               weight_decay=1e-4)),
    "AdaGrad (lr_decay, weight_decay)": ("adagrad", dict(lr=1e-2, lr_decay=1e-3, weight_decay=1e-4)),
    "RMSProp (centered, momentum 0.9)": ("rmsprop", dict(lr=1e-3, centered=True, momentum=0.9)),
    "Adam": ("adam", dict(lr=1e-3)),
    "Adam (amsgrad, weight_decay)": ("adam", dict(lr=1e-3, amsgrad=True, weight_decay=1e-4)),
    "AdamW": ("adamw", dict(lr=1e-3)),
}


def seconds_per_step(xp, name, kwargs, fast, size, steps, repeats, dtype):
    rng = np.random.default_rng(0)
    x = xp.asarray(rng.standard_normal(size).astype(dtype))
    grads = [xp.asarray(rng.standard_normal(size).astype(dtype)) for _ in range(4)]
    opt = optim.OPTIMIZERS[name](x, fast=fast, **kwargs)
    opt.step(grads[0])                                  # warm up: buffers, first-step branches
    sync = (lambda: xp.cuda.Device().synchronize()) if xp.__name__ == "cupy" else (lambda: None)
    best = float("inf")
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        for k in range(steps):
            opt.step(grads[k % 4])
        sync()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    args = ap.parse_args(argv)
    if args.backend == "cupy":
        import cupy as xp
    else:
        xp = np
    print(f"{args.backend} {xp.__version__}, one {args.dtype} parameter of {args.size:,} elements, "
          f"best of {args.repeats} x {args.steps} steps")
    print(f"{'optimizer':46s} {'reference':>12s} {'fast':>12s} {'ratio':>7s}")
    ratios = []
    for label, (name, kwargs) in CONFIGS.items():
        ref = seconds_per_step(xp, name, kwargs, False, args.size, args.steps, args.repeats, args.dtype)
        fast = seconds_per_step(xp, name, kwargs, True, args.size, args.steps, args.repeats, args.dtype)
        ratios.append(ref / fast)
        print(f"{label:46s} {1e3 * ref:9.2f} ms {1e3 * fast:9.2f} ms {ref / fast:6.2f}x")
    print(f"geometric mean ratio (reference / fast): {np.exp(np.mean(np.log(ratios))):.2f}x")


if __name__ == "__main__":
    main()
