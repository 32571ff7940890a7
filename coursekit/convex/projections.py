"""Euclidean projections onto simple convex sets, vectorized over leading axes.

P_C(x) = argmin_{z in C} |z - x|: the nearest feasible point. All three are exact and
closed form (the simplex by sorting: Held, Wolfe & Crowder 1974; Duchi et al., ICML 2008).
"""
from __future__ import annotations

from coursekit import backend

from ._record import floating, positive

__all__ = ["project_box", "project_ball", "project_simplex"]


def project_box(x, low, high):
    """Clip every coordinate into [low, high] (low, high: numbers or arrays broadcasting with x)."""
    xp = backend.get_namespace(x)
    x = floating(x, "x", xp)
    low, high = floating(low, "low", xp), floating(high, "high", xp)
    if bool(xp.any(low > high)):
        raise ValueError("low must be <= high in every coordinate")
    try:
        return xp.minimum(xp.maximum(x, low), high)
    except ValueError:
        raise ValueError(f"low and high must broadcast with x's shape {x.shape}, "
                         f"got {low.shape} and {high.shape}") from None


def project_ball(x, radius, center=0.0):
    """The nearest point of the ball |z - center| <= radius (Euclidean norm over the last axis).

    Points inside are returned unchanged; points outside are pulled along the ray to the center.
    """
    xp = backend.get_namespace(x)
    x = floating(x, "x", xp)
    radius = positive(radius, "radius")
    c = floating(center, "center", xp)
    if c.ndim and c.shape[-1] not in (1, x.shape[-1]):
        raise ValueError(f"center must have x's last dimension {x.shape[-1]}, got shape {c.shape}")
    y = x - c
    norm = xp.linalg.norm(y, axis=-1, keepdims=True)
    scale = radius / xp.maximum(norm, radius)    # 1 inside the ball, radius/|y| outside
    return c + y * scale


def project_simplex(x, total=1.0):
    """The nearest point of {z >= 0, sum(z) = total} (over the last axis), by sorting.

    With u = x sorted decreasingly and rho the largest j with u_j > (sum_{i<=j} u_i - total)/j,
    the result is max(x - theta, 0) with theta = (sum_{i<=rho} u_i - total) / rho.
    """
    xp = backend.get_namespace(x)
    x = floating(x, "x", xp)
    total = positive(total, "total")
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"x must have a non-empty last axis, got shape {x.shape}")
    u = xp.flip(xp.sort(x, axis=-1), axis=-1)
    css = xp.cumsum(u, axis=-1) - total
    j = xp.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    rho = xp.sum(u - css / j > 0, axis=-1, keepdims=True)          # >= 1 always
    theta = xp.take_along_axis(css, rho - 1, axis=-1) / rho
    return xp.maximum(x - theta, 0.0)
