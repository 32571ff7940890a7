"""Which code runs an optimizer step, chosen per parameter when the optimizer is built.

==========  =================================================================  ==================
path        what runs                                                          equal to reference
==========  =================================================================  ==================
reference   ``<Class>.reference_update``: the math, Array API calls only        (it is the math)
numpy       :mod:`.inplace`: the same NumPy operations in place, block by block  bit for bit
numba       :mod:`.numba_kernels`: ``element`` in one parallel loop per option set tests: <= 1 ulp
cupy        :mod:`.cupy_kernels`: ``element`` translated to one CUDA kernel per set tests: <= 2 ulp
==========  =================================================================  ==================

``fast=None`` (default) or ``True``: CuPy arrays take "cupy"; NumPy arrays of fewer than
``MIN_SIZE[path]`` elements the reference (faster there, and a learner stepping through in
a debugger lands in the math); larger NumPy arrays "numba" when numba imports and the
environment variable ``COURSEKIT_FAST`` is not ``0``, else "numpy". Other array modules
(``array_api_strict``) always take the reference. ``fast=False`` is the reference
everywhere; a path's name forces it. The numba path hands a step with array
hyperparameters or non-contiguous arrays to the numpy path. The cupy path differs from NumPy
in two documented places (docs/gpu.md): float32 subnormals flushed to 0 (``-ftz=true``), and
AMSGrad's ``max`` dropping a NaN.
"""
from __future__ import annotations

import functools
import importlib
import os

from coursekit.backend import is_cupy, is_numpy

from . import inplace

__all__ = ["PATHS", "MIN_SIZE", "numba_enabled", "check_fast", "choose", "update"]

PATHS = ("reference", "numpy", "numba", "cupy")
#: Below these sizes (elements) the reference update is faster: ``benchmarks/tune_block.py``.
MIN_SIZE = {"numpy": 16384, "numba": 8192}


@functools.lru_cache(maxsize=None)
def _numba_importable() -> bool:
    try:
        importlib.import_module("numba")
    except Exception:       # not installed, or broken against this NumPy
        return False
    return True


def numba_enabled() -> bool:
    """numba imports and ``COURSEKIT_FAST`` is not ``"0"`` (read now, at each call)."""
    return os.environ.get("COURSEKIT_FAST", "1").strip() != "0" and _numba_importable()


def check_fast(fast, xp, kernel):
    """Validate the ``fast`` argument of an optimizer (``ValueError`` naming it); ``kernel``:
    the class whose ``element`` runs the fast paths, ``None`` when there is none."""
    native = is_numpy(xp) or is_cupy(xp)
    if fast is None or isinstance(fast, bool):
        if fast and not native:
            raise ValueError(f"fast=True needs NumPy or CuPy arrays, got {xp.__name__}")
        return fast
    if fast not in PATHS:
        raise ValueError(f"fast must be None, True, False or one of {PATHS}, got {fast!r}")
    if fast == "reference":
        return fast
    if kernel is None:
        raise ValueError(f"fast={fast!r}: this optimizer has no fast kernel (its math is its own)")
    if fast == "cupy" and not is_cupy(xp) or fast in ("numpy", "numba") and not is_numpy(xp):
        raise ValueError(f"fast={fast!r} does not run on {xp.__name__} arrays")
    if fast == "numba" and not _numba_importable():
        raise ValueError("fast='numba' needs numba: pip install 'coursekit[fast]'")
    return fast


def choose(fast, xp, p, kernel) -> str:
    """The path for parameter ``p`` (see the table above)."""
    if isinstance(fast, str):
        return fast
    if fast is False or kernel is None:
        return "reference"
    if is_cupy(xp):
        return "cupy"
    if not is_numpy(xp):
        return "reference"
    if p.size < min(MIN_SIZE.values()):
        return "reference"                           # decided without importing numba
    path = "numba" if numba_enabled() else "numpy"
    return path if p.size >= MIN_SIZE[path] else "reference"


def update(path, cls, p, g, s, t, h, work):
    """Run one in-place step of optimizer class ``cls`` on ``p`` by ``path``; returns the scratch."""
    if path == "numba":
        numba_kernels = importlib.import_module(".numba_kernels", __package__)
        if numba_kernels.supports(p, g, s, h):
            numba_kernels.update(cls, p, g, s, t, h)
            return work
        path = "numpy"
    if path == "numpy":
        return inplace.step(cls, p, g, s, t, h, work)
    importlib.import_module(".cupy_kernels", __package__).update(cls, p, g, s, t, h)
    return work
