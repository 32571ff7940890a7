"""What kind of point an iteration stopped at: minimum, saddle, maximum, or not stationary.

A stationary point (gradient ~ 0) is classified by the signs of its Hessian's eigenvalues:
all positive, a minimum; all negative, a maximum; both signs, a saddle. Pure Newton
solves grad f = 0 and can end at any of the three; this is how chapter 3 counts them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["stationary_kind"]


def stationary_kind(landscape, x, *, grad_tol=1e-6, eig_tol=1e-9) -> str:
    """"minimum", "maximum", "saddle", "degenerate" (a zero eigenvalue) or "not stationary"
    (non-finite x, or |grad f(x)| > ``grad_tol``), for a landscape with ``grad`` and ``hessian``."""
    x = np.asarray(x, float)
    if not np.all(np.isfinite(x)):
        return "not stationary"
    g = np.asarray(landscape.grad(x), float)
    if not (np.all(np.isfinite(g)) and np.linalg.norm(g) <= grad_tol):
        return "not stationary"
    H = np.asarray(landscape.hessian(x), float)
    ev = np.linalg.eigvalsh((H + H.T) / 2)
    scale = max(1.0, float(np.max(np.abs(ev))))
    if np.any(np.abs(ev) <= eig_tol * scale):
        return "degenerate"
    if np.all(ev > 0):
        return "minimum"
    if np.all(ev < 0):
        return "maximum"
    return "saddle"
