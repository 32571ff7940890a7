"""Adam, AMSGrad and AdamW (torch.optim.Adam / AdamW conventions)."""
from __future__ import annotations

import numpy as np

from coursekit.backend import get_namespace

from .base import Flag, Hyperparameter, Optimizer, State
from .moments import bias_correction, ema
from .terms import is_zero

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), optionally AMSGrad (Reddi, Kale & Kumar 2018), as torch.optim.Adam:

    .. math::
        g \leftarrow g + \lambda p, \quad
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
        v^{\max}_t = \max(v^{\max}_{t-1}, v_t)\ \text{(AMSGrad)},

    .. math::
        \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad
        \hat v_t = \frac{v_t \text{ (AMSGrad: } v^{\max}_t)}{1-\beta_2^t}, \quad
        p \leftarrow p - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.

    Computed as torch does: ``step_size`` = :math:`\eta/(1-\beta_1^t)` and
    ``denom`` = :math:`\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon` (= :math:`\sqrt{\hat v_t} + \epsilon`),
    then :math:`p \leftarrow p - \text{step\_size}\cdot m_t/\text{denom}`. ``eps`` is added
    outside the root; AMSGrad takes the running max of the raw ``v``. ``weight_decay`` is
    an L2 term added to the gradient (for decoupled decay use :class:`AdamW`).
    State per parameter: ``m`` (torch: ``exp_avg``), ``v`` (``exp_avg_sq``),
    ``v_max`` (``max_exp_avg_sq``, AMSGrad only).
    """

    lr = Hyperparameter(0, doc="learning rate eta >= 0")
    betas = Hyperparameter(0, 1, open_high=True, pair=True,
                           doc="(beta1, beta2), each in [0, 1): decays of the first and second moments")
    eps = Hyperparameter(0, open_low=True, doc="epsilon > 0, added to the root for stability")
    weight_decay = Hyperparameter(0, doc="L2 penalty lambda >= 0, added to the gradient")
    amsgrad = Flag("normalize by the running maximum of v (Reddi et al. 2018)")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, *, check_finite=False, fast=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, check_finite=check_finite, fast=fast)

    def init_state(self, p) -> State:
        zeros = self.xp.zeros_like
        return State(m=zeros(p), v=zeros(p), v_max=zeros(p) if self.amsgrad else None)

    @staticmethod
    def reference_update(p, g, s, t, *, lr, betas, eps, weight_decay, amsgrad):
        """One Adam step: returns the new parameter and state (the math, Array API only)."""
        xp = get_namespace(p)
        beta1, beta2 = betas
        if not is_zero(weight_decay):
            g = g + weight_decay * p                           # L2 penalty's gradient
        m = ema(s.m, g, beta1)                                 # first moment
        v = ema(s.v, g * g, beta2)                             # second moment
        v_max = xp.maximum(s.v_max, v) if amsgrad else None    # AMSGrad: running max of raw v
        step_size = lr / bias_correction(beta1, t)             # lr * m_hat = step_size * m
        denom = xp.sqrt(v_max if amsgrad else v) / bias_correction(beta2, t) ** 0.5 + eps  # sqrt(v_hat) + eps
        p = p - step_size * m / denom
        return p, State(m=m, v=v, v_max=v_max)

    @staticmethod
    def scalars(t, *, lr, betas, eps, weight_decay, amsgrad):
        """The step's scalars and option flags (host side, shared by every fast path)."""
        beta1, beta2 = betas
        return (dict(beta1=beta1, one_minus_beta1=1 - beta1, beta2=beta2, one_minus_beta2=1 - beta2,
                     step_size=lr / bias_correction(beta1, t), root_bc2=bias_correction(beta2, t) ** 0.5,
                     eps=eps, wd=weight_decay, keep=1.0),
                dict(amsgrad=bool(amsgrad), l2=not is_zero(weight_decay), decay=False))

    @staticmethod
    def element(p, g, m, v, v_max, beta1, one_minus_beta1, beta2, one_minus_beta2, step_size, root_bc2, eps,
                wd, keep, amsgrad, l2, decay):
        """One coordinate's step, the reference's operations in its order (the fast paths' spec);
        ``decay``: AdamW's ``p * (1 - lr lambda)`` first, ``l2``: Adam's ``g + lambda p``."""
        if decay:
            p = p * keep
        if l2:
            g = g + wd * p
        m = beta1 * m + one_minus_beta1 * g
        v = beta2 * v + one_minus_beta2 * (g * g)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            p = p - step_size * m / (np.sqrt(v_max) / root_bc2 + eps)
        else:
            p = p - step_size * m / (np.sqrt(v) / root_bc2 + eps)
        return p, m, v, v_max


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as torch.optim.AdamW.

    First :math:`p \leftarrow p\,(1 - \eta\lambda)`, then an Adam step without the L2
    term. With adaptive steps this differs from adding :math:`\lambda p` to the gradient.
    """

    weight_decay = Hyperparameter(0, doc="decoupled decay lambda >= 0: p <- p (1 - lr lambda) each step")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, check_finite=False, fast=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, check_finite=check_finite, fast=fast)

    @staticmethod
    def reference_update(p, g, s, t, *, lr, betas, eps, weight_decay, amsgrad):
        """One AdamW step: decay the weights, then an Adam step without L2 term."""
        if not is_zero(weight_decay):
            p = p * (1 - lr * weight_decay)                    # decoupled weight decay
        return Adam.reference_update(p, g, s, t, lr=lr, betas=betas, eps=eps,
                                     weight_decay=0.0, amsgrad=amsgrad)

    @staticmethod
    def scalars(t, *, lr, betas, eps, weight_decay, amsgrad):
        """Adam's scalars without the L2 term, and the decay factor ``keep`` = 1 - lr lambda."""
        scalars, flags = Adam.scalars(t, lr=lr, betas=betas, eps=eps, weight_decay=0.0, amsgrad=amsgrad)
        scalars["keep"] = 1 - lr * weight_decay
        return scalars, dict(flags, decay=not is_zero(weight_decay))
