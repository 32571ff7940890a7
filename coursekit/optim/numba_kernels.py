"""Fused CPU kernels (numba, optional ``fast`` extra): each update is one parallel loop.

One pass over memory per step instead of one per operation, split over the machine's cores
(``prange``). The loop body is the optimizer's ``element`` function (:mod:`.elementwise`),
compiled with ``inline="always"`` and called with the option flags as literal constants, so a
switched-off term is not in the loop; one loop per option set, compiled once per dtype and
cached on disk (:func:`cache_dir`).
Scalars are cast to the parameters' dtype first and ``element`` does the reference's operations
in its order, so float32 stays float32. numba does not contract ``a * b + c`` into a fused
multiply-add unless ``fastmath`` is on (it is off here); on this x86-64 machine the kernels
equal the reference bit for bit, and the tests allow 1 ulp (``rtol`` 2**-23 / 2**-52) for
targets where LLVM fuses anyway. Array hyperparameters and non-contiguous arrays go to
:mod:`.inplace`.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import os
import sys
import tempfile
from pathlib import Path

import numba
from numba import njit, prange

from . import elementwise

__all__ = ["update", "supports", "cache_dir", "PARALLEL_MIN"]

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
    The loop's source is written to a file named by a hash of it and of ``element``'s code (in
    :func:`cache_dir`), so numba caches the compiled loop on disk, and a changed element gets
    a new file; where no file can be written the loop is compiled from memory, uncached.
    """
    args = ", ".join(["p", "g", *states, *scalars])
    call = ", ".join(["p[i]", "g[i]", *(f"{k}[i]" for k in states), *scalars,
                      *(f"{k}={bool(v)}" for k, v in flags)])
    outs = ["p", *(k for k in states if k in live)]
    body = (f"def loop({args}):\n"
            f"    for i in prange(p.size):\n"
            f"        {', '.join(f'{k}_' for k in ['p', *states])} = element({call})\n"
            + "".join(f"        {k}[i] = {k}_\n" for k in outs))
    header = (f"# the numba loop of {element.__module__}.{element.__qualname__}, written by\n"
              f"# coursekit.optim.numba_kernels.loop; its name is a hash of this text and the element's code\n"
              f"# element: {hashlib.sha256(inspect.getsource(element).encode()).hexdigest()}\n"
              f"import importlib\n\nimport numba\nfrom numba import prange\n\n"
              f"_owner = importlib.import_module({element.__module__!r})\n"
              + "".join(f"_owner = getattr(_owner, {part!r})\n" for part in element.__qualname__.split("."))
              + "element = numba.njit(inline=\"always\")(_owner)\n\n\n"
              "@numba.njit(parallel=True, fastmath=False, nogil=True, cache=True)\n")
    code = header + body
    path = _write(code)
    if path is not None:
        name = f"coursekit_numba_{path.stem}"            # numba's disk cache imports the module by name
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        return module.loop
    env = {"prange": prange, "element": njit(inline="always")(element)}
    exec(compile(body, f"<coursekit loop of {element.__qualname__}>", "exec"), env)
    return _jit(env["loop"])


def cache_dir() -> Path:
    """Where the loops' sources (and numba's cache of them) go: ``$COURSEKIT_CACHE_DIR/numba``,
    else ``$XDG_CACHE_HOME/coursekit/numba`` or ``~/.cache/coursekit/numba``."""
    root = os.environ.get("COURSEKIT_CACHE_DIR")
    if root:
        return Path(root) / "numba"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coursekit" / "numba"


def _write(code):
    """The file holding ``code`` (written once, atomically), or None where it cannot be written."""
    path = cache_dir() / f"loop_{hashlib.sha256(code.encode()).hexdigest()[:24]}.py"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as f:
                f.write(code)
            os.replace(f.name, path)
        return path
    except OSError:
        return None


def update(cls, p, g, s, t, h):
    """One step of optimizer class ``cls`` on ``p``, in place."""
    states, scalars, flags = elementwise.prepare(cls, p, s, t, h)
    live, _ = elementwise.liveness(states, s)
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
