"""A small multilayer perceptron with backpropagation written out by hand.

Layers l = 1..L, with a_0 = X (n, d_0):

    z_l = a_{l-1} W_l + b_l          W_l: (d_{l-1}, d_l),  b_l: (d_l,)
    a_l = phi(z_l)                   phi = relu or tanh, for l < L
    loss = mean_i [ logsumexp(z_L,i) - z_L,i,y_i ]  +  (l2/2) sum_l ||W_l||^2

Backward (delta_l = dloss/dz_l):

    delta_L   = (softmax(z_L) - Y) / n
    dW_l      = a_{l-1}^T delta_l + l2 W_l,    db_l = sum_i delta_l,i
    delta_l-1 = (delta_l W_l^T) * phi'(z_{l-1})

with relu'(z) = [z > 0] = [a > 0] and tanh'(z) = 1 - a^2.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .. import backend
from .._validate import nonnegative, positive
from ._common import Objective, class_labels, features, logsumexp, one_hot, softmax

__all__ = ["MLP", "init_std", "weight_norms", "ACTIVATIONS", "INITS"]

ACTIVATIONS = ("relu", "tanh")
INITS = ("he", "xavier", "naive")


def init_std(init: str, fan_in: int, fan_out: int, naive_std: float = 0.01) -> float:
    """Standard deviation of the normal initial weights of one layer.

    - ``"he"``: sqrt(2 / fan_in) (He et al. 2015, "Delving deep into rectifiers"):
      keeps the variance of relu activations constant across layers.
    - ``"xavier"``: sqrt(2 / (fan_in + fan_out)) (Glorot & Bengio 2010, the
      normal variant): keeps forward and backward variances of tanh/linear
      layers balanced.
    - ``"naive"``: the fixed ``naive_std`` (0.01, "small random numbers") whatever
      the width: signals and gradients shrink by about naive_std sqrt(width) per layer,
      so they vanish in deep nets (and explode with naive_std = 1).
    """
    if init == "he":
        return math.sqrt(2.0 / fan_in)
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if init == "naive":
        return float(naive_std)
    raise ValueError(f"init must be one of {INITS}, got {init!r}")


def weight_norms(arrays) -> np.ndarray:
    """Frobenius norm of each weight matrix in ``[W1, b1, W2, b2, ...]`` (params or
    grads); a NumPy array of length L. Biases are skipped."""
    norms = []
    for W in list(arrays)[0::2]:
        norms.append(float(backend.vector_norm(W)))
    return np.asarray(norms)


class MLP:
    """Fully connected network with softmax cross-entropy output.

    sizes: layer widths ``[d_in, h_1, ..., h_{L-1}, n_classes]`` (at least two
      entries, n_classes >= 2).
    activation: ``"relu"`` or ``"tanh"`` for the hidden layers.
    init: ``"he"``, ``"xavier"`` or ``"naive"`` weight scale (see :func:`init_std`);
      biases start at zero.
    seed: seed of :meth:`init_params` (every call returns the same parameters).
    l2: ridge penalty (l2/2) sum ||W_l||^2 on the weights (not the biases).
    naive_std: the weight std of ``init="naive"``.

    Parameters are a list ``[W1, b1, ..., WL, bL]`` of arrays, the format of
    ``coursekit.optim`` (``opt = optim.Adam(params); opt.step(grads)``).
    """

    def __init__(self, sizes, activation: str = "relu", init: str = "he", seed: int = 0,
                 l2: float = 0.0, naive_std: float = 0.01):
        try:
            sizes = [operator.index(s) for s in sizes]
        except TypeError:
            raise TypeError(f"sizes must be a sequence of integers, got {sizes!r}") from None
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive widths [d_in, ..., n_classes], got {sizes}")
        if sizes[-1] < 2:
            raise ValueError(f"sizes[-1] is the number of classes and must be >= 2, got {sizes[-1]}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        naive_std = positive(naive_std, "naive_std")
        self.sizes = sizes
        self.activation = activation
        self.init = init
        self.seed = operator.index(seed)
        self.l2 = nonnegative(l2, "l2")
        self.naive_std = float(naive_std)

    def __repr__(self) -> str:
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, init={self.init!r}, "
                f"seed={self.seed}, l2={self.l2})")

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def n_classes(self) -> int:
        return self.sizes[-1]

    def init_params(self, xp=None, dtype=None) -> list:
        """[W1, b1, ..., WL, bL]: W_l ~ N(0, init_std^2) of shape (d_{l-1}, d_l), b_l = 0.

        Drawn with ``numpy.random.default_rng(seed)`` (the same numbers on every
        backend), then moved to ``xp`` (default: the active ``backend.xp``) with
        ``dtype`` (default float64).
        """
        xp = backend.xp if xp is None else xp
        dtype = xp.float64 if dtype is None else dtype
        rng = np.random.default_rng(self.seed)
        params = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            std = init_std(self.init, fan_in, fan_out, self.naive_std)
            W = rng.standard_normal((fan_in, fan_out)) * std
            params += [xp.asarray(W, dtype=dtype), xp.zeros((fan_out,), dtype=dtype)]
        return params

    # ------------------------------------------------------------ forward / backward

    def _check_params(self, xp, params):
        params = list(params)
        if len(params) != 2 * self.n_layers:
            raise ValueError(f"params must be a list [W1, b1, ..., W{self.n_layers}, b{self.n_layers}] "
                             f"of {2 * self.n_layers} arrays, got {len(params)}")
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            W, b = params[2 * l], params[2 * l + 1]
            if tuple(W.shape) != (fan_in, fan_out):
                raise ValueError(f"params[{2 * l}] (W{l + 1}) must have shape ({fan_in}, {fan_out}), "
                                 f"got {tuple(W.shape)}")
            if tuple(b.shape) != (fan_out,):
                raise ValueError(f"params[{2 * l + 1}] (b{l + 1}) must have shape ({fan_out},), got {tuple(b.shape)}")
        return params

    def _features(self, xp, X):
        X = features(xp, X)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have {self.sizes[0]} columns (sizes[0]), got {X.shape[1]}")
        return X

    def _phi(self, xp, z):
        return xp.maximum(z, 0.0) if self.activation == "relu" else xp.tanh(z)

    def _phi_prime(self, xp, a):
        """phi'(z) written with a = phi(z)."""
        if self.activation == "relu":
            return xp.astype(a > 0, a.dtype)
        return 1.0 - a * a

    def forward(self, params, X):
        """(logits z_L of shape (n, n_classes), [a_0 = X, a_1, ..., a_{L-1}])."""
        xp = backend.get_namespace(params, X)
        params = self._check_params(xp, params)
        a = self._features(xp, X)
        activations = [a]
        for l in range(self.n_layers):
            z = a @ params[2 * l] + params[2 * l + 1]
            if l == self.n_layers - 1:
                return z, activations
            a = self._phi(xp, z)
            activations.append(a)

    def _penalty(self, xp, params):
        if self.l2 == 0:
            return 0.0
        return (self.l2 / 2) * sum(xp.sum(W * W) for W in params[0::2])

    def loss(self, params, X, y):
        """Mean softmax cross-entropy (+ weight penalty): forward pass only."""
        xp = backend.get_namespace(params, X, y)
        logits, _ = self.forward(params, X)
        Y = one_hot(xp, class_labels(xp, y, logits.shape[0], self.n_classes), self.n_classes, logits.dtype)
        return xp.mean(logsumexp(xp, logits, axis=1) - xp.sum(Y * logits, axis=1)) + self._penalty(xp, params)

    def loss_and_grads(self, params, X, y):
        """(loss, [dW1, db1, ..., dWL, dbL]) by backpropagation (module docstring)."""
        xp = backend.get_namespace(params, X, y)
        params = self._check_params(xp, params)
        logits, acts = self.forward(params, X)
        n = logits.shape[0]
        Y = one_hot(xp, class_labels(xp, y, n, self.n_classes), self.n_classes, logits.dtype)
        lse = logsumexp(xp, logits, axis=1)
        loss = xp.mean(lse - xp.sum(Y * logits, axis=1)) + self._penalty(xp, params)

        delta = (xp.exp(logits - xp.reshape(lse, (-1, 1))) - Y) / n      # dloss/dz_L
        grads = [None] * len(params)
        for l in reversed(range(self.n_layers)):
            W = params[2 * l]
            grads[2 * l] = acts[l].T @ delta + self.l2 * W
            grads[2 * l + 1] = xp.sum(delta, axis=0)
            if l > 0:
                delta = (delta @ W.T) * self._phi_prime(xp, acts[l])
        return loss, grads

    value_and_grad = loss_and_grads

    def grads(self, params, X, y) -> list:
        """The gradient list of :meth:`loss_and_grads`."""
        return self.loss_and_grads(params, X, y)[1]

    grad = grads

    def layer_grad_norms(self, params, X, y) -> np.ndarray:
        """||dloss/dW_l||_F for l = 1..L (NumPy array), the per-layer gradient scale
        that vanishes or explodes with a bad initialization (claim C23)."""
        return weight_norms(self.loss_and_grads(params, X, y)[1])

    def predict_proba(self, params, X):
        """Class probabilities softmax(z_L), shape (n, n_classes)."""
        xp = backend.get_namespace(params, X)
        return softmax(xp, self.forward(params, X)[0], axis=1)

    def predict(self, params, X):
        """The most probable class of each row, int64 of shape (n,)."""
        xp = backend.get_namespace(params, X)
        return xp.astype(xp.argmax(self.forward(params, X)[0], axis=1), xp.int64)

    def objective(self, X, y):
        """The loss with the data fixed: ``obj(params)``, ``obj.value_and_grad(params)``
        -> (loss, grads list)."""
        return Objective(self, X, y)
