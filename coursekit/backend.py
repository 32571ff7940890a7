"""Array backend: NumPy on the CPU, CuPy on an NVIDIA GPU.

The bottom layer of coursekit: it imports nothing else from the package.

Library code never picks a module itself; it asks the data::

    xp = backend.get_namespace(params, grads)
    xp.sqrt(v)                      # numpy.sqrt, cupy.sqrt, or any Array API namespace

Notebooks choose where *new* arrays live with ``backend.use("numpy" | "cupy" | "auto")``
(or the environment variable ``COURSEKIT_BACKEND``) and create them with
``backend.asarray``. ``backend.to_numpy`` brings results back for plotting.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy

__all__ = ["use", "xp", "name", "get_namespace", "is_array", "asarray", "copy", "to_numpy",
           "vector_norm", "synchronize", "gpu_available", "gpu_unavailable_reason", "describe",
           "is_numpy", "is_cupy", "CUPY_FALLBACKS"]

#: The Array API names coursekit needs that CuPy (>= 14.1, the floor of the ``gpu`` extra) lacks,
#: each with its one fallback, here: call ``backend.<function>`` instead of ``xp.<name>``.
CUPY_FALLBACKS = {"linalg.vector_norm": "vector_norm"}

_CHOICES = ("numpy", "cupy", "auto")

xp = numpy          #: the active array module (numpy or cupy)
name = "numpy"      #: its name
_probe: tuple[bool, str] | None = None   # cached (usable, reason) of the GPU probe
_auto_warned = False                     # use("auto") says once that it fell back


def _probe_gpu() -> tuple[bool, str]:
    """Try CuPy for real: import, count devices, allocate and compute. Never raises."""
    try:
        import cupy
    except Exception as exc:  # ImportError, or a broken install raising anything
        return False, f"CuPy is not installed or failed to import ({type(exc).__name__}: {exc})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError without a driver
        return False, f"CuPy {cupy.__version__} is installed but found no CUDA driver ({type(exc).__name__}: {exc})"
    if count < 1:
        return False, f"CuPy {cupy.__version__} is installed but sees no CUDA device"
    try:
        probe = cupy.arange(4, dtype=cupy.float64)
        if float((probe * probe).sum()) != 14.0:
            return False, "the GPU computed a wrong result on a probe (1+4+9 != 14)"
    except Exception as exc:
        return False, f"CuPy sees {count} device(s) but could not allocate or compute ({type(exc).__name__}: {exc})"
    return True, ""


def _gpu_state() -> tuple[bool, str]:
    global _probe
    if _probe is None:
        _probe = _probe_gpu()
    return _probe


def gpu_available() -> bool:
    """True when CuPy imports and a CUDA device can allocate and compute. Never raises."""
    return _gpu_state()[0]


def gpu_unavailable_reason() -> str:
    """Why there is no usable GPU ('' when there is one)."""
    return _gpu_state()[1]


def use(backend: str = "numpy") -> None:
    """Select the module for new arrays: ``"numpy"``, ``"cupy"`` or ``"auto"``.

    ``"cupy"`` raises ``RuntimeError`` saying why when no GPU is usable;
    ``"auto"`` takes CuPy when it works and otherwise falls back to NumPy,
    warning once with the reason.
    """
    global xp, name
    if not isinstance(backend, str) or backend.lower() not in _CHOICES:
        raise ValueError(f"backend must be one of {_CHOICES}, got {backend!r}")
    backend = backend.lower()
    if backend == "numpy":
        xp, name = numpy, "numpy"
        return
    ok, why = _gpu_state()
    if ok:
        import cupy
        xp, name = cupy, "cupy"
    elif backend == "cupy":
        raise RuntimeError(f"backend 'cupy' is not usable here: {why}")
    else:
        global _auto_warned
        if not _auto_warned:
            warnings.warn(f"coursekit: no usable GPU ({why}); using NumPy", stacklevel=2)
            _auto_warned = True
        xp, name = numpy, "numpy"


def is_cupy(module) -> bool:
    return getattr(module, "__name__", "").split(".")[0] == "cupy"


def is_numpy(module) -> bool:
    return module is numpy


def _is_cupy_array(x) -> bool:
    return type(x).__module__.split(".")[0] == "cupy"   # cupy.ndarray: no __array_namespace__


def is_array(x) -> bool:
    """Whether ``x`` is an array: a NumPy or CuPy array (``cupy.ndarray`` has no
    ``__array_namespace__`` in any release), or an array of another Array API module
    (``array_api_strict`` in the tests): it has a shape, a dtype and ``__array_namespace__``."""
    if isinstance(x, numpy.ndarray):
        return True
    return hasattr(x, "shape") and hasattr(x, "dtype") and (
        _is_cupy_array(x) or hasattr(x, "__array_namespace__"))


def get_namespace(*arrays):
    """The array module of the given arrays (Python scalars and None are ignored).

    NumPy arrays give ``numpy``, CuPy arrays ``cupy``, any other Array API array
    (``array_api_strict`` in the tests) its ``__array_namespace__()``. With no
    array among the arguments: ``numpy``. Mixing modules raises ``TypeError``.
    """
    found = None
    for a in _flatten(arrays):
        if isinstance(a, (numpy.ndarray, numpy.generic)):
            ns = numpy
        elif _is_cupy_array(a):                            # any CuPy version, with or without
            ns = sys.modules["cupy"]                       # __array_namespace__
        elif hasattr(a, "__array_namespace__"):
            ns = a.__array_namespace__()
            if getattr(ns, "__name__", "") == "numpy":
                ns = numpy
        else:  # Python scalars, None, anything that is not an array
            continue
        if found is None:
            found = ns
        elif ns is not found:
            raise TypeError(f"arrays from different modules mixed: {found.__name__} and {ns.__name__}")
    return numpy if found is None else found


def _flatten(items):
    for a in items:
        if isinstance(a, (list, tuple)):
            yield from _flatten(a)
        else:
            yield a


def asarray(x, dtype=None):
    """``x`` as an array of the active module (see :func:`use`)."""
    return xp.asarray(x, dtype=dtype)


def copy(a, xp=None):
    """A copy of the array ``a`` as an array of module ``xp`` (default: ``a``'s own):
    ``xp.asarray(a, copy=True)``, spelled ``xp.array(a, copy=True)`` for NumPy and CuPy,
    whose ``asarray`` differ in signature."""
    xp = get_namespace(a) if xp is None else xp
    if is_numpy(xp) or is_cupy(xp):
        return xp.array(a, copy=True)
    return xp.asarray(a, copy=True)


def to_numpy(x):
    """A NumPy copy (or view) of ``x``, wherever it lives; lists and tuples element-wise."""
    if isinstance(x, (list, tuple)):
        return type(x)(to_numpy(e) for e in x)
    if isinstance(x, (numpy.ndarray, numpy.generic)):
        return numpy.asarray(x)
    if is_cupy(get_namespace(x)):
        return x.get()
    try:
        return numpy.asarray(x)
    except Exception:
        # Array API arrays without the buffer protocol: go through DLPack, then Python lists
        try:
            return numpy.from_dlpack(x)
        except Exception:
            return numpy.asarray(x.tolist() if hasattr(x, "tolist") else list(x))


def vector_norm(x):
    """The 2-norm of all entries of ``x`` as a 0-d array of its module: ``xp.linalg.vector_norm``
    (Array API), spelled ``cupy.linalg.norm`` on CuPy, which has no ``vector_norm``."""
    xp = get_namespace(x)
    flat = xp.reshape(x, (-1,))
    if is_cupy(xp):
        return xp.linalg.norm(flat)
    return xp.linalg.vector_norm(flat)


def synchronize(xp) -> None:
    """Wait for the GPU's queued work when ``xp`` is CuPy (a clock read before it would time the
    launch, not the kernel); nothing for any other module."""
    if is_cupy(xp):
        xp.cuda.get_current_stream().synchronize()


def describe() -> str:
    """A few lines: versions, the active backend, the GPU's name or why there is none."""
    lines = [f"coursekit backend: {name}",
             f"python {sys.version.split()[0]}, numpy {numpy.__version__}"]
    ok, why = _gpu_state()
    if ok:
        import cupy
        dev = cupy.cuda.Device()
        props = cupy.cuda.runtime.getDeviceProperties(dev.id)
        gpu = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        mem = dev.mem_info[1] / 2**30
        lines.append(f"cupy {cupy.__version__}, GPU {dev.id}: {gpu} ({mem:.1f} GiB)")
    else:
        lines.append(f"no GPU: {why}")
    return "\n".join(lines)


# The environment chooses the starting backend; "auto" never fails, "cupy" fails loudly.
_env = os.environ.get("COURSEKIT_BACKEND", "").strip()
if _env:
    use(_env)
