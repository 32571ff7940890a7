"""Test landscapes: functions R^d -> R with value, gradient and Hessian written out by hand.

Every landscape ``f`` takes points ``x`` of shape ``(..., d)`` (leading axes are batch axes;
NumPy, CuPy or any Array API array) and provides::

    f(x) == f.value(x)        shape x.shape[:-1]
    f.grad(x)                 shape x.shape
    f.hessian(x)              shape x.shape + (d,)
    f.value_and_grad(x)       (value, grad), the form coursekit.minimize expects
    f.dim, f.name, f.window   ((xmin, xmax), (ymin, ymax)) for contour plots
    f.minimizers (k, d), f.minimum, f.bounded_below, f.stationary_points [(point, kind)]

``functions.get("rosenbrock", b=10)`` builds one by name; ``functions.LANDSCAPES`` maps
the names to the classes.
"""
from __future__ import annotations

from coursekit.functions.base import KINDS, Landscape
from coursekit.functions.classic import Beale, Himmelblau, Rosenbrock
from coursekit.functions.multimodal import MultiModal
from coursekit.functions.quadratic import Quadratic, Ravine
from coursekit.functions.saddles import CubicSaddles, Saddle

__all__ = ["Landscape", "KINDS", "Quadratic", "Ravine", "Rosenbrock", "Beale", "Himmelblau",
           "Saddle", "CubicSaddles", "MultiModal", "LANDSCAPES", "get"]

LANDSCAPES = {cls.name: cls for cls in (Quadratic, Rosenbrock, Beale, Himmelblau, Saddle,
                                        CubicSaddles, MultiModal, Ravine)}


def get(name, **kwargs):
    """The landscape called ``name`` (a key of ``LANDSCAPES``, any case), built with ``kwargs``."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(name, str) else None
    if key not in LANDSCAPES:
        raise ValueError(f"name must be one of {sorted(LANDSCAPES)}, got {name!r}")
    return LANDSCAPES[key](**kwargs)
