"""Linear and logistic regression with losses, gradients and Hessians written out.

Notation: X is (n, d) (one example per row), y is (n,), w is (d,). For an
intercept add a column of ones to X (``coursekit.data.add_bias``); its weight
is then regularized like the others. Every method also accepts a stack of
parameter vectors ``w`` of shape (..., d) and returns values of shape (...),
gradients (..., d) and Hessians (..., d, d): one call evaluates many runs.
"""
from __future__ import annotations

from .. import backend
from .._validate import nonnegative
from ._common import (Objective, binary_labels, features, ridge, sigmoid, softplus,
                      targets, weights)

__all__ = ["LinearRegression", "LogisticRegression"]


class LinearRegression:
    """Least squares with optional ridge penalty.

        L(w)  = ||X w - y||^2 / (2n)  +  (l2 / 2) ||w||^2
        dL/dw = X^T (X w - y) / n  +  l2 w
        H     = X^T X / n  +  l2 I          (constant, positive semidefinite: L is convex)

    l2: ridge strength lambda >= 0 (0: ordinary least squares).
    """

    def __init__(self, l2: float = 0.0):
        self.l2 = nonnegative(l2, "l2")

    def __repr__(self) -> str:
        return f"LinearRegression(l2={self.l2})"

    def _prepare(self, w, X, y):
        xp = backend.get_namespace(w, X, y)
        X = features(xp, X)
        y = targets(xp, y, X.shape[0], X.dtype)
        w = weights(xp, w, X.shape[1], X.dtype)
        return xp, w, X, y

    def residual(self, w, X, y):
        """r = X w - y, shape (..., n)."""
        xp, w, X, y = self._prepare(w, X, y)
        return w @ X.T - y

    def loss(self, w, X, y):
        """||X w - y||^2 / (2n) + (l2/2) ||w||^2."""
        return self.value_and_grad(w, X, y)[0]

    def grad(self, w, X, y):
        """X^T (X w - y) / n + l2 w."""
        return self.value_and_grad(w, X, y)[1]

    def value_and_grad(self, w, X, y):
        """(loss, gradient) sharing the residual."""
        xp, w, X, y = self._prepare(w, X, y)
        n = X.shape[0]
        r = w @ X.T - y                                   # (..., n)
        value = xp.sum(r * r, axis=-1) / (2 * n) + ridge(xp, self.l2, w)
        grad = (r @ X) / n + self.l2 * w
        return value, grad

    def hessian(self, w, X, y):
        """X^T X / n + l2 I (independent of w; broadcast over w's leading axes)."""
        xp, w, X, y = self._prepare(w, X, y)
        d = X.shape[1]
        H = (X.T @ X) / X.shape[0] + self.l2 * xp.eye(d, dtype=X.dtype)
        batch = tuple(w.shape[:-1])
        return xp.broadcast_to(H, batch + (d, d)) if batch else H

    def per_example_grads(self, w, X, y):
        """Gradients of the per-example losses (x_i.w - y_i)^2/2 + (l2/2)||w||^2,
        shape (..., n, d); their mean over the n axis is :meth:`grad`."""
        xp, w, X, y = self._prepare(w, X, y)
        r = w @ X.T - y
        return xp.expand_dims(r, axis=-1) * X + self.l2 * xp.expand_dims(w, axis=-2)

    def closed_form(self, X, y):
        """The minimizer. With l2 > 0 it solves (X^T X / n + l2 I) w = X^T y / n;
        with l2 = 0 it returns pinv(X) y, the minimum-norm least-squares solution
        (what ``numpy.linalg.lstsq`` gives, also for rank-deficient X)."""
        xp = backend.get_namespace(X, y)
        X = features(xp, X)
        y = targets(xp, y, X.shape[0], X.dtype)
        n, d = X.shape
        if self.l2 == 0:
            return xp.linalg.pinv(X) @ y
        A = (X.T @ X) / n + self.l2 * xp.eye(d, dtype=X.dtype)
        return xp.linalg.solve(A, (X.T @ y) / n)

    def predict(self, w, X):
        """X w, shape (..., n)."""
        xp = backend.get_namespace(w, X)
        X = features(xp, X)
        w = weights(xp, w, X.shape[1], X.dtype)
        return w @ X.T

    def objective(self, X, y):
        """The loss with the data fixed: an object with value/grad/hessian/value_and_grad of w."""
        return Objective(self, X, y)


class LogisticRegression:
    """Binary logistic regression, labels y in {0, 1}, mean log-loss.

    With z = X w and sigma(z) = 1 / (1 + e^{-z}):

        L(w)  = mean_i [ softplus(z_i) - y_i z_i ]  +  (l2 / 2) ||w||^2
        dL/dw = X^T (sigma(z) - y) / n  +  l2 w
        H     = X^T diag(sigma(z)(1 - sigma(z))) X / n  +  l2 I   (PSD: L is convex)

    softplus(z) - y z is the cross-entropy -y log sigma(z) - (1-y) log(1 - sigma(z))
    rearranged; with softplus(z) = log(1 + e^z) = logaddexp(0, z) it stays finite
    and exact for logits of any size (1e3, 1e300), where log(sigma(z)) would give -inf.

    l2: ridge strength lambda >= 0.
    """

    def __init__(self, l2: float = 0.0):
        self.l2 = nonnegative(l2, "l2")

    def __repr__(self) -> str:
        return f"LogisticRegression(l2={self.l2})"

    def _prepare(self, w, X, y):
        xp = backend.get_namespace(w, X, y)
        X = features(xp, X)
        y = binary_labels(xp, y, X.shape[0], X.dtype)
        w = weights(xp, w, X.shape[1], X.dtype)
        return xp, w, X, y

    def loss(self, w, X, y):
        """mean(logaddexp(0, Xw) - y * Xw) + (l2/2) ||w||^2."""
        xp, w, X, y = self._prepare(w, X, y)
        z = w @ X.T
        return (xp.mean(softplus(xp, z) - y * z, axis=-1)
                + ridge(xp, self.l2, w))

    def grad(self, w, X, y):
        """X^T (sigma(Xw) - y) / n + l2 w."""
        return self.value_and_grad(w, X, y)[1]

    def value_and_grad(self, w, X, y):
        """(loss, gradient) sharing the logits z = X w."""
        xp, w, X, y = self._prepare(w, X, y)
        n = X.shape[0]
        z = w @ X.T
        value = (xp.mean(softplus(xp, z) - y * z, axis=-1)
                 + ridge(xp, self.l2, w))
        grad = ((sigmoid(xp, z) - y) @ X) / n + self.l2 * w
        return value, grad

    def hessian(self, w, X, y):
        """X^T diag(sigma(z) sigma(-z)) X / n + l2 I, shape (..., d, d)."""
        xp, w, X, y = self._prepare(w, X, y)
        n, d = X.shape
        z = w @ X.T
        c = xp.exp(-softplus(xp, z) - softplus(xp, -z))      # sigma(z)(1 - sigma(z)), no overflow
        H = ((X.T * xp.expand_dims(c, axis=-2)) @ X) / n
        return H + self.l2 * xp.eye(d, dtype=X.dtype)

    def per_example_grads(self, w, X, y):
        """Per-example gradients (sigma(z_i) - y_i) x_i + l2 w, shape (..., n, d)."""
        xp, w, X, y = self._prepare(w, X, y)
        z = w @ X.T
        return xp.expand_dims(sigmoid(xp, z) - y, axis=-1) * X + self.l2 * xp.expand_dims(w, axis=-2)

    def logits(self, w, X):
        """z = X w, shape (..., n)."""
        xp = backend.get_namespace(w, X)
        X = features(xp, X)
        return weights(xp, w, X.shape[1], X.dtype) @ X.T

    def predict_proba(self, w, X):
        """P(y = 1 | x) = sigma(x.w), shape (..., n)."""
        xp = backend.get_namespace(w, X)
        return sigmoid(xp, self.logits(w, X))

    def predict(self, w, X, threshold: float = 0.5):
        """Labels in {0, 1} (int64): 1 where predict_proba >= threshold."""
        xp = backend.get_namespace(w, X)
        return xp.astype(self.predict_proba(w, X) >= threshold, xp.int64)

    def objective(self, X, y):
        """The loss with the data fixed: an object with value/grad/hessian/value_and_grad of w."""
        return Objective(self, X, y)
