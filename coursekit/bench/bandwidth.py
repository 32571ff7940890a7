"""The machine's memory bandwidth (STREAM "add", ``a = b + c``), and bytes each optimizer step moves."""
from __future__ import annotations

import time

import numpy as np

__all__ = ["ARRAYS_MOVED", "measure", "bound_ms"]

#: Arrays of the parameters' size a fused step reads plus writes (p, g and the state).
ARRAYS_MOVED = {
    "SGD momentum": 5,      # read p, g, b; write p, b
    "AdaGrad": 5,           # read p, g, G; write p, G
    "RMSProp": 5,           # read p, g, v; write p, v
    "Adam": 7,              # read p, g, m, v; write p, m, v
    "AdamW": 7,
}


def bound_ms(name, n, itemsize, gbps) -> float:
    """The fastest a step can be: bytes moved / bandwidth, in milliseconds."""
    return ARRAYS_MOVED[name] * n * itemsize / (gbps * 1e9) * 1e3


def _best_seconds(fn, repeats, sync=lambda: None):
    fn()
    sync()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def measure(xp, n=None, repeats=5, dtype="float32") -> dict:
    """GB/s of ``a = b + c`` (3 arrays of ``n`` elements counted, as STREAM does), per method.

    NumPy runs it on one core; numba (``prange``) and torch on all of them when they are
    installed. ``best`` is the highest: the bound a multi-threaded kernel could reach.
    """
    if xp.__name__ == "cupy":
        return _measure_cupy(xp, n or (1 << 28), repeats, dtype)
    n = n or (1 << 24)                                  # 64 MiB per float32 array: twice the L3 here
    b, c = np.ones(n, dtype), np.ones(n, dtype)
    a = np.empty_like(b)
    nbytes = 3 * a.nbytes
    result = {"numpy": nbytes / _best_seconds(lambda: np.add(b, c, out=a), repeats) / 1e9}
    try:
        from numba import njit, prange

        @njit(parallel=True, cache=True)
        def add(a, b, c):
            for i in prange(a.size):
                a[i] = b[i] + c[i]
        result["numba"] = nbytes / _best_seconds(lambda: add(a, b, c), repeats) / 1e9
    except ImportError:
        pass
    try:
        import torch
        ta, tb, tc = (torch.from_numpy(x) for x in (a, b, c))
        result["torch"] = nbytes / _best_seconds(lambda: torch.add(tb, tc, out=ta), repeats) / 1e9
    except ImportError:
        pass
    best = max(result, key=result.get)
    return {"gbps": result, "best": result[best], "method": best, "n": n, "dtype": dtype}


def _measure_cupy(cp, n, repeats, dtype):
    free = cp.cuda.runtime.memGetInfo()[0]
    n = min(n, int(free * 0.6) // (3 * np.dtype(dtype).itemsize))
    b, c = cp.ones(n, dtype), cp.ones(n, dtype)
    a = cp.empty_like(b)
    sync = cp.cuda.Device().synchronize
    gbps = 3 * a.nbytes / _best_seconds(lambda: cp.add(b, c, out=a), repeats, sync) / 1e9
    return {"gbps": {"cupy": gbps}, "best": gbps, "method": "cupy", "n": n, "dtype": dtype}
