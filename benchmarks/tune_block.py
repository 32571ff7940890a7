"""Measure the two constants of coursekit.optim's fast paths on this machine.

    .venv/bin/python benchmarks/tune_block.py [--size 10000000] [--repeats 5]

1. ``paths.MIN_SIZE``: microseconds per step of the reference, numpy and numba paths
   for small sizes: the size above which each fast path beats the reference.
2. ``inplace.BLOCK``: ms per step of the blocked NumPy path (Adam, SGD momentum,
   float32 and float64, ``size`` elements) for block sizes 4K..512K, interleaved repeats.
Prints medians and ranges; the constants in the package are set from its output.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from coursekit import optim
from coursekit.optim import inplace, paths

CASES = {"Adam": ("adam", {}), "SGD momentum": ("sgd", {"momentum": 0.9})}


def ms_per_step(opt, g, steps):
    start = time.perf_counter()
    for _ in range(steps):
        opt.step(g)
    return 1e3 * (time.perf_counter() - start) / steps


def tune_block(size, repeats, blocks=(1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 19)):
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        g = rng.standard_normal(size).astype(dtype)
        for label, (name, kw) in CASES.items():
            opt = optim.get(name)(rng.standard_normal(size).astype(dtype), fast="numpy", **kw)
            opt.step(g)
            times = {b: [] for b in blocks}
            for _ in range(repeats):
                for b in blocks:
                    inplace.BLOCK = b
                    times[b].append(ms_per_step(opt, g, 3))
            cells = "  ".join(f"{b >> 10}K {np.median(t):5.1f} ({min(t):.1f}-{max(t):.1f})"
                              for b, t in times.items())
            print(f"BLOCK  {label:13s} {dtype}: {cells}", flush=True)


def tune_min_size(repeats, sizes=(64, 256, 1024, 2048, 4096, 8192, 16384, 65536)):
    rng = np.random.default_rng(0)
    for label, (name, kw) in CASES.items():
        for n in sizes:
            g = rng.standard_normal(n)
            ways = ["reference", "numpy"] + (["numba"] if paths.numba_enabled() else [])
            opts = {w: optim.get(name)(rng.standard_normal(n), fast=w, **kw) for w in ways}
            times = {w: [] for w in ways}
            for o in opts.values():
                o.step(g)
            for _ in range(repeats):
                for w, o in opts.items():
                    times[w].append(1e3 * ms_per_step(o, g, 200))
            print(f"MIN_SIZE {label:13s} n={n:6d}: "
                  + "  ".join(f"{w} {np.median(t):7.1f} us" for w, t in times.items()), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    tune_min_size(args.repeats)
    tune_block(args.size, args.repeats)


if __name__ == "__main__":
    main()
