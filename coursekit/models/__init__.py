"""Models with losses and gradients written out by hand.

- :class:`LinearRegression` (least squares, optional ridge), closed form;
- :class:`LogisticRegression` (binary, stable log-loss) and
  :class:`SoftmaxRegression` (multinomial), with Hessians;
- :class:`MLP` with relu/tanh, He/Xavier/naive initialization and backpropagation.

Every method takes its array module from its inputs (NumPy, CuPy or any Array
API array) and checks shapes and labels, raising ``ValueError`` that names the
bad parameter. ``model.objective(X, y)`` fixes the data and gives a landscape
in the parameters for ``coursekit.minimize``.
"""
from ._common import Objective
from .linear import LinearRegression, LogisticRegression
from .mlp import ACTIVATIONS, INITS, MLP, init_std, weight_norms
from .softmax import SoftmaxRegression

__all__ = ["LinearRegression", "LogisticRegression", "SoftmaxRegression", "MLP",
           "Objective", "init_std", "weight_norms", "ACTIVATIONS", "INITS"]
