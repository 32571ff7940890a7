"""Multinomial (softmax) logistic regression with gradient and Hessian written out."""
from __future__ import annotations

from .. import backend
from .._validate import count, nonnegative
from ._common import Objective, class_labels, features, logsumexp, one_hot, ridge, softmax

__all__ = ["SoftmaxRegression"]


class SoftmaxRegression:
    """Softmax regression over ``n_classes`` classes, labels y in {0, ..., k-1}.

    W has shape (d, k) (one column of weights per class); logits Z = X W (n, k);
    P = softmax(Z) row-wise; Y = one_hot(y).

        L(W)  = mean_i [ logsumexp(Z_i) - Z_{i, y_i} ]  +  (l2 / 2) ||W||_F^2
        dL/dW = X^T (P - Y) / n  +  l2 W
        H     = (1/n) sum_i  (x_i x_i^T) kron (diag(p_i) - p_i p_i^T)  +  l2 I

    The Hessian is (d k, d k) with respect to ``W.reshape(-1)`` (row-major: entry
    (a, c) of W at index a k + c). log-sum-exp is shifted by the row maximum, so
    huge logits are safe. No separate bias: add a column of ones to X
    (``coursekit.data.add_bias``) for one. L is convex, but with l2 = 0 never
    strictly (adding a constant to every column of W changes nothing).

    n_classes: k >= 2. l2: ridge strength lambda >= 0.
    """

    def __init__(self, n_classes: int, l2: float = 0.0):
        self.n_classes = count(n_classes, "n_classes", minimum=2)
        self.l2 = nonnegative(l2, "l2")

    def __repr__(self) -> str:
        return f"SoftmaxRegression(n_classes={self.n_classes}, l2={self.l2})"

    def _weights(self, xp, W, d, dtype):
        W = xp.asarray(W)
        if tuple(W.shape) != (d, self.n_classes):
            raise ValueError(f"W must have shape ({d}, {self.n_classes}) (n_features, n_classes), "
                             f"got {tuple(W.shape)}")
        return W if xp.isdtype(W.dtype, "real floating") else xp.astype(W, dtype)

    def _prepare(self, W, X, y):
        xp = backend.get_namespace(W, X, y)
        X = features(xp, X)
        y = class_labels(xp, y, X.shape[0], self.n_classes)
        W = self._weights(xp, W, X.shape[1], X.dtype)
        return xp, W, X, one_hot(xp, y, self.n_classes, X.dtype)

    def loss(self, W, X, y):
        """mean(logsumexp(XW) - (XW)_{i,y_i}) + (l2/2) ||W||^2."""
        return self.value_and_grad(W, X, y)[0]

    def grad(self, W, X, y):
        """X^T (softmax(XW) - Y) / n + l2 W, shape (d, k)."""
        return self.value_and_grad(W, X, y)[1]

    def value_and_grad(self, W, X, y):
        """(loss, gradient) sharing the logits."""
        xp, W, X, Y = self._prepare(W, X, y)
        n = X.shape[0]
        Z = X @ W
        lse = logsumexp(xp, Z, axis=1)
        value = xp.mean(lse - xp.sum(Y * Z, axis=1)) + ridge(xp, self.l2, W, axis=None)
        P = xp.exp(Z - xp.reshape(lse, (-1, 1)))
        grad = (X.T @ (P - Y)) / n + self.l2 * W
        return value, grad

    def hessian(self, W, X, y):
        """(d k, d k) Hessian with respect to W.reshape(-1) (see the class docstring)."""
        xp, W, X, Y = self._prepare(W, X, y)
        n, d = X.shape
        k = self.n_classes
        P = softmax(xp, X @ W, axis=1)                                   # (n, k)
        M = xp.expand_dims(P, axis=2) * xp.eye(k, dtype=P.dtype) \
            - xp.expand_dims(P, axis=2) * xp.expand_dims(P, axis=1)         # (n, k, k)
        XX = xp.expand_dims(X, axis=2) * xp.expand_dims(X, axis=1)          # (n, d, d)
        H4 = xp.reshape(XX, (n, d * d)).T @ xp.reshape(M, (n, k * k)) / n   # (d d, k k)
        H4 = xp.permute_dims(xp.reshape(H4, (d, d, k, k)), (0, 2, 1, 3))    # (a, c, b, e)
        return xp.reshape(H4, (d * k, d * k)) + self.l2 * xp.eye(d * k, dtype=X.dtype)

    def per_example_grads(self, W, X, y):
        """Per-example gradients x_i (p_i - y_i)^T + l2 W, shape (n, d, k)."""
        xp, W, X, Y = self._prepare(W, X, y)
        P = softmax(xp, X @ W, axis=1)
        return xp.expand_dims(X, axis=2) * xp.expand_dims(P - Y, axis=1) + self.l2 * W

    def logits(self, W, X):
        """Z = X W, shape (n, k)."""
        xp = backend.get_namespace(W, X)
        X = features(xp, X)
        return X @ self._weights(xp, W, X.shape[1], X.dtype)

    def predict_proba(self, W, X):
        """Class probabilities softmax(X W), shape (n, k), rows sum to 1."""
        xp = backend.get_namespace(W, X)
        return softmax(xp, self.logits(W, X), axis=1)

    def predict(self, W, X):
        """The most probable class of each row, int64 of shape (n,)."""
        xp = backend.get_namespace(W, X)
        return xp.astype(xp.argmax(self.logits(W, X), axis=1), xp.int64)

    def objective(self, X, y):
        """The loss with the data fixed: an object with value/grad/hessian/value_and_grad of W."""
        return Objective(self, X, y)
