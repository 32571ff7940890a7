"""The noise floor of constant-step SGD on least squares (chapter 1, section 4.1).

On ``L(w) = ||Xw - y||^2 / (2n)`` the step on example i is ``w - lr x_i (x_i^T w - y_i)``. With
``e = w - w*`` and the residuals ``r_i = x_i^T w* - y_i`` at the optimum it reads

    e' = (I - lr x_i x_i^T) e - lr r_i x_i,

so e never settles: it fluctuates with a stationary second moment ``P = E[e e^T]`` that solves

    H P + P H - lr M(P) = lr Sigma,    M(P) = mean_i x_i x_i^T P x_i x_i^T,

with ``H = X^T X / n`` and ``Sigma = mean_i r_i^2 x_i x_i^T``, and the floor is
``E[f - f*] = tr(H P) / 2``. Dropping ``lr M(P)`` gives the first-order floor
``lr sigma*^2 / 4`` (:func:`coursekit.theory.sgd_noise_floor`, ``sigma*^2 = tr Sigma``); the
dropped term is positive semi-definite, so the true floor always lies above it.

- :func:`single_step_changes`: the change of the full loss after each single-example step;
- :func:`sgd_gaps`: ``f(w_k) - f*`` along SGD runs, one per seed, vectorized;
- :func:`stationary_gap`: the exact floor (all orders in lr), from the linear equation above;
- :func:`floor_expansion`: its first- and second-order terms in lr.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg

from .._validate import count, positive

__all__ = ["single_step_changes", "sgd_gaps", "stationary_gap", "floor_expansion"]


def _least_squares(X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape} and {y.shape}")
    H = X.T @ X / X.shape[0]
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    return X, y, H, w_star, X @ w_star - y


def single_step_changes(model, w, X, y, lr):
    """``L(w - lr grad l_i(w)) - L(w)`` for every example i: one entry per possible SGD step."""
    lr = positive(lr, "lr")
    w = np.asarray(w, dtype=float)
    before = model.loss(w, X, y)
    return np.array([model.loss(w - lr * g_i, X, y) - before for g_i in model.per_example_grads(w, X, y)])


def sgd_gaps(X, y, lr, steps, seeds=(0,), batch_size=1, w0=None):
    """``f(w_k) - f*`` for k = 0..steps of SGD on least squares, one column per seed.

    Each step averages the gradients of ``batch_size`` examples drawn with replacement by
    ``np.random.default_rng(seed).choice`` (as :func:`coursekit.data.sample_batch` draws them);
    all runs start at ``w0`` (default 0). Returns an array of shape ``(steps + 1, len(seeds))``.
    """
    X, y, H, w_star, _ = _least_squares(X, y)
    lr, steps, B = positive(lr, "lr"), count(steps, "steps", minimum=0), count(batch_size, "batch_size")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    n, d = X.shape
    # all draws at once: the same stream as one choice(n, size=B) per step
    draws = np.stack([np.random.default_rng(s).choice(n, size=(steps, B), replace=True) for s in seeds], axis=1)
    W = np.tile(np.zeros(d) if w0 is None else np.asarray(w0, dtype=float), (len(seeds), 1))
    gaps = np.empty((steps + 1, len(seeds)))
    E = W - w_star
    gaps[0] = 0.5 * np.einsum("rd,de,re->r", E, H, E)
    for k in range(1, steps + 1):
        idx = draws[k - 1]                                                  # (runs, B)
        Xb = X[idx]
        resid = np.einsum("rbd,rd->rb", Xb, W) - y[idx]
        W = W - lr * np.einsum("rbd,rb->rd", Xb, resid) / B
        E = W - w_star
        gaps[k] = 0.5 * np.einsum("rd,de,re->r", E, H, E)
    return gaps


def stationary_gap(X, y, lr):
    """The exact stationary ``E[f - f*]`` of single-example SGD (with replacement) on least squares.

    Solves ``H P + P H - lr M(P) = lr Sigma`` (module docstring) as a ``d^2 x d^2`` linear
    system and returns ``tr(H P) / 2``. Valid while the second moment stays bounded (raises
    otherwise: lr too large for the fluctuations to settle).
    """
    X, y, H, _, r = _least_squares(X, y)
    lr = positive(lr, "lr")
    n, d = X.shape
    Sigma = (X * r[:, None] ** 2).T @ X / n
    # the operator P -> H P + P H - lr M(P) on row-major vec(P), with M(P) = K^T diag(vec) K
    K = np.einsum("ij,ik->ijk", X, X).reshape(n, d * d)              # rows: vec(x_i x_i^T)
    op = np.kron(H, np.eye(d)) + np.kron(np.eye(d), H) - lr * K.T @ K / n
    P = np.linalg.solve(op, lr * Sigma.ravel()).reshape(d, d)
    P = (P + P.T) / 2
    if np.linalg.eigvalsh(P).min() < -1e-12 * abs(np.trace(P)) or np.linalg.eigvals(op).real.min() <= 0:
        raise ValueError(f"lr = {lr} is too large: SGD's second moment does not settle")
    return 0.5 * float(np.trace(H @ P))


def floor_expansion(X, y, lr):
    """The floor to first and second order in lr: ``(lr sigma*^2 / 4, lr^2 mean_i |x_i|^2 x_i^T P1 x_i / 4)``.

    ``P1`` solves the Lyapunov equation ``H P1 + P1 H = Sigma``; the first term is
    :func:`coursekit.theory.sgd_noise_floor`, the second is the leading correction (taking the
    trace of the order-lr^2 equation: ``tr(H P2) = tr M(P1) / 2``), positive for any data.
    """
    X, y, H, _, r = _least_squares(X, y)
    lr = positive(lr, "lr")
    n = X.shape[0]
    Sigma = (X * r[:, None] ** 2).T @ X / n
    P1 = scipy.linalg.solve_continuous_lyapunov(H, Sigma)
    quad = np.einsum("ij,jk,ik->i", X, P1, X)
    first = lr * float(np.trace(Sigma)) / 4
    second = lr ** 2 * float(np.mean(np.sum(X ** 2, axis=1) * quad)) / 4
    return first, second
