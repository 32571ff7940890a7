r"""Heavy-ball momentum on quadratics: rates, the best settings, the stability region, filters.

On one eigen-direction of a quadratic with curvature :math:`\lambda`, heavy ball
(torch's form :math:`b \leftarrow \mu b + g,\ x \leftarrow x - \eta b`) is the
two-step recursion

.. math::
    x_{k+1} = x_k - \eta\lambda x_k + \mu (x_k - x_{k-1}),

whose characteristic polynomial is :math:`z^2 - (1 + \mu - \eta\lambda) z + \mu`.
The error shrinks per step by the larger root's modulus (:func:`rate`). It converges
iff :math:`0 < \eta\lambda < 2 + 2\mu` (with :math:`0 \le \mu < 1`), and the best
fixed (lr, momentum) for eigenvalues in :math:`[m, L]` (Polyak 1964) gives the rate
:math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`, against :math:`(\kappa-1)/(\kappa+1)` for
gradient descent at :math:`2/(m+L)` (Goh, "Why Momentum Really Works", Distill 2017).

Only NumPy; nothing here plots.
"""
from __future__ import annotations

import math

import numpy as np

from .._validate import count, nonnegative

__all__ = ["rate", "is_stable", "stability_edge", "optimal", "optimal_rate", "gd_optimal_rate",
           "gain", "filter_response", "ema_lr", "torch_lr", "heavy_ball", "quadratic_errors",
           "measured_rate", "steps_to_tolerance", "critical_damping", "eigen_components"]


def rate(lr_lambda, momentum):
    r"""Per-step contraction of heavy ball along a direction where :math:`\eta\lambda` = ``lr_lambda``.

    The largest modulus of the roots of :math:`z^2 - (1 + \mu - \eta\lambda) z + \mu`;
    < 1 means convergence. Broadcasts over both arguments (NumPy arrays or floats).
    """
    h, mu = np.asarray(lr_lambda, float), np.asarray(momentum, float)
    b = 1.0 + mu - h
    disc = np.sqrt((b * b - 4.0 * mu).astype(complex))
    r = np.maximum(np.abs((b + disc) / 2), np.abs((b - disc) / 2))
    return float(r) if r.ndim == 0 else r


def is_stable(lr_lambda, momentum):
    """True where heavy ball converges: 0 < lr * lambda < 2 + 2 momentum (for 0 <= momentum < 1)."""
    h, mu = np.asarray(lr_lambda, float), np.asarray(momentum, float)
    ok = (h > 0) & (h < 2 + 2 * mu) & (mu >= 0) & (mu < 1)
    return bool(ok) if ok.ndim == 0 else ok


def stability_edge(momentum, L=1.0):
    """The largest stable learning rate (2 + 2 momentum) / L (exclusive)."""
    return (2.0 + 2.0 * np.asarray(momentum, float)) / L


def _mu_L(mu, L):
    mu, L = float(mu), float(L)
    if not (0 < mu <= L and math.isfinite(L)):
        raise ValueError(f"need 0 < mu <= L, got mu={mu}, L={L}")
    return mu, L


def optimal(mu, L):
    r"""Polyak's best (lr, momentum) for eigenvalues in [mu, L]:
    :math:`\eta = 4/(\sqrt L + \sqrt\mu)^2`, :math:`\mu_{hb} = ((\sqrt L - \sqrt\mu)/(\sqrt L + \sqrt\mu))^2`."""
    mu, L = _mu_L(mu, L)
    s, t = math.sqrt(mu), math.sqrt(L)
    return 4.0 / (s + t) ** 2, ((t - s) / (t + s)) ** 2


def optimal_rate(mu, L) -> float:
    """(sqrt(kappa) - 1) / (sqrt(kappa) + 1): heavy ball's rate at :func:`optimal`."""
    mu, L = _mu_L(mu, L)
    k = math.sqrt(L / mu)
    return (k - 1) / (k + 1)


def gd_optimal_rate(mu, L) -> float:
    """(kappa - 1) / (kappa + 1): gradient descent's rate at lr = 2 / (mu + L)."""
    mu, L = _mu_L(mu, L)
    return (L - mu) / (L + mu)


def gain(momentum, omega):
    r"""Amplitude response :math:`|1 / (1 - \mu e^{-i\omega})|` of :math:`v \leftarrow \mu v + g`.

    A gradient oscillating at angular frequency ``omega`` (radians per step) ends up
    multiplied by this in the buffer: 1/(1-mu) for a constant (omega = 0), 1/(1+mu)
    for a sign that flips every step (omega = pi).
    """
    mu, w = np.asarray(momentum, float), np.asarray(omega, float)
    return 1.0 / np.abs(1.0 - mu * np.exp(-1j * w))


def filter_response(momentum, signal):
    """The buffer v_k of v <- momentum v + g_k (v_0 = 0) fed with ``signal`` g_1, g_2, ...: an array."""
    v, out = 0.0, []
    for g in np.asarray(signal, float):
        v = momentum * v + g
        out.append(v)
    return np.asarray(out)


def ema_lr(lr, momentum):
    """The lr of the EMA form (v <- m v + (1 - m) g) that follows torch's form with ``lr``: lr / (1 - m)."""
    return lr / (1.0 - momentum)


def torch_lr(lr, momentum):
    """The lr of torch's form (v <- m v + g) that follows the EMA form with ``lr``: lr (1 - m)."""
    return lr * (1.0 - momentum)


def heavy_ball(grad, x0, lr, momentum, steps, convention="torch"):
    """Iterates of heavy ball written out by hand, in one of two conventions.

    ``"torch"``: v <- m v + g; ``"ema"``: v <- m v + (1 - m) g; then x <- x - lr v,
    with v_0 = 0 in both. Returns an array (steps + 1, *x0.shape).
    """
    if convention not in ("torch", "ema"):
        raise ValueError(f"convention must be 'torch' or 'ema', got {convention!r}")
    scale = 1.0 if convention == "torch" else 1.0 - momentum
    x = np.array(x0, dtype=float)
    v, path = np.zeros_like(x), [x.copy()]
    for _ in range(count(steps, "steps", 0)):
        v = momentum * v + scale * grad(x)
        x = x - lr * v
        path.append(x.copy())
    return np.asarray(path)


def quadratic_errors(eigenvalues, lr, momentum, steps, x0=None):
    """Distance to the minimum of heavy ball (coursekit.optim.SGD) on diagonal quadratics.

    eigenvalues: (R, d), one diagonal quadratic 1/2 sum lambda_i x_i^2 per row; lr and
    momentum: floats or (R, 1) arrays (all rows run at once). x0: default all ones.
    Returns ||x_k|| of shape (steps + 1, R).
    """
    from .. import optim

    lam = np.atleast_2d(np.asarray(eigenvalues, float))
    x = np.ones_like(lam) if x0 is None else np.array(np.broadcast_to(x0, lam.shape), float)
    opt = optim.SGD(x, lr=lr, momentum=momentum)
    errors = [np.linalg.norm(x, axis=1)]
    for _ in range(count(steps, "steps", 0)):
        opt.step(lam * x)
        errors.append(np.linalg.norm(x, axis=1))
    return np.asarray(errors)


def measured_rate(errors, start, stop):
    """Per-step contraction measured between steps ``start`` and ``stop``: (e_stop / e_start)^(1/(stop-start)).

    ``errors``: shape (steps + 1,) or (steps + 1, R).
    """
    e = np.asarray(errors, float)
    if not 0 <= start < stop < len(e):
        raise ValueError(f"need 0 <= start < stop < {len(e)}, got start={start}, stop={stop}")
    return (e[stop] / e[start]) ** (1.0 / (stop - start))


def steps_to_tolerance(errors, tol):
    """First step k with errors[k] <= tol * errors[0] (per column); -1 where never reached."""
    e = np.asarray(errors, float)
    tol = nonnegative(tol, "tol")
    hit = e <= tol * e[0]
    first = np.argmax(hit, axis=0)
    return np.where(hit.any(axis=0), first, -1)


def critical_damping(momentum):
    r"""The two values of :math:`\eta\lambda` where heavy ball's roots meet: :math:`(1 \mp \sqrt\mu)^2`.

    Between them the roots are complex, of modulus :math:`\sqrt\mu` (the component
    oscillates, underdamped); below the lower one both are real and positive (it creeps to
    0 without crossing, overdamped); above the upper one both are real and negative (it
    flips sign every step), up to the edge :math:`2 + 2\mu`. Returns (low, high), floats or arrays.
    """
    mu = np.asarray(momentum, float)
    if np.any((mu < 0) | (mu >= 1)):
        raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
    low, high = (1 - np.sqrt(mu)) ** 2, (1 + np.sqrt(mu)) ** 2
    return (float(low), float(high)) if mu.ndim == 0 else (low, high)


def eigen_components(eigenvalues, lr, momentum, steps, x0=1.0):
    r"""Heavy ball's error along each eigen-direction of a quadratic, step by step.

    Along an eigenvalue :math:`\lambda` the iterate obeys :math:`x_1 = (1 - \eta\lambda) x_0`,
    :math:`x_{k+1} = (1 + \mu - \eta\lambda) x_k - \mu x_{k-1}` (torch's form, buffer
    started at the first gradient; ``momentum = 0`` is gradient descent). Returns the signed
    components, shape (steps + 1, len(eigenvalues)), row k the error after k steps.
    """
    lam = np.atleast_1d(np.asarray(eigenvalues, float))
    mu = float(momentum)
    if not 0 <= mu < 1:
        raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
    steps = count(steps, "steps", 0)
    h = float(lr) * lam
    x = np.broadcast_to(np.asarray(x0, float), lam.shape).copy()
    out = [x.copy()]
    prev = x.copy()
    for k in range(steps):
        new = (1 - h) * x if k == 0 else (1 + mu - h) * x - mu * prev
        prev, x = x, new
        out.append(x.copy())
    return np.asarray(out)
