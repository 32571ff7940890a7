"""The steps being timed: coursekit's paths and torch.optim's implementations, on shared arrays.

Every contender of one size steps the same parameter and gradient arrays (torch
through zero-copy views of them) and owns only its optimizer state, so all fit
in memory at once and can be timed in turn within each repeat.
"""
from __future__ import annotations

import importlib

from coursekit import optim
from coursekit.optim import paths

__all__ = ["OPTIMIZERS", "coursekit_paths", "make", "torch_variants"]

#: name -> (coursekit optimizer, its keyword arguments): one row per ``optim.OPTIMIZERS`` entry,
#: SGD with momentum (its common use); torch.optim's class of the same name, any case, if it has one
OPTIMIZERS = {("SGD momentum" if key == "sgd" else cls.__name__): (key, {"momentum": 0.9} if key == "sgd" else {})
              for key, cls in optim.OPTIMIZERS.items()}


def _torch_class(torch, name):
    key = OPTIMIZERS[name][0]
    return next((getattr(torch.optim, n) for n in dir(torch.optim) if n.lower() == key), None)


def coursekit_paths(xp, n, reference_max):
    """The coursekit paths to time on ``xp`` arrays of ``n`` elements."""
    if xp.__name__ == "cupy":
        ways = ["cupy"]
    else:
        ways = ["numpy"] + (["numba"] if paths.numba_enabled() else [])
    return (["reference"] if n <= reference_max else []) + ways


def _torch(xp):
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        return None
    if xp.__name__ == "cupy" and not torch.cuda.is_available():
        return None
    return torch


def torch_variants(xp, name):
    """torch.optim implementations to time: default, foreach, fused (those the class has)."""
    torch = _torch(xp)
    cls = None if torch is None else _torch_class(torch, name)
    if cls is None:
        return []
    import inspect
    params = inspect.signature(cls.__init__).parameters
    return ["torch default"] + [f"torch {k}" for k in ("foreach", "fused") if k in params]


def make(xp, name, contender, p, g):
    """A no-argument function doing one step of ``contender`` on the shared ``p`` and ``g``."""
    key, kwargs = OPTIMIZERS[name]
    if not contender.startswith("torch"):
        opt = optim.get(key)(p, fast=contender, **kwargs)
        return lambda: opt.step(g)
    torch = _torch(xp)
    tp = torch.from_dlpack(p) if xp.__name__ == "cupy" else torch.from_numpy(p)
    tp.grad = torch.from_dlpack(g) if xp.__name__ == "cupy" else torch.from_numpy(g)
    variant = contender.split()[1]
    flags = {} if variant == "default" else {variant: True}
    topt = _torch_class(torch, name)([tp], **kwargs, **flags)
    return topt.step
