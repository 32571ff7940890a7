"""Shared pieces of the models: input checks and numerically stable functions.

Every helper takes the array namespace ``xp`` first and uses only Array API
standard calls, so the models run on NumPy, CuPy and ``array_api_strict``.
"""
from __future__ import annotations


# ---------------------------------------------------------------- input checks

def _array(xp, a, name, what="an array"):
    """``xp.asarray(a)``, or TypeError "``name`` must be ``what``, got <type>"."""
    try:
        return xp.asarray(a)
    except Exception as exc:
        raise TypeError(f"{name} must be {what}, got {type(a).__name__}") from exc


def _length_n(y, n, name):
    """ValueError unless ``y`` has shape (n,), one entry per row of X."""
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) to match the {n} rows of X, got shape {tuple(y.shape)}")


def _as_float(xp, a, name):
    a = _array(xp, a, name)
    if xp.isdtype(a.dtype, "real floating"):
        return a
    if xp.isdtype(a.dtype, ("integral", "bool")):
        return xp.astype(a, xp.float64)
    raise TypeError(f"{name} must have a real dtype, got {a.dtype}")


def features(xp, X, name="X"):
    """X as a floating (n, d) array with n >= 1."""
    X = _as_float(xp, X, name)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {tuple(X.shape)}")
    if X.shape[0] < 1:
        raise ValueError(f"{name} must have at least one row (sample)")
    return X


def targets(xp, y, n, dtype, name="y"):
    """Real targets y of shape (n,), cast to ``dtype``."""
    y = _as_float(xp, y, name)
    _length_n(y, n, name)
    return xp.astype(y, dtype) if y.dtype != dtype else y


def binary_labels(xp, y, n, dtype, name="y"):
    """Labels of shape (n,) in {0, 1}, as ``dtype`` (floating)."""
    y = targets(xp, y, n, dtype, name)
    if not bool(xp.all((y == 0) | (y == 1))):
        raise ValueError(f"{name} must hold binary labels in {{0, 1}}")
    return y


def class_labels(xp, y, n, n_classes, name="y"):
    """Integer class labels of shape (n,) in {0, ..., n_classes - 1}, as int64."""
    y = _array(xp, y, name, "an array of class labels")
    _length_n(y, n, name)
    if xp.isdtype(y.dtype, "real floating"):
        if not bool(xp.all(y == xp.round(y))):
            raise ValueError(f"{name} must hold integer class labels")
    elif not xp.isdtype(y.dtype, "integral"):
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    y = xp.astype(y, xp.int64)
    if not bool(xp.all((y >= 0) & (y < n_classes))):
        raise ValueError(f"{name} must hold class labels in 0..{n_classes - 1} (n_classes = {n_classes})")
    return y


def weights(xp, w, d, dtype, name="w"):
    """Parameters of shape (d,) or (..., d) (several parameter vectors at once)."""
    w = _array(xp, w, name, f"an array of shape ({d},)")
    if w.ndim < 1 or w.shape[-1] != d:
        raise ValueError(f"{name} must have length {d} (one weight per column of X), got shape {tuple(w.shape)}")
    if not xp.isdtype(w.dtype, "real floating"):
        w = xp.astype(w, dtype)
    return w


# ---------------------------------------------------------------- stable functions

def softplus(xp, z):
    """log(1 + e^z) = logaddexp(0, z): exact for huge |z| (no overflow of e^z)."""
    return xp.logaddexp(xp.zeros_like(z), z)


def sigmoid(xp, z):
    """1 / (1 + e^{-z}) = exp(-softplus(-z)): never overflows."""
    return xp.exp(-softplus(xp, -z))


def logsumexp(xp, Z, axis=-1):
    """log sum_j exp(Z_j) along ``axis``, shifted by the max so exp never overflows."""
    m = xp.max(Z, axis=axis, keepdims=True)
    return xp.squeeze(m, axis=axis) + xp.log(xp.sum(xp.exp(Z - m), axis=axis))


def softmax(xp, Z, axis=-1):
    """exp(Z) / sum exp(Z) along ``axis``, computed stably."""
    E = xp.exp(Z - xp.max(Z, axis=axis, keepdims=True))
    return E / xp.sum(E, axis=axis, keepdims=True)


def one_hot(xp, y, n_classes, dtype):
    """(n, n_classes) indicator matrix of integer labels y."""
    classes = xp.reshape(xp.arange(n_classes, dtype=y.dtype), (1, n_classes))
    return xp.astype(xp.reshape(y, (-1, 1)) == classes, dtype)


def ridge(xp, l2, w, axis=-1):
    """(l2/2) ||w||^2 along ``axis`` (0.0 when l2 = 0, so huge w never gives inf * 0)."""
    return (l2 / 2) * xp.sum(w * w, axis=axis) if l2 else 0.0


class Objective:
    """A model's loss with the data fixed: a landscape in the parameters alone.

    ``obj = model.objective(X, y)``; then ``obj(w) == obj.value(w)``,
    ``obj.grad(w)``, ``obj.value_and_grad(w)`` and (where the model has one)
    ``obj.hessian(w)``, like the landscapes of ``coursekit.functions``, so
    ``coursekit.minimize(obj, w0, ...)`` trains the model.
    """

    def __init__(self, model, X, y):
        self.model, self.X, self.y = model, X, y

    def value(self, w):
        return self.model.loss(w, self.X, self.y)

    __call__ = value

    def grad(self, w):
        return self.model.grad(w, self.X, self.y)

    def value_and_grad(self, w):
        return self.model.value_and_grad(w, self.X, self.y)

    def hessian(self, w):
        return self.model.hessian(w, self.X, self.y)

    def __repr__(self) -> str:
        return f"Objective({self.model!r}, X of shape {tuple(self.X.shape)})"
