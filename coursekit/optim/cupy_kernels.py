"""Fused GPU kernels (CuPy): each update is one elementwise kernel, one pass over memory.

The kernel's source is generated from the optimizer's ``element`` function per option set
(:mod:`.cuda_source`: a switched-off term is not in it) and compiled once per set and dtype
(``cupy.ElementwiseKernel`` caches the binary). Every operation is the reference's, in its
order; derived scalars (``1 - beta``, ``lr / (1 - beta1^t)``, ...) come from the class's
``scalars`` on the host, cast to the parameters' dtype, and hyperparameter arrays broadcast
inside the kernel (R configurations in one launch). Compiled with ``--fmad=false``, so
``a * b + c`` is not fused and, with CUDA's IEEE division and square root, the kernels compute
the reference's float operations; the ``gpu`` tests hold them within 2 ulp. Two differences
from NumPy remain (docs/gpu.md): CuPy compiles every kernel with ``-ftz=true``, so float32
subnormals (below ~1.18e-38) are read and written as 0; and AMSGrad's ``max(v_max, v)`` is
CUDA's ``max``, which drops a NaN (``numpy.maximum`` keeps it: after a NaN gradient the GPU's
``v_max`` keeps its old value; the parameter is NaN on both). Without a GPU, .ci/cupy-api
compiles every reachable kernel with NVRTC (sm_80, sm_90) from CuPy's own code generator
(tests/test_cupy_kernels.py).
"""
from __future__ import annotations

import functools

from . import cuda_source, elementwise

__all__ = ["update", "kernel"]

_OPTIONS = ("--fmad=false",)


@functools.lru_cache(maxsize=None)
def kernel(cls, live, dead, flags):
    """``(cupy.ElementwiseKernel, input names)`` of ``cls`` for live/dead state and ``flags`` pairs."""
    import cupy
    ins, outs, op, inputs = cuda_source.source(cls.element, ("p", *live), dict(flags), dead)
    tag = "_".join(k for k, v in flags if v)
    name = f"coursekit_{cls.__name__.lower()}{'_' + tag if tag else ''}"
    return cupy.ElementwiseKernel(ins, outs, op, name, options=_OPTIONS, no_return=True), inputs


def update(cls, p, g, s, t, h):
    """One step of optimizer class ``cls`` on ``p``, in place."""
    states, scalars, flags = elementwise.prepare(cls, p, s, t, h)
    live, dead = elementwise.liveness(states, s)
    k, inputs = kernel(cls, live, dead, tuple(sorted(flags.items())))
    c = p.dtype.type
    values = {"g": g, **{n: v if hasattr(v, "shape") else c(v) for n, v in scalars.items()}}
    k(*(values[n] for n in inputs), p, *(s[n] for n in live))
