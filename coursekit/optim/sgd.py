"""Stochastic gradient descent with heavy-ball or Nesterov momentum (torch.optim.SGD conventions)."""
from __future__ import annotations

from coursekit.backend import copy

from .base import Flag, Hyperparameter, Optimizer, State, _all
from .terms import is_zero

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""SGD, optionally with momentum (Polyak 1964) or Nesterov momentum (Nesterov 1983;
    in the form of Sutskever et al. 2013), as torch.optim.SGD computes it:

    .. math::
        g \leftarrow g + \lambda p, \qquad
        b_1 = g_1, \quad b_t = \mu b_{t-1} + (1-\tau) g_t, \qquad
        p \leftarrow p - \eta\,(g + \mu b_t) \ \text{(Nesterov)} \ \text{or}\ p - \eta\, b_t.

    State per parameter: ``b`` (torch: ``momentum_buffer``), ``None`` until the first
    step with momentum.
    """

    lr = Hyperparameter(0, doc="learning rate eta >= 0")
    momentum = Hyperparameter(0, doc="momentum mu >= 0 (0: plain SGD)")
    dampening = Hyperparameter(0, 1, doc="dampening tau in [0, 1]: b <- mu b + (1 - tau) g")
    weight_decay = Hyperparameter(0, doc="L2 penalty lambda >= 0, added to the gradient")
    nesterov = Flag("use Nesterov's look-ahead (needs momentum > 0 and dampening = 0)")

    def __init__(self, params, lr=1e-2, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0, *, check_finite=False, fast=None):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                         weight_decay=weight_decay, check_finite=check_finite, fast=fast)

    def _check_consistency(self):
        if self.nesterov:
            if not _all(self.momentum > 0):
                raise ValueError("nesterov=True requires momentum > 0")
            if not _all(self.dampening == 0):
                raise ValueError("nesterov=True requires dampening = 0")

    def init_state(self, p) -> State:
        return State(b=None)

    @staticmethod
    def reference_update(p, g, s, t, *, lr, momentum, dampening, weight_decay, nesterov):
        """One SGD step: returns the new parameter and state (the math, Array API only)."""
        if not is_zero(weight_decay):
            g = g + weight_decay * p                           # L2 penalty's gradient
        b = s.b
        if not is_zero(momentum):
            if b is None:
                b = copy(g)                                    # b_1 = g_1: no dampening at first
            else:
                b = momentum * b + (1 - dampening) * g         # b_t = mu b_{t-1} + (1 - tau) g_t
            g = g + momentum * b if nesterov else b            # look ahead, or follow the buffer
        p = p - lr * g
        return p, State(b=b)

    lazy = {"b": "momentum"}

    @staticmethod
    def scalars(t, *, lr, momentum, dampening, weight_decay, nesterov):
        """The step's scalars and option flags (host side, shared by every fast path)."""
        on = not is_zero(momentum)
        return (dict(lr=lr, mu=momentum, one_minus_tau=1 - dampening, wd=weight_decay),
                dict(momentum=on, nesterov=bool(nesterov) and on, l2=not is_zero(weight_decay)))

    @staticmethod
    def element(p, g, b, lr, mu, one_minus_tau, wd, momentum, nesterov, l2, first):
        """One coordinate's step, the reference's operations in its order (the fast paths' spec)."""
        if l2:
            g = g + wd * p
        if momentum:
            if first:
                b = g
            else:
                b = mu * b + one_minus_tau * g
            if nesterov:
                g = g + mu * b
            else:
                g = b
        p = p - lr * g
        return p, b
