r"""The Lasso's duality gap: a certificate of how far from optimal a point is, and a stopping rule.

For :math:`F(x) = \tfrac12\lVert Ax - b\rVert^2 + \lambda\lVert x\rVert_1` the dual problem is
:math:`\max_\theta D(\theta) = \tfrac12\lVert b\rVert^2 - \tfrac12\lVert b - \theta\rVert^2` subject to
:math:`\lVert A^\top\theta\rVert_\infty \le \lambda`, and weak duality gives
:math:`D(\theta) \le F^\star \le F(x)` for every feasible :math:`\theta`. From any :math:`x`, the
residual :math:`r = b - Ax` scaled into the feasible set, :math:`\theta = r\,\min(1, \lambda/\lVert A^\top r\rVert_\infty)`,
is feasible, so :math:`F(x) - D(\theta) \ge F(x) - F^\star`: a gap that can be computed without
knowing :math:`F^\star`, and that is 0 at the solution (there :math:`\theta^\star = b - Ax^\star`).
"""
from __future__ import annotations

import numpy as np

from .lasso import lasso_objective

__all__ = ["lasso_dual_point", "lasso_dual_objective", "lasso_duality_gap"]


def _arrays(A, b, x):
    A, b, x = np.asarray(A, float), np.asarray(b, float), np.asarray(x, float)
    if A.ndim != 2 or b.shape != (A.shape[0],) or x.shape != (A.shape[1],):
        raise ValueError(f"need A (n, d), b (n,), x (d,), got {A.shape}, {b.shape}, {x.shape}")
    return A, b, x


def lasso_dual_point(A, b, x, lam):
    """The feasible dual point theta = r min(1, lam / |A^T r|_inf) built from x's residual r = b - A x."""
    A, b, x = _arrays(A, b, x)
    if not lam > 0:
        raise ValueError(f"lam must be > 0, got {lam}")
    r = b - A @ x
    top = float(np.max(np.abs(A.T @ r)))
    return r * (min(1.0, lam / top) if top > 0 else 1.0)


def lasso_dual_objective(b, theta):
    """D(theta) = 1/2 |b|^2 - 1/2 |b - theta|^2 (a lower bound on F* when theta is feasible)."""
    b, theta = np.asarray(b, float), np.asarray(theta, float)
    return 0.5 * float(b @ b) - 0.5 * float((b - theta) @ (b - theta))


def lasso_duality_gap(A, b, x, lam) -> float:
    """F(x) - D(theta(x)) >= F(x) - F*: how far x is from optimal at most, without knowing F*."""
    A, b, x = _arrays(A, b, x)
    return lasso_objective(A, b, lam, x) - lasso_dual_objective(b, lasso_dual_point(A, b, x, lam))
