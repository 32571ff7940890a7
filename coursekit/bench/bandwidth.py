"""The machine's memory bandwidth (``a = b + c`` and a sum), and the bytes each optimizer step moves."""
from __future__ import annotations

import functools
import time

import numpy as np

from coursekit import optim

from . import contenders

__all__ = ["ARRAYS_MOVED", "measure", "bound_ms", "add_loop"]



def _arrays_moved(key, kwargs) -> int:
    """Read p, g and the state, write p and the state: 3 + 2 x (state arrays after a step)."""
    opt = optim.get(key)(np.zeros(1), **kwargs)
    opt.step(np.zeros(1))
    return 3 + 2 * sum(v is not None for v in opt.state[0].values())


#: Arrays of the parameters' size a fused step reads plus writes (p, g and the state), per bench row.
ARRAYS_MOVED = {name: _arrays_moved(*row) for name, row in contenders.OPTIMIZERS.items()}


def bound_ms(name, n, itemsize, gbps) -> float:
    """The fastest a step can be: bytes moved / bandwidth, in milliseconds."""
    return ARRAYS_MOVED[name] * n * itemsize / (gbps * 1e9) * 1e3


@functools.lru_cache(maxsize=None)
def _numba_add():
    """numba's parallel ``a = b + c`` (compiled once), or None without numba."""
    try:
        from numba import njit, prange
    except ImportError:
        return None

    @njit(parallel=True, cache=True)
    def add(a, b, c):
        for i in prange(a.size):
            a[i] = b[i] + c[i]
    return add


def _adders(a, b, c) -> dict:
    """``{name: step}``: one ``a = b + c`` on NumPy arrays by each means at hand, multi-threaded first."""
    out = {}
    add = _numba_add()
    if add is not None:
        out["numba add"] = lambda: add(a, b, c)
    try:
        import torch
        ta, tb, tc = (torch.from_numpy(x) for x in (a, b, c))
        out["torch add"] = lambda: torch.add(tb, tc, out=ta)
    except ImportError:
        pass
    out["numpy add"] = lambda: np.add(b, c, out=a)
    return out


def add_loop(xp, a, b, c):
    """``(step, arrays)``: one ``a = b + c`` over the given arrays by the fastest means at hand
    (numba's parallel loop, else torch's, else NumPy's; CuPy's on a GPU), and the arrays it
    moves: 4 on a CPU (the write first reads ``a``'s cache lines), 3 on a GPU."""
    if xp.__name__ == "cupy":
        return (lambda: xp.add(b, c, out=a)), 3
    return next(iter(_adders(a, b, c).values())), 4


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
    """GB/s per method of two loops over arrays far larger than the caches, and the best.

    ``a = b + c`` (STREAM "add") moves 4 arrays on a CPU, not the 3 STREAM counts: writing
    ``a`` first reads its cache lines (write-allocate); an optimizer step writes only
    arrays it has just read, so it pays no such read. ``sum(b)`` reads one array. ``best`` is
    the highest rate (the report's header; the bound of each step comes from :func:`add_loop`
    timed beside it). NumPy runs on one core; numba (``prange``) and torch on all of them when
    they are installed; the sum is torch's (a numba sum in order cannot use SIMD, and
    NumPy's runs on one core).
    """
    if xp.__name__ == "cupy":
        return _measure_cupy(xp, n or (1 << 28), repeats, dtype)
    n = n or (1 << 24)                                  # 64 MiB per float32 array: twice the L3 here
    b, c = np.ones(n, dtype), np.ones(n, dtype)
    a = np.empty_like(b)
    add_bytes, read_bytes = 4 * a.nbytes, b.nbytes
    result = {name: add_bytes / _best_seconds(step, repeats) / 1e9 for name, step in _adders(a, b, c).items()}
    try:
        import torch
        tb = torch.from_numpy(b)
        result["torch sum"] = read_bytes / _best_seconds(lambda: torch.sum(tb), repeats) / 1e9
    except ImportError:
        pass
    best = max(result, key=result.get)
    return {"gbps": result, "best": result[best], "method": best, "n": n, "dtype": dtype}


def _measure_cupy(cp, n, repeats, dtype):
    """On the GPU ``a = b + c`` counts 3 arrays (full-line writes need no read first) and the sum one."""
    free = cp.cuda.runtime.memGetInfo()[0]
    n = min(n, int(free * 0.6) // (3 * np.dtype(dtype).itemsize))
    b, c = cp.ones(n, dtype), cp.ones(n, dtype)
    a = cp.empty_like(b)
    sync = cp.cuda.Device().synchronize
    result = {"cupy add": 3 * a.nbytes / _best_seconds(lambda: cp.add(b, c, out=a), repeats, sync) / 1e9,
              "cupy sum": b.nbytes / _best_seconds(lambda: cp.sum(b), repeats, sync) / 1e9}
    best = max(result, key=result.get)
    return {"gbps": result, "best": result[best], "method": best, "n": n, "dtype": dtype}
