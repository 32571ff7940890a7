"""One optimizer step as a function of one coordinate: what the fast paths share.

Beside its ``reference_update`` (the readable math), an optimizer with fast paths writes::

    scalars(t, **h) -> (scalars, flags)     host side: derived scalars (lr / (1 - beta1^t),
                                            1 - beta, ...) and the option flags of the step
    element(p, g, *state, *scalars, *flags) -> (p, *state)
                                            one coordinate's step: the reference's operations
                                            in its order; the flags (bools, passed by keyword)
                                            switch terms on and off
    lazy = {state: flag}                    entries that stay ``None`` until the first step with
                                            ``flag`` on (the element's last flag ``first`` is then
                                            True)

``element`` uses ``+ - * /``, ``np.sqrt``, ``np.maximum``, ``np.sign`` and ``if flag:`` only, so
one function serves every path: :mod:`.numba_kernels` compiles it inside a parallel loop,
:mod:`.numpy_source` writes it as in-place NumPy calls for :mod:`.inplace`'s blocks,
:mod:`.cuda_source` translates it to CUDA C for
:mod:`.cupy_kernels`.
"""
from __future__ import annotations

import functools
import inspect

from coursekit.backend import get_namespace

__all__ = ["has_fast_paths", "layout", "prepare", "liveness"]


def has_fast_paths(cls) -> bool:
    """Does the class that wrote the ``reference_update`` in use also write ``scalars``?
    (A subclass that rewrites the math without them runs its own math, the reference.)"""
    for klass in cls.__mro__:
        if "reference_update" in vars(klass):
            return "scalars" in vars(klass) and getattr(cls, "element", None) is not None
    return False


@functools.lru_cache(maxsize=None)
def layout(element, scalars: tuple, flags: tuple) -> tuple:
    """The state names of ``element(p, g, *state, *scalars, *flags)`` (``flags`` may lack ``first``)."""
    names = list(inspect.signature(element).parameters)
    if names and names[-1] == "first" and "first" not in flags:
        flags = (*flags, "first")
    states = tuple(names[2:len(names) - len(scalars) - len(flags)])
    if names[:2] != ["p", "g"] or names[2 + len(states):] != [*scalars, *flags]:
        raise TypeError(f"{element.__qualname__} must take (p, g, *state, {', '.join(scalars + flags)})")
    return states


def prepare(cls, p, s, t, h) -> tuple[tuple, dict, dict]:
    """``(state names, scalars, flags)`` of step ``t`` of ``cls`` on ``p``; allocates lazy state."""
    scalars, flags = cls.scalars(t, **h)
    states = layout(cls.element, tuple(scalars), tuple(flags))
    first = False
    for name, flag in getattr(cls, "lazy", {}).items():
        if flags[flag] and s[name] is None:
            s[name] = get_namespace(p).empty_like(p)
            first = True
    if getattr(cls, "lazy", None):
        flags["first"] = first
    return states, scalars, flags


def liveness(states, s) -> tuple[tuple, tuple]:
    """``(live, dead)``: the names of ``states`` whose arrays exist in ``s``, and those that are None."""
    return tuple(k for k in states if s[k] is not None), tuple(k for k in states if s[k] is None)
