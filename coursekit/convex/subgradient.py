r"""The subgradient method on the Lasso: the foil for proximal gradient.

:math:`x_{k+1} = x_k - \eta_k\,(A^\top(Ax_k - b) + \lambda\,\mathrm{sign}(x_k))`, a subgradient of
:math:`F(x) = \tfrac12\lVert Ax-b\rVert^2 + \lambda\lVert x\rVert_1` (sign(0) = 0), with the
diminishing steps :math:`\eta_k = \eta_0/\sqrt{k+1}`. It is not a descent method, so one keeps
the best point so far; its best objective gap falls like :math:`O(1/\sqrt k)`
(Boyd & Vandenberghe's lecture notes on subgradient methods), and its iterates almost never
land exactly on 0: the sign term pushes a small coordinate across zero and back, where the
proximal step (soft thresholding) sets it to 0 exactly.
"""
from __future__ import annotations

import numpy as np

from .._validate import count, positive
from .lasso import lasso_objective

__all__ = ["subgradient_lasso"]


def subgradient_lasso(A, b, lam, *, steps, lr0, x0=None):
    """Iterates (steps + 1, d) and objective values (steps + 1,) of the subgradient method
    with steps lr0 / sqrt(k + 1), from x0 (default 0)."""
    A, b = np.asarray(A, float), np.asarray(b, float)
    if A.ndim != 2 or b.shape != (A.shape[0],):
        raise ValueError(f"A must be (n, d) and b (n,), got {A.shape} and {b.shape}")
    steps, lr0 = count(steps, "steps", minimum=0), positive(lr0, "lr0")
    x = np.zeros(A.shape[1]) if x0 is None else np.array(x0, float)
    xs, fs = [x.copy()], [lasso_objective(A, b, lam, x)]
    for k in range(steps):
        g = A.T @ (A @ x - b) + lam * np.sign(x)
        x = x - lr0 / np.sqrt(k + 1) * g
        xs.append(x.copy())
        fs.append(lasso_objective(A, b, lam, x))
    return np.asarray(xs), np.asarray(fs)
