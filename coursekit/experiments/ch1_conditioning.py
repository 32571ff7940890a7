"""Curvature constants of the course's convex models, and what they cost gradient descent.

For least squares ``L(w) = ||Xw - y||^2 / (2n)`` the Hessian is ``H = X^T X / n``: ``mu`` and
``L`` are its extreme eigenvalues and ``kappa = L / mu``. For L2-regularized logistic
regression the Hessian ``X^T diag(p (1 - p)) X / n + l2 I`` lies between ``l2 I`` and
``(lambda_max(X^T X / n) / 4 + l2) I`` since ``p (1 - p) <= 1/4``.

- :func:`least_squares_mu_L`, :func:`logistic_mu_L`: the constants;
- :func:`reference_minimum`: a high-precision BFGS (SciPy) minimum to measure gaps against;
- :func:`least_squares_gd`: GD at ``lr = 1/L`` to a gradient tolerance, with the step
  estimates of chapter 1, section 5 (:class:`ConditionedRun`).
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .._validate import count, nonnegative, positive

__all__ = ["least_squares_mu_L", "logistic_mu_L", "reference_minimum", "least_squares_gd", "ConditionedRun"]


def _matrix(X):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty matrix (n, d), got shape {X.shape}")
    return X


def least_squares_mu_L(X) -> tuple[float, float]:
    """``(mu, L)``: the smallest and largest eigenvalues of the least-squares Hessian ``X^T X / n``."""
    X = _matrix(X)
    eig = np.linalg.eigvalsh(X.T @ X / X.shape[0])
    return float(max(eig[0], 0.0)), float(eig[-1])


def logistic_mu_L(X, l2=0.0) -> tuple[float, float]:
    """``(mu, L)`` bounds for logistic regression with L2 weight ``l2``: ``(l2, l2 + lambda_max(X^T X / n) / 4)``."""
    l2 = nonnegative(l2, "l2")
    return l2, l2 + least_squares_mu_L(X)[1] / 4


def reference_minimum(objective, x0, gtol=1e-13):
    """SciPy's BFGS on ``objective`` (with ``.value`` and ``.grad``) from ``x0``: its result
    (``.x``, ``.fun``), computed independently of coursekit's optimizers."""
    import scipy.optimize

    return scipy.optimize.minimize(objective.value, np.asarray(x0, dtype=float), jac=objective.grad,
                                   method="BFGS", options={"gtol": positive(gtol, "gtol")})


class ConditionedRun(NamedTuple):
    """GD at ``lr = 1/L`` on one least-squares problem (:func:`least_squares_gd`).

    ``log_eps`` is ``log(||grad f(x0)|| / tol)``; ``steps_bound`` is
    ``log_eps / -log(1 - 1/kappa)`` (the error along the flattest direction shrinks by
    ``1 - 1/kappa`` per step) and ``kappa_bound`` its large-kappa form ``kappa log_eps``.
    """
    kappa: float
    L: float
    w_star: Any
    f_star: float
    objective: Any
    run: Any
    log_eps: float

    @property
    def steps_bound(self) -> float:
        if not math.isfinite(self.kappa):
            return math.inf
        rate = 1 - 1 / self.kappa
        return 0.0 if rate <= 0 else self.log_eps / -math.log(rate)

    @property
    def kappa_bound(self) -> float:
        return self.kappa * self.log_eps


def least_squares_gd(X, y, x0=None, offset=None, tol=1e-6, max_steps=3000) -> ConditionedRun:
    """GD with ``lr = 1/L`` on ``||Xw - y||^2 / (2n)`` until ``||grad|| <= tol`` (or ``max_steps``).

    Starts at ``x0`` (default 0), or at the minimizer plus ``offset`` when that is given.
    """
    from .. import models
    from ..runs import minimize

    X = _matrix(X)
    model = models.LinearRegression()
    objective = model.objective(X, np.asarray(y, dtype=float))
    mu, L = least_squares_mu_L(X)
    w_star = model.closed_form(X, y)
    if offset is not None:
        start = w_star + np.asarray(offset, dtype=float)
    else:
        start = np.zeros(X.shape[1]) if x0 is None else np.asarray(x0, dtype=float)
    run = minimize(objective, start, "sgd", count(max_steps, "max_steps"), lr=1 / L, tol=positive(tol, "tol"))
    log_eps = math.log(float(np.linalg.norm(objective.grad(start))) / tol)
    kappa = math.inf if mu <= L * 1e-15 else L / mu
    return ConditionedRun(kappa, L, w_star, float(model.loss(w_star, X, y)), objective, run, log_eps)
