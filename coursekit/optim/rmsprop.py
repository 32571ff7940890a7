"""RMSProp: step sizes from a moving average of squared gradients (torch.optim.RMSprop conventions)."""
from __future__ import annotations

import numpy as np

from coursekit.backend import get_namespace

from .base import Flag, Hyperparameter, Optimizer, State
from .moments import ema
from .terms import is_zero

__all__ = ["RMSProp"]


class RMSProp(Optimizer):
    r"""RMSProp (Tieleman & Hinton 2012, Coursera lecture 6.5), as torch.optim.RMSprop computes it:

    .. math::
        g \leftarrow g + \lambda p, \qquad
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2, \qquad
        d_t = \sqrt{v_t} + \epsilon \quad\text{or, centered,}\quad \sqrt{v_t - \bar g_t^2} + \epsilon,

    where :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t` (Graves 2013); then
    :math:`p \leftarrow p - \eta\, g_t / d_t`, or with momentum
    :math:`b_t = \mu b_{t-1} + g_t / d_t,\ p \leftarrow p - \eta\, b_t`.

    State per parameter: ``v`` (torch: ``square_avg``), ``g_avg`` (``grad_avg``, centered
    only), ``b`` (``momentum_buffer``, ``None`` until the first step with momentum).
    """

    lr = Hyperparameter(0, doc="learning rate eta >= 0")
    alpha = Hyperparameter(0, 1, open_high=True, doc="decay alpha in [0, 1) of the squared-gradient average")
    eps = Hyperparameter(0, open_low=True, doc="epsilon > 0, added to the root for stability")
    weight_decay = Hyperparameter(0, doc="L2 penalty lambda >= 0, added to the gradient")
    momentum = Hyperparameter(0, doc="momentum mu >= 0 on the scaled step (0: none)")
    centered = Flag("divide by the centered second moment (an estimate of the variance)")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, *, check_finite=False, fast=None):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered, check_finite=check_finite, fast=fast)

    def init_state(self, p) -> State:
        zeros = self.xp.zeros_like
        return State(v=zeros(p), g_avg=zeros(p) if self.centered else None, b=None)

    @staticmethod
    def reference_update(p, g, s, t, *, lr, alpha, eps, weight_decay, momentum, centered):
        """One RMSProp step: returns the new parameter and state (the math, Array API only)."""
        xp = get_namespace(p)
        if not is_zero(weight_decay):
            g = g + weight_decay * p                           # L2 penalty's gradient
        v = ema(s.v, g * g, alpha)                             # v_t = alpha v + (1 - alpha) g^2
        g_avg = ema(s.g_avg, g, alpha) if centered else None   # gbar_t, the mean gradient
        d = xp.sqrt(v - g_avg * g_avg if centered else v) + eps  # eps outside the sqrt
        b = s.b
        if is_zero(momentum):
            p = p - lr * g / d
        else:
            b = g / d if b is None else momentum * b + g / d  # b_t = mu b_{t-1} + g_t / d_t
            p = p - lr * b
        return p, State(v=v, g_avg=g_avg, b=b)

    lazy = {"b": "momentum"}

    @staticmethod
    def scalars(t, *, lr, alpha, eps, weight_decay, momentum, centered):
        """The step's scalars and option flags (host side, shared by every fast path)."""
        return (dict(lr=lr, alpha=alpha, one_minus_alpha=1 - alpha, eps=eps, wd=weight_decay, mu=momentum),
                dict(centered=bool(centered), momentum=not is_zero(momentum), l2=not is_zero(weight_decay)))

    @staticmethod
    def element(p, g, v, g_avg, b, lr, alpha, one_minus_alpha, eps, wd, mu, centered, momentum, l2, first):
        """One coordinate's step, the reference's operations in its order (the fast paths' spec)."""
        if l2:
            g = g + wd * p
        v = alpha * v + one_minus_alpha * (g * g)
        if centered:
            g_avg = alpha * g_avg + one_minus_alpha * g
            d = np.sqrt(v - g_avg * g_avg) + eps
        else:
            d = np.sqrt(v) + eps
        if momentum:
            if first:
                b = g / d
            else:
                b = mu * b + g / d
            p = p - lr * b
        else:
            p = p - lr * g / d
        return p, v, g_avg, b
