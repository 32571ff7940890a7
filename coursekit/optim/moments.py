"""Moment estimates, the pieces the adaptive optimizers share (in optax's spirit).

Both work on floats and on arrays of any Array API module (NumPy, CuPy,
``array_api_strict``), and broadcast, so ``beta`` may be an array of R configurations.
"""
from __future__ import annotations

__all__ = ["ema", "bias_correction"]


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
