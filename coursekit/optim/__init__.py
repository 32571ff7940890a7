"""Optimizers with torch.optim's conventions, written as readable math over any array module.

>>> import numpy as np
>>> from coursekit import optim
>>> x = np.array([1.0, -2.0])
>>> opt = optim.Adam(x, lr=0.1)
>>> opt.step(2 * x)            # the gradient of |x|^2; x is updated in place
>>> x
array([ 0.9, -1.9])

Conventions (those of torch.optim, so results agree step by step): the step count
``t`` starts at 1; ``weight_decay`` adds ``lambda * p`` to the gradient, except in
AdamW, which first multiplies ``p`` by ``1 - lr * lambda``. Every numeric
hyperparameter may be a float or an array broadcasting against the parameters
(``lr`` of shape (R, 1) with params of shape (R, d) runs R configurations at once).

Each optimizer's update is written once as ``<Class>.reference_update`` (Array API
calls only: NumPy, CuPy, ``array_api_strict``), and once per coordinate as
``<Class>.element`` (:mod:`.elementwise`). Beside the reference run the same operations,
faster, picked per parameter (``opt.paths``; see :mod:`coursekit.optim.paths`): in place
block by block for NumPy (:mod:`.inplace`, bit for bit), ``element`` in a fused numba loop
when numba is installed (:mod:`.numba_kernels`), a CuPy kernel generated from ``element``
on the GPU (:mod:`.cupy_kernels`, :mod:`.cuda_source`); the reference itself for small arrays.

State, per parameter, is named after the math (torch's name in brackets)::

    SGD      b (momentum_buffer)
    AdaGrad  sum_sq (sum)
    RMSProp  v (square_avg), g_avg (grad_avg), b (momentum_buffer)
    Adam(W)  m (exp_avg), v (exp_avg_sq), v_max (max_exp_avg_sq)

with one step counter ``opt.t`` for all parameters (torch: ``step``, per parameter).
"""
from .adagrad import AdaGrad
from .adam import Adam, AdamW
from .base import Flag, Hyperparameter, Optimizer, State
from .moments import bias_correction, ema
from .rmsprop import RMSProp
from .sgd import SGD
from .terms import is_zero

OPTIMIZERS = {"sgd": SGD, "adagrad": AdaGrad, "rmsprop": RMSProp, "adam": Adam, "adamw": AdamW}


def get(name: str) -> type:
    """The optimizer class for a name of :data:`OPTIMIZERS` (case-insensitive)."""
    try:
        return OPTIMIZERS[name.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}") from None


__all__ = ["SGD", "AdaGrad", "RMSProp", "Adam", "AdamW", "OPTIMIZERS", "get",
           "Optimizer", "State", "Hyperparameter", "Flag", "ema", "bias_correction", "is_zero"]
