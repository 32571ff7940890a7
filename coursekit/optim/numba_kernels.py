"""Fused CPU kernels (numba, optional ``fast`` extra): each update is one parallel loop.

One pass over memory per step instead of one per operation, split over the machine's cores
(``prange``). The loop body is the optimizer's ``element`` function (:mod:`.elementwise`),
compiled with ``inline="always"`` and called with the option flags as literal constants, so a
switched-off term is not in the loop; one loop per option set, compiled once per dtype.
Scalars are cast to the parameters' dtype first and ``element`` does the reference's operations
in its order, so float32 stays float32. numba does not contract ``a * b + c`` into a fused
multiply-add unless ``fastmath`` is on (it is off here); on this x86-64 machine the kernels
equal the reference bit for bit, and the tests allow 1 ulp (``rtol`` 2**-23 / 2**-52) for
targets where LLVM fuses anyway. Array hyperparameters and non-contiguous arrays go to
:mod:`.inplace`.
"""
from __future__ import annotations

import functools

import numba
from numba import njit, prange

from . import elementwise

__all__ = ["update", "supports", "PARALLEL_MIN"]

_jit = njit(parallel=True, fastmath=False, nogil=True)

#: Below this many elements a kernel runs on one thread: waking the others costs more
#: than it saves (``benchmarks/tune_block.py``; on a loaded 2-core machine, milliseconds).
PARALLEL_MIN = 1 << 17


def supports(p, g, s, h) -> bool:
    """Scalar hyperparameters and C-contiguous parameter, gradient and state."""
    for v in h.values():
        if any(hasattr(e, "shape") for e in (v if isinstance(v, tuple) else (v,))):
            return False
    return all(a is None or a.flags.c_contiguous for a in (p, g, *s.values()))


@functools.lru_cache(maxsize=None)
def loop(element, states, scalars, live, flags):
    """The parallel loop of ``element`` for one option set (``flags``: ``(name, value)`` pairs).

    A state that is not ``live`` (``None``) gets ``p`` as a stand-in that is read, never written.
    """
    args = ", ".join(["p", "g", *states, *scalars])
    call = ", ".join(["p[i]", "g[i]", *(f"{k}[i]" for k in states), *scalars,
                      *(f"{k}={bool(v)}" for k, v in flags)])
    outs = ["p", *(k for k in states if k in live)]
    code = (f"def loop({args}):\n"
            f"    for i in prange(p.size):\n"
            f"        {', '.join(f'{k}_' for k in ['p', *states])} = element({call})\n"
            + "".join(f"        {k}[i] = {k}_\n" for k in outs))
    env = {"prange": prange, "element": njit(inline="always")(element)}
    exec(compile(code, f"<coursekit loop of {element.__qualname__}>", "exec"), env)
    return _jit(env["loop"])


def update(cls, p, g, s, t, h):
    """One step of optimizer class ``cls`` on ``p``, in place."""
    states, scalars, flags = elementwise.prepare(cls, p, s, t, h)
    live = tuple(k for k in states if s[k] is not None)
    kernel = loop(cls.element, states, tuple(scalars), live, tuple(sorted(flags.items())))
    c = p.dtype.type
    args = [p.reshape(-1), g.reshape(-1), *(p.reshape(-1) if s[k] is None else s[k].reshape(-1) for k in states),
            *(c(v) for v in scalars.values())]
    if p.size >= PARALLEL_MIN:
        return kernel(*args)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        kernel(*args)
    finally:
        numba.set_num_threads(threads)
