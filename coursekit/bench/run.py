"""Run the benchmark: bandwidth, then every (optimizer, size, contender), then the sweep."""
from __future__ import annotations

import os
import platform
import time

import numpy as np

from . import bandwidth, contenders, sweep as sweeps

__all__ = ["run", "SIZES", "QUICK", "QUICK_SIZES"]

SIZES = {"numpy": (1_000_000, 10_000_000, 50_000_000),
         "cupy": (1_000_000, 10_000_000, 50_000_000, 100_000_000, 500_000_000)}
FULL = dict(repeats=5, steps=3, optimizers=tuple(contenders.OPTIMIZERS), reference_max=10_000_000,
            sweep_steps=100, loop_configs=400)
QUICK = dict(repeats=3, steps=2, optimizers=("SGD momentum", "Adam"), reference_max=1_000_000,
             sweep_steps=20, loop_configs=100)
#: --quick sizes: on a GPU one beyond the L2 cache too (an H100's 50 MB holds 1M float32 many times)
QUICK_SIZES = {"numpy": (1_000_000,), "cupy": (1_000_000, 100_000_000)}


def _xp(backend):
    if backend == "cupy":
        from coursekit import backend as bk
        if not bk.gpu_available():
            raise SystemExit(f"--backend cupy: no usable GPU ({bk.gpu_unavailable_reason()})")
        import cupy
        return cupy, cupy.cuda.Device().synchronize
    return np, (lambda: None)


def _available_bytes(xp) -> int:
    if xp.__name__ == "cupy":
        return int(xp.cuda.runtime.memGetInfo()[0])
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        return int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _stats(values) -> dict:
    return {"median": float(np.median(values)), "min": float(np.min(values)), "max": float(np.max(values))}


#: the bandwidth loop's key among the contenders: ``a = b + c`` on arrays of the step's size, its
#: time scaled to the bytes the step moves (the bound), timed in the same repeats as the steps
BOUND = "bandwidth bound"


def _time_size(xp, sync, name, n, dtype, settings, bar):
    """ms/step of every contender at one size, timed in turn within each repeat (the order
    rotated from one repeat to the next)."""
    names = (contenders.coursekit_paths(xp, n, settings["reference_max"])
             + contenders.torch_variants(xp, name))
    rng = np.random.default_rng(0)
    p = xp.asarray(rng.standard_normal(n, dtype=np.float32).astype(dtype))
    g = xp.asarray(rng.standard_normal(n, dtype=np.float32).astype(dtype))
    steps = {c: contenders.make(xp, name, c, p, g) for c in names}
    b, c_, a = xp.ones_like(p), xp.ones_like(p), xp.empty_like(p)
    add, arrays = bandwidth.add_loop(xp, a, b, c_)      # the bound, timed in each repeat too
    steps[BOUND] = add
    warmup_ms = {}
    for c, step in steps.items():                       # warm up, timed apart: state, scratch and
        sync()                                          # every kernel (two steps: SGD momentum's
        start = time.perf_counter()                     # first step runs another kernel)
        for _ in range(2):
            step()
        sync()
        warmup_ms[c] = 1e3 * (time.perf_counter() - start)
    ms = {c: [] for c in steps}
    k = settings["steps"] if n <= 10_000_000 else 1       # large N: one step is long enough to time
    order = list(steps)
    for r in range(settings["repeats"]):
        for c in order[r % len(order):] + order[:r % len(order)]:   # rotated: no contender always
            step = steps[c]                                          # follows the same one
            sync()
            start = time.perf_counter()
            for _ in range(k):
                step()
            sync()
            ms[c].append(1e3 * (time.perf_counter() - start) / k)
            bar.update(c != BOUND)
    ms[BOUND] = list(np.multiply(ms[BOUND], bandwidth.ARRAYS_MOVED[name] / arrays))   # add -> this step's bytes
    return ms, warmup_ms


def run(backend="numpy", quick=False, dtype="float32", progress=True, sizes=None, optimizers=None,
        repeats=None) -> dict:
    """Measure everything; returns the JSON-ready record (see ``python -m coursekit.bench``)."""
    from tqdm.auto import tqdm

    xp, sync = _xp(backend)
    settings = dict(QUICK if quick else FULL)
    settings.update({k: v for k, v in (("optimizers", optimizers), ("repeats", repeats)) if v})
    sizes = tuple(sizes or settings.get("sizes") or (QUICK_SIZES if quick else SIZES)[backend])
    itemsize = np.dtype(dtype).itemsize
    record = {"backend": backend, "dtype": dtype, "quick": quick, "settings": settings,
              "machine": _machine(xp), "results": [], "skipped": []}
    record["bandwidth"] = bandwidth.measure(xp, n=(1 << 22) if quick and backend == "numpy" else None, dtype=dtype)
    plan = []
    for n in sizes:
        need = n * itemsize * (2 + 3 * 7 + 6 + 3)       # shared p, g; states; reference temporaries; a = b + c
        if need > 0.5 * _available_bytes(xp):
            record["skipped"].append({"n": n, "reason": f"needs ~{need / 1e9:.1f} GB, "
                                                        f"{_available_bytes(xp) / 1e9:.1f} GB available"})
            continue
        plan += [(name, n) for name in settings["optimizers"]]
    units = sum(settings["repeats"] * (len(contenders.coursekit_paths(xp, n, settings["reference_max"]))
                                       + len(contenders.torch_variants(xp, name))) for name, n in plan)
    with tqdm(total=units, desc="coursekit.bench", disable=not progress, leave=False) as bar:
        for name, n in plan:
            bar.set_postfix_str(f"{name}, N={n:,}")
            ms, warmup_ms = _time_size(xp, sync, name, n, dtype, settings, bar)
            bound = ms.pop(BOUND)
            torch_names = [c for c in ms if c.startswith("torch")]
            for c, values in ms.items():
                row = {"optimizer": name, "n": n, "contender": c, "ms": values, **_stats(values),
                       "bound_ms": float(np.median(bound)), "x_bound": float(np.median(np.divide(values, bound))),
                       "warmup_ms": warmup_ms[c]}   # two untimed steps: compilation, first calls
                row["x_torch"] = {t: _stats(np.divide(values, ms[t])) for t in torch_names}
                record["results"].append(row)
    record["sweep"] = sweeps.sweep(xp, steps=settings["sweep_steps"], loop_configs=settings["loop_configs"],
                                   sync=sync)
    record["targets"] = targets(record)
    return record


def _machine(xp) -> dict:
    info = {"python": platform.python_version(), "numpy": np.__version__, "cpu_count": os.cpu_count(),
            "platform": platform.platform(), "load_average": list(os.getloadavg())}
    for mod in ("numba", "torch"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            info[mod] = None
    if xp.__name__ == "cupy":
        from coursekit import backend
        info["cupy"], info["device"] = xp.__version__, backend.describe()
    return info


def _find(record, name, n, contender):
    for row in record["results"]:
        if (row["optimizer"], row["n"], row["contender"]) == (name, n, contender):
            return row
    return None


def targets(record) -> list:
    """The issue's targets, each with the measured ratio (median of per-repeat ratios) and a verdict."""
    out = []

    def check(label, row, key, limit):
        if row is None or (key != "bound" and key not in row["x_torch"]):
            return
        ratio = row["x_bound"] if key == "bound" else row["x_torch"][key]["median"]
        out.append({"target": label, "ratio": ratio, "limit": limit, "met": bool(ratio <= limit)})

    n = 10_000_000
    if record["backend"] == "numpy":
        check("CPU 10M: numpy-path Adam <= 0.7x torch default", _find(record, "Adam", n, "numpy"),
              "torch default", 0.7)
        for name in ("Adam", "SGD momentum"):
            check(f"CPU 10M: numba {name} <= 1.0x torch fused", _find(record, name, n, "numba"),
                  "torch fused", 1.0)
    else:
        big = max((r["n"] for r in record["results"] if r["optimizer"] == "Adam"), default=None)
        adam = _find(record, "Adam", big, "cupy")
        check(f"GPU {big:,}: fused Adam <= 1.3x bandwidth bound", adam, "bound", 1.3)
        check(f"GPU {big:,}: fused Adam <= 1.0x torch fused", adam, "torch fused", 1.0)
    s = record["sweep"]
    out.append({"target": "sweep of 10,000 configurations >= 200x a loop", "ratio": s["speedup"],
                "limit": 200.0, "met": bool(s["speedup"] >= 200)})
    return out
