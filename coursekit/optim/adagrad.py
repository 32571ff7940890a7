"""AdaGrad: per-coordinate step sizes from the sum of squared gradients (torch.optim.Adagrad conventions)."""
from __future__ import annotations

import numpy as np

from coursekit.backend import get_namespace

from .base import Hyperparameter, Optimizer, State
from .terms import is_zero

__all__ = ["AdaGrad"]


class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan & Singer 2011), as torch.optim.Adagrad computes it:

    .. math::
        g \leftarrow g + \lambda p, \qquad
        \eta_t = \frac{\eta}{1 + (t-1)\,\delta}, \qquad
        G_t = G_{t-1} + g_t^2, \qquad
        p \leftarrow p - \eta_t\, \frac{g_t}{\sqrt{G_t} + \epsilon}.

    ``eps`` is added outside the square root. State per parameter: ``sum_sq`` = G
    (torch: ``sum``), starting at ``initial_accumulator_value``.
    """

    lr = Hyperparameter(0, doc="learning rate eta >= 0")
    lr_decay = Hyperparameter(0, doc="delta >= 0: the rate at step t is lr / (1 + (t - 1) delta)")
    weight_decay = Hyperparameter(0, doc="L2 penalty lambda >= 0, added to the gradient")
    initial_accumulator_value = Hyperparameter(0, doc="G_0 >= 0, the starting sum of squares")
    eps = Hyperparameter(0, open_low=True, doc="epsilon > 0, added to sqrt(G) for stability")

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, *, check_finite=False, fast=None):
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps,
                         check_finite=check_finite, fast=fast)

    def init_state(self, p) -> State:
        G0 = self._hyper_for(p)["initial_accumulator_value"]
        return State(sum_sq=self.xp.asarray(self.xp.zeros_like(p) + G0))   # 0-d stays an array

    @staticmethod
    def reference_update(p, g, s, t, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
        """One AdaGrad step: returns the new parameter and state (the math, Array API only)."""
        xp = get_namespace(p)
        if not is_zero(weight_decay):
            g = g + weight_decay * p                           # L2 penalty's gradient
        lr_t = lr / (1 + (t - 1) * lr_decay)                   # eta_t (step t counts from 1)
        G = s.sum_sq + g * g                                   # G_t = G_{t-1} + g_t^2
        p = p - lr_t * g / (xp.sqrt(G) + eps)                   # eps outside the sqrt
        return p, State(sum_sq=G)

    @staticmethod
    def scalars(t, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
        """The step's scalars and option flags (host side, shared by every fast path)."""
        return dict(lr_t=lr / (1 + (t - 1) * lr_decay), eps=eps, wd=weight_decay), dict(l2=not is_zero(weight_decay))

    @staticmethod
    def element(p, g, sum_sq, lr_t, eps, wd, l2):
        """One coordinate's step, the reference's operations in its order (the fast paths' spec)."""
        if l2:
            g = g + wd * p
        sum_sq = sum_sq + g * g
        p = p - lr_t * g / (np.sqrt(sum_sq) + eps)
        return p, sum_sq
