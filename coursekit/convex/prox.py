"""Projected and proximal gradient methods, and soft thresholding (the prox of the L1 norm).

    projected gradient:  x_{k+1} = P_C(x_k - lr grad f(x_k))
    proximal gradient:   x_{k+1} = prox_{lr g}(x_k - lr grad f(x_k))            (ISTA)
    accelerated:         y_k = x_k + (t_{k-1} - 1)/t_k (x_k - x_{k-1}),
                         x_{k+1} = prox_{lr g}(y_k - lr grad f(y_k))           (FISTA)
    with t_0 = 1, t_k = (1 + sqrt(1 + 4 t_{k-1}^2)) / 2 (Beck & Teboulle, SIAM J. Imaging Sci. 2009).

With lr = 1/L the objective gap of ISTA is O(1/k) and that of FISTA O(1/k^2).
"""
from __future__ import annotations

from coursekit import backend
from coursekit._validate import count

from ._record import Recorder, floating, fun_and_grad_of, positive

__all__ = ["prox_l1", "projected_gradient", "proximal_gradient"]


def prox_l1(x, t):
    """Soft thresholding sign(x) max(|x| - t, 0): the prox of t |x|_1 (exact zeros for |x| <= t).

    t: a number or an array broadcasting with x, >= 0.
    """
    xp = backend.get_namespace(x)
    x, t = floating(x, "x", xp), floating(t, "t", xp)
    if bool(xp.any(t < 0)):
        raise ValueError("t must be >= 0 (the threshold of soft thresholding)")
    return xp.sign(x) * xp.maximum(xp.abs(x) - t, 0.0) + 0.0   # + 0.0 turns -0.0 into 0.0


def _norm(xp, v):
    return float(xp.linalg.norm(xp.reshape(v, (-1,))))


def projected_gradient(fun_and_grad, project, x0, *, lr, steps):
    """Projected gradient descent; returns a Trajectory whose iterates are all feasible.

    fun_and_grad: ``x -> (f, g)`` or a landscape; project: ``x -> P_C(x)``. The start is
    projected first (``iterates[0] = project(x0)``). ``.grad_norms[k]`` is the norm of the
    gradient mapping (x_k - P(x_k - lr g_k)) / lr, zero exactly at a constrained minimizer.
    """
    fg = fun_and_grad_of(fun_and_grad)
    xp = backend.get_namespace(x0)
    lr, steps = positive(lr, "lr"), count(steps, "steps", minimum=0)
    x = project(floating(x0, "x0", xp))
    rec = Recorder(f"projected GD(lr={lr:g})")
    for k in range(steps + 1):
        f, g = fg(x)
        x_next = project(x - lr * g)
        rec.add(x, f, _norm(xp, x - x_next) / lr, lr if k < steps else None)
        x = x_next
    return rec.trajectory(f"finished {steps} steps")


def proximal_gradient(fun_and_grad, prox, x0, *, lr, steps, accelerated=False, objective=None, tol=None):
    """ISTA (``accelerated=False``) or FISTA on f + g; returns a Trajectory.

    fun_and_grad: the smooth part, ``x -> (f, grad f)`` or a landscape.
    prox: ``(v, t) -> prox_{t g}(v)`` (for g = lam |x|_1: ``lambda v, t: prox_l1(v, lam * t)``).
    objective: ``x -> f(x) + g(x)`` recorded in ``.losses`` (default: f alone).
    ``.grad_norms[k]``: the norm of the gradient mapping at x_k; ``tol`` stops when it is <= tol.
    """
    fg = fun_and_grad_of(fun_and_grad)
    xp = backend.get_namespace(x0)
    lr, steps = positive(lr, "lr"), count(steps, "steps", minimum=0)
    tol = positive(tol, "tol") if tol else 0.0
    x = floating(x0, "x0", xp) + 0.0
    x_prev, t = x, 1.0
    rec = Recorder(("FISTA" if accelerated else "ISTA") + f"(lr={lr:g})")
    for k in range(steps + 1):
        f, g = fg(x)
        mapping = _norm(xp, x - prox(x - lr * g, lr)) / lr
        rec.add(x, objective(x) if objective else f, mapping)
        if mapping <= tol or k == steps:
            break
        if accelerated:
            t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
            y = x + ((t - 1) / t_next) * (x - x_prev)
            g = fg(y)[1]
            t = t_next
        else:
            y = x
        x_prev, x = x, prox(y - lr * g, lr)
        rec.lrs.append(lr)
    done = rec.gs[-1] <= tol
    return rec.trajectory(f"{'converged' if done else 'finished'} after {len(rec.xs) - 1} steps", done)
