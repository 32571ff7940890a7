"""The real CuPy without a GPU, for the tests marked cupy_api (run by .ci/cupy-api).

``host(a)``: a real ``cupy.ndarray`` over a NumPy buffer (``cupy.cuda.memory.UnownedMemory``),
which needs no device to exist: its type, shape, dtype, strides and flags are CuPy's own, so
every check coursekit makes before computing sees what it sees on a GPU. Computing with it
raises CuPy's "no CUDA driver" error (``CUDARuntimeError``), the only error :func:`reaches_cuda`
accepts: it means the call got through coursekit's checks to CuPy's first CUDA call.
"""
import os

import numpy as np
import pytest

if os.environ.get("COURSEKIT_REQUIRE_CUPY"):   # .ci/cupy-api: a missing CuPy fails, never skips
    import cupy
else:
    cupy = pytest.importorskip("cupy", reason="needs the real CuPy package, not a GPU (see .ci/cupy-api)")
from cupy_backends.cuda.api import driver, runtime  # noqa: E402


def _no_device() -> bool:
    try:
        return runtime.getDeviceCount() < 1
    except runtime.CUDARuntimeError:
        return True


if not _no_device():   # host memory passed to a real device would be read as device addresses
    if os.environ.get("COURSEKIT_REQUIRE_CUPY"):
        raise RuntimeError("a CUDA device is visible: run with CUDA_VISIBLE_DEVICES='' (as .ci/cupy-api does)")
    pytest.skip("a CUDA device is visible: the tests marked gpu run there instead "
                "(.ci/cupy-api hides it with CUDA_VISIBLE_DEVICES='')", allow_module_level=True)


def host(a, dtype=None):
    """A cupy.ndarray viewing a copy of ``a`` in host memory (no device needed)."""
    a = np.ascontiguousarray(np.array(a, dtype=dtype))
    mem = cupy.cuda.memory.UnownedMemory(a.ctypes.data, max(a.nbytes, 1), a, device_id=0)
    return cupy.ndarray(a.shape, a.dtype, cupy.cuda.memory.MemoryPointer(mem, 0))


NO_CUDA = ("cudaErrorInsufficientDriver", "cudaErrorNoDevice", "CUDA_ERROR_NO_DEVICE",
           "CUDA_ERROR_NOT_INITIALIZED", "no CUDA driver", "no usable GPU", "is not usable here")


def is_no_cuda(exc) -> bool:
    """Is ``exc`` CuPy's "no CUDA driver / device" error (or coursekit's report of it)?"""
    return any(s in str(exc) for s in NO_CUDA) and (
        isinstance(exc, (runtime.CUDARuntimeError, driver.CUDADriverError, RuntimeError, SystemExit)))


def reaches_cuda(fn, *args, **kwargs):
    """Call ``fn``; it must return, or fail only at CuPy's first CUDA call (no driver here).

    Returns ``(True, result)`` or ``(False, the CUDA error)``; any other exception is re-raised
    (coursekit refused a CuPy array, or used a name CuPy lacks).
    """
    try:
        return True, fn(*args, **kwargs)
    except BaseException as exc:  # SystemExit included: `python -m coursekit.bench --backend cupy`
        if isinstance(exc, (runtime.CUDARuntimeError, driver.CUDADriverError)) and is_no_cuda(exc):
            return False, exc
        raise
