"""The KKT conditions at a candidate solution of a box- or ball-constrained problem.

For min f(x) subject to g_i(x) <= 0, a point x* is optimal (f convex, constraints convex
and Slater's condition holding) iff there are multipliers nu_i >= 0 with

    stationarity     grad f(x*) + sum_i nu_i grad g_i(x*) = 0
    primal feasible  g_i(x*) <= 0
    dual feasible    nu_i >= 0
    complementary    nu_i g_i(x*) = 0.

The functions below recover the multipliers from the gradient and report each residual.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KKT", "kkt_box", "kkt_ball"]


@dataclass
class KKT:
    """Multipliers and the four residuals (each >= 0; all near 0 at an optimum)."""

    multipliers: np.ndarray
    stationarity: float
    feasibility: float
    dual_feasibility: float
    complementarity: float

    @property
    def residual(self) -> float:
        """The largest of the four residuals."""
        return max(self.stationarity, self.feasibility, self.dual_feasibility, self.complementarity)


def kkt_box(x, grad, low, high, *, active_tol=1e-8):
    """KKT residuals for low <= x <= high. Multipliers: (lower, upper) arrays, from the gradient
    on the active bounds (|x - bound| <= active_tol)."""
    x, g = np.asarray(x, dtype=float), np.asarray(grad, dtype=float)
    low, high = np.broadcast_to(low, x.shape).astype(float), np.broadcast_to(high, x.shape).astype(float)
    at_low, at_high = np.abs(x - low) <= active_tol, np.abs(x - high) <= active_tol
    nu_low, nu_high = np.where(at_low, g, 0.0), np.where(at_high, -g, 0.0)   # g - nu_low + nu_high = 0
    stationarity = np.linalg.norm(g - nu_low + nu_high)
    feasibility = max(0.0, float(np.max(low - x)), float(np.max(x - high)))
    dual = max(0.0, -float(np.min(nu_low)), -float(np.min(nu_high)))
    complementarity = float(np.max(np.abs(nu_low * (x - low))) + np.max(np.abs(nu_high * (high - x))))
    return KKT(np.stack([nu_low, nu_high]), float(stationarity), feasibility, dual, complementarity)


def kkt_ball(x, grad, radius, center=0.0, *, active_tol=1e-8):
    """KKT residuals for |x - center|^2 <= radius^2. The multiplier nu of that constraint
    is the least-squares fit of grad + 2 nu (x - center) = 0 when the constraint is active."""
    x, g = np.asarray(x, dtype=float), np.asarray(grad, dtype=float)
    y = x - np.asarray(center, dtype=float)
    slack = float(y @ y) - radius ** 2
    nu = -float(g @ y) / (2 * float(y @ y)) if abs(np.sqrt(y @ y) - radius) <= active_tol else 0.0
    stationarity = float(np.linalg.norm(g + 2 * nu * y))
    return KKT(np.array([nu]), stationarity, max(0.0, slack), max(0.0, -nu), abs(nu * slack))
