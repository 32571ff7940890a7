"""The pieces the adaptive optimizers share, named after the math.

Each works on floats and on arrays of any Array API module (NumPy, CuPy,
``array_api_strict``), and broadcasts, so ``beta`` may be an array of R
configurations. The ``*_`` variants are the in-place twins used by the fast
path (NumPy/CuPy only): same operations in the same order, so the same bits.
"""
from __future__ import annotations

__all__ = ["ema", "bias_correction", "is_zero", "ema_", "l2_gradient_"]


def ema(avg, x, beta):
    r"""Exponential moving average: :math:`\beta\,\mathrm{avg} + (1-\beta)\,x`.

    ``beta`` in [0, 1) is the decay: the weight the past keeps each step, so the
    average remembers about ``1 / (1 - beta)`` steps. Started at zero, after t steps
    its weights sum to ``bias_correction(beta, t)`` rather than 1.
    """
    return beta * avg + (1 - beta) * x


def bias_correction(beta, t):
    r""":math:`1 - \beta^t`: the total weight an EMA started at zero has given the data after t steps.

    Dividing the EMA by it removes the pull towards zero of the start
    (Kingma & Ba 2015, "Adam", Sec. 3): for a constant input ``c`` the corrected
    average is exactly ``c`` from the first step on. Steps count from ``t = 1``.
    """
    return 1 - beta ** t


def is_zero(h) -> bool:
    """True when a hyperparameter is the number 0 (an array never counts as zero).

    Optimizers skip a term (weight decay, momentum) exactly when torch.optim does.
    """
    return isinstance(h, (int, float)) and h == 0


def ema_(avg, x, beta, work, xp):
    """In place (NumPy/CuPy): ``avg <- beta * avg + (1 - beta) * x``; ``work`` is scratch (it may be ``x``)."""
    xp.multiply(avg, beta, out=avg)
    xp.multiply(x, 1 - beta, out=work)
    xp.add(avg, work, out=avg)
    return avg


def l2_gradient_(g, p, weight_decay, work, xp):
    """Fast-path twin of ``g + weight_decay * p`` (the L2 penalty's gradient), computed into ``work``.

    Returns ``g`` itself when ``weight_decay`` is the number 0, as torch.optim skips the term.
    """
    if is_zero(weight_decay):
        return g
    xp.multiply(p, weight_decay, out=work)
    return xp.add(g, work, out=work)
