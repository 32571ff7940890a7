"""Backtracking line search with the Armijo (sufficient decrease) condition.

Start from ``lr`` and shrink it until

    f(x + t d) <= f(x) + c t grad^T d,

which, for a descent direction (grad^T d < 0), asks for a decrease at least a fraction
``c`` of what the linear model promises (Nocedal & Wright, Numerical Optimization, 3.1).
"""
from __future__ import annotations

from coursekit import backend

from ._record import floating, positive

__all__ = ["backtracking"]


def backtracking(f, x, direction, grad, *, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60) -> float:
    """The Armijo step size along ``direction`` from ``x`` (a float).

    f: callable x -> value; grad: the gradient at x; direction: a descent direction
    (``grad @ direction < 0``, else ValueError). lr: the first step tried;
    shrink in (0, 1): the factor applied on each rejection; c in (0, 1): the Armijo constant.
    After ``max_shrinks`` rejections the last (tiny) step is returned.
    """
    xp = backend.get_namespace(x, direction, grad)
    x, d, g = floating(x, "x", xp), floating(direction, "direction", xp), floating(grad, "grad", xp)
    if d.shape != x.shape or g.shape != x.shape:
        raise ValueError(f"direction and grad must have x's shape {x.shape}, got {d.shape} and {g.shape}")
    t, shrink, c = positive(lr, "lr"), positive(shrink, "shrink"), positive(c, "c")
    if shrink >= 1 or c >= 1:
        raise ValueError(f"shrink and c must be in (0, 1), got shrink={shrink}, c={c}")
    slope = float(xp.sum(g * d))
    if not slope < 0:
        raise ValueError(f"direction is not a descent direction: grad @ direction = {slope:.3g} >= 0")
    fx = float(f(x))
    for _ in range(max_shrinks):
        if float(f(x + t * d)) <= fx + c * t * slope:
            return t
        t *= shrink
    return t
