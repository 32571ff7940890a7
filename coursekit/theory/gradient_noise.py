r"""Optimizers fed noisy gradients: SGD's noise floor on a quadratic, Adam's early step sizes.

SGD on :math:`f(x) = \tfrac12\sum_i \lambda_i x_i^2` with gradients :math:`\lambda x + \sigma\xi`
(:math:`\xi` standard normal) does not converge at a constant learning rate: each component
settles where the pull of the curvature balances the noise, at
:math:`E[x_i^2] = \eta\sigma^2 / (\lambda_i(2 - \eta\lambda_i))`, so the loss hovers at the
**noise floor** :math:`E f = \sum_i \eta\sigma^2 / (2(2 - \eta\lambda_i))`, proportional to
:math:`\eta` for small steps (:func:`noise_floor`). Lowering :math:`\eta` lowers the floor:
that is what a decaying schedule does (:func:`sgd_on_noisy_quadratic`).

Adam divides by :math:`\sqrt{\hat v}`: at the first step :math:`\hat m = g`, :math:`\hat v = g^2`, so
the step is :math:`\eta` per coordinate, signal or noise. Once the averages have filled, a
coordinate fed pure noise moves by about
:math:`\eta\sqrt{2/\pi}\sqrt{(1-\beta_1)/(1+\beta_1)}` per step (:func:`adam_steady_step`),
0.18 :math:`\eta` at :math:`\beta_1 = 0.9`: the first steps are several times larger than the
later ones, which is what warmup tames (Liu et al. 2020, "On the variance of the adaptive
learning rate"). :func:`adam_step_sizes` measures it with :class:`coursekit.optim.Adam`.
"""
from __future__ import annotations

import math

import numpy as np

from .. import optim
from .._validate import count, nonnegative

__all__ = ["noise_floor", "sgd_on_noisy_quadratic", "adam_step_sizes", "adam_steady_step"]


def noise_floor(eigenvalues, lr, noise):
    r"""Stationary expected loss of SGD at constant ``lr`` on the quadratic with ``eigenvalues``
    and additive gradient noise of standard deviation ``noise`` per coordinate:
    :math:`\sum_i \eta\sigma^2 / (2(2 - \eta\lambda_i))`; inf where some :math:`\eta\lambda_i \ge 2`."""
    lam = np.asarray(eigenvalues, float)
    lr, noise = float(lr), nonnegative(noise, "noise")
    h = lr * lam
    if np.any(h >= 2) or lr < 0:
        return math.inf
    return float(np.sum(lr * noise ** 2 / (2 * (2 - h))))


def sgd_on_noisy_quadratic(eigenvalues, schedule, steps, noise, runs=20, seed=0, x0=1.0):
    """Loss per step of plain SGD on 1/2 sum lambda_i x_i^2 with gradients lambda x + noise * N(0, 1).

    schedule: step -> lr (or a float); ``runs`` independent runs at once (one generator
    seeded with ``seed``), all from ``x0``. Returns the losses, shape (steps + 1, runs).
    """
    lam = np.asarray(eigenvalues, float)
    steps, runs = count(steps, "steps", 0), count(runs, "runs")
    noise = nonnegative(noise, "noise")
    lr_of = schedule if callable(schedule) else (lambda t, c=float(schedule): c)
    x = np.broadcast_to(np.asarray(x0, float), (runs, lam.size)).copy()
    rng = np.random.default_rng(seed)
    opt = optim.SGD(x, lr=lr_of(0))
    losses = [0.5 * (x * x) @ lam]
    for t in range(steps):
        opt.lr = lr_of(t)
        opt.step(lam * x + noise * rng.standard_normal(x.shape))
        losses.append(0.5 * (x * x) @ lam)
    return np.asarray(losses)


def adam_step_sizes(steps, coordinates=10_000, lr=1e-3, betas=(0.9, 0.999), seed=0):
    """Mean |step| / lr per step of :class:`coursekit.optim.Adam` fed pure noise (standard normal
    gradients, independent per coordinate and step) on ``coordinates`` parameters. Shape (steps,)."""
    steps, n = count(steps, "steps"), count(coordinates, "coordinates")
    p = np.zeros(n)
    opt = optim.Adam(p, lr=lr, betas=betas)
    rng = np.random.default_rng(seed)
    out = np.empty(steps)
    for t in range(steps):
        before = p.copy()
        opt.step(rng.standard_normal(n))
        out[t] = np.mean(np.abs(p - before)) / lr
    return out


def adam_steady_step(beta1=0.9) -> float:
    r""":math:`\sqrt{2/\pi}\sqrt{(1-\beta_1)/(1+\beta_1)}`: E|m/sqrt(v)| for pure unit noise once both
    averages have filled (m normal with variance (1-beta1)/(1+beta1), v near 1)."""
    b = float(beta1)
    if not 0 <= b < 1:
        raise ValueError(f"beta1 must lie in [0, 1), got {beta1}")
    return math.sqrt(2 / math.pi) * math.sqrt((1 - b) / (1 + b))
