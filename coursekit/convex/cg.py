"""The conjugate gradient method for A x = b, A symmetric positive definite.

It minimizes q(x) = 1/2 x^T A x - b^T x along A-conjugate directions:

    r_k = b - A x_k,  alpha_k = |r_k|^2 / p_k^T A p_k,  x_{k+1} = x_k + alpha_k p_k,
    r_{k+1} = r_k - alpha_k A p_k,  beta_k = |r_{k+1}|^2 / |r_k|^2,  p_{k+1} = r_{k+1} + beta_k p_k.

In exact arithmetic it stops within as many steps as A has distinct eigenvalues (at most d),
and its A-norm error obeys |e_k|_A <= 2 ((sqrt(kappa)-1)/(sqrt(kappa)+1))^k |e_0|_A
(Shewchuk, "An introduction to the conjugate gradient method without the agonizing pain", 1994).
"""
from __future__ import annotations

from coursekit import backend
from coursekit._validate import count

from ._record import Recorder, floating, positive

__all__ = ["conjugate_gradient", "cg_bound", "as_momentum", "momentum_iterates"]


def _operator(A, b, xp):
    """``v -> A v`` from a matrix (checked: square, symmetric, matching b) or a callable."""
    if callable(A):
        return A
    A = floating(A, "A", xp)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    if A.shape[0] != b.shape[0]:
        raise ValueError(f"A is {A.shape[0]}x{A.shape[1]} but b has length {b.shape[0]}: shapes do not match")
    scale = float(xp.max(xp.abs(A))) if A.size else 0.0
    if float(xp.max(xp.abs(A - A.T))) > 1e-10 * max(scale, 1e-300):
        raise ValueError("A must be symmetric (conjugate gradient needs a symmetric positive definite matrix)")
    return lambda v: A @ v


def conjugate_gradient(A, b, x0=None, *, tol=1e-10, max_steps=None):
    """Solve ``A x = b`` (minimize 1/2 x'Ax - b'x) for symmetric positive definite A.

    A: a (d, d) matrix or a callable ``v -> A v``. b: shape (d,). x0: start (default 0).
    Stops when |r_k| <= tol |b| (tol |r_0| if b = 0), or r_k = 0 exactly, or after ``max_steps`` (default 10 d) steps.
    Returns a Trajectory: ``.losses[k]`` = q(x_k), ``.grad_norms[k]`` = |A x_k - b|,
    ``.lrs[k]`` = alpha_k; ``.hyperparameters["betas"]`` lists beta_k.
    A direction with p'Ap <= 0 means A is not positive definite: ValueError.
    """
    xp = backend.get_namespace(b) if x0 is None else backend.get_namespace(b, x0)
    b = floating(b, "b", xp)
    if b.ndim != 1:
        raise ValueError(f"b must be a vector of shape (d,), got shape {b.shape}")
    matvec = _operator(A, b, xp)
    d = b.shape[0]
    x = xp.zeros_like(b) if x0 is None else floating(x0, "x0", xp) + 0.0
    if x.shape != b.shape:
        raise ValueError(f"x0 must have b's shape {b.shape}, got {x.shape}")
    max_steps = 10 * d if max_steps is None else count(max_steps, "max_steps", minimum=0)
    tol = positive(tol, "tol") if tol else 0.0
    rec, betas = Recorder("CG"), []
    Ax = matvec(x)
    r = b - Ax
    p, rr = r, float(r @ r)
    bnorm = float(xp.linalg.norm(b)) or rr ** 0.5     # b = 0: relative to the first residual
    rec.add(x, 0.5 * float(x @ Ax) - float(b @ x), rr ** 0.5)
    for k in range(max_steps):
        if rr ** 0.5 <= tol * bnorm or rr == 0.0:
            return rec.trajectory(f"converged: |r| = {rr ** 0.5:.2e} <= tol |b| after {k} steps", True,
                                  {"betas": betas})
        Ap = matvec(p)
        curvature = float(p @ Ap)
        if not curvature > 0:
            raise ValueError(f"A is not positive definite: p'Ap = {curvature:.3g} <= 0 at step {k} "
                             "(conjugate gradient needs a symmetric positive definite A)")
        alpha = rr / curvature
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = float(r @ r)
        betas.append(rr_new / rr)
        p, rr = r + betas[-1] * p, rr_new
        rec.add(x, -0.5 * float(x @ (r + b)), rr ** 0.5, alpha)   # q(x) = 1/2 x'(Ax) - b'x, Ax = b - r
    done = rr ** 0.5 <= tol * bnorm
    return rec.trajectory(f"{'converged' if done else 'stopped'} after {max_steps} steps: |r| = {rr ** 0.5:.2e}",
                          done, {"betas": betas})


def cg_bound(kappa, steps):
    """The classical bound on |e_k|_A / |e_0|_A: 2 ((sqrt(kappa)-1)/(sqrt(kappa)+1))^k, k = 0..steps."""
    import numpy as np
    kappa = positive(kappa, "kappa")
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    rho = (kappa ** 0.5 - 1) / (kappa ** 0.5 + 1)
    return np.minimum(1.0, 2 * rho ** np.arange(steps + 1))


def as_momentum(trajectory):
    """CG's step-dependent coefficients as a momentum method (heavy ball with varying lr and beta).

    Since p_{k-1} = (x_k - x_{k-1}) / alpha_{k-1} and r_k = -grad q(x_k):

        x_{k+1} = x_k - alpha_k grad q(x_k) + m_k (x_k - x_{k-1}),  m_k = alpha_k beta_{k-1} / alpha_{k-1}

    Returns (lrs, momenta), arrays of length ``trajectory.steps`` (m_0 = 0).
    """
    import numpy as np
    alphas = np.asarray(trajectory.lrs, dtype=float)
    betas = np.asarray(trajectory.hyperparameters["betas"], dtype=float)[:len(alphas)]
    momenta = np.zeros_like(alphas)
    momenta[1:] = alphas[1:] * betas[:-1] / alphas[:-1]
    return alphas, momenta


def momentum_iterates(A, b, x0, lrs, momenta):
    """Iterates of x_{k+1} = x_k - lrs[k] (A x_k - b) + momenta[k] (x_k - x_{k-1}), shape (n+1, d)."""
    xp = backend.get_namespace(A, b, x0)
    xs = [floating(x0, "x0", xp) + 0.0]
    previous = xs[0]
    for lr, m in zip(lrs, momenta):
        x = xs[-1]
        xs.append(x - float(lr) * (A @ x - b) + float(m) * (x - previous))
        previous = x
    return xp.stack(xs)
