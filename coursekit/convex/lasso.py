"""The Lasso, 1/2 |A x - b|^2 + lam |x|_1, by proximal gradient (ISTA / FISTA), and its path.

The smooth part has gradient A^T (A x - b) and Lipschitz constant L = |A|_2^2 (the largest
singular value squared), so lr = 1/L; the prox of lr lam |x|_1 is soft thresholding at lr lam.
Note the scaling: scikit-learn's ``Lasso(alpha)`` minimizes 1/(2n) |A x - b|^2 + alpha |x|_1,
which is this problem with lam = n alpha.
"""
from __future__ import annotations

import numpy as np

from coursekit import backend

from ._record import floating, nonnegative_number
from .prox import prox_l1, proximal_gradient

__all__ = ["lasso", "lasso_objective", "lasso_path", "lam_max"]


def _check(A, b, xp):
    A, b = floating(A, "A", xp), floating(b, "b", xp)
    if A.ndim != 2 or b.ndim != 1 or A.shape[0] != b.shape[0]:
        raise ValueError(f"A must be (n, d) and b (n,) with the same n, got A {A.shape} and b {b.shape}")
    return A, b


def lasso_objective(A, b, lam, x):
    """1/2 |A x - b|^2 + lam |x|_1."""
    xp = backend.get_namespace(A, x)
    r = A @ x - b
    return 0.5 * float(r @ r) + lam * float(xp.sum(xp.abs(x)))


def lam_max(A, b):
    """The smallest lam whose Lasso solution is exactly 0: |A^T b|_inf."""
    xp = backend.get_namespace(A, b)
    A, b = _check(A, b, xp)
    return float(xp.max(xp.abs(A.T @ b)))


def lasso(A, b, lam, *, method="fista", steps=1000, tol=None, x0=None):
    """Minimize 1/2 |A x - b|^2 + lam |x|_1 with lr = 1/L, L = |A|_2^2; returns a Trajectory.

    method: "fista" (accelerated) or "ista". steps: the most steps; tol: stop when the
    gradient mapping's norm is <= tol. ``.losses`` are the Lasso objective. x0: warm start (default 0).
    """
    xp = backend.get_namespace(A, b)
    A, b = _check(A, b, xp)
    lam = nonnegative_number(lam, "lam")
    if method not in ("fista", "ista"):
        raise ValueError(f"method must be 'fista' or 'ista', got {method!r}")
    L = float(xp.linalg.svd(A, compute_uv=False)[0]) ** 2
    if L == 0:
        raise ValueError("A is all zeros: the Lasso solution is 0")
    x0 = xp.zeros(A.shape[1], dtype=A.dtype) if x0 is None else x0

    def smooth(x):
        r = A @ x - b
        return 0.5 * float(r @ r), A.T @ r

    run = proximal_gradient(smooth, lambda v, t: prox_l1(v, lam * t), x0, lr=1.0 / L, steps=steps,
                            accelerated=method == "fista", objective=lambda x: lasso_objective(A, b, lam, x),
                            tol=tol)
    run.label = run.optimizer = f"{method.upper()} Lasso(lam={lam:g})"
    return run


def lasso_path(A, b, lams, *, steps=5000, tol=1e-10):
    """Solutions for each lam of ``lams`` (decreasing), each FISTA run warm-started from the
    previous solution. Returns a NumPy array of shape (len(lams), d)."""
    xp = backend.get_namespace(A, b)
    x, path = None, []
    for lam in lams:
        x = lasso(A, b, lam, steps=steps, tol=tol, x0=x).final
        path.append(x)
        x = xp.asarray(x)
    return np.stack(path)
