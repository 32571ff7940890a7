"""Small synthetic data sets made in code (nothing is downloaded), and batching.

Generators return NumPy arrays (X float64 of shape (n, d), class labels int64
of shape (n,)); move them with ``coursekit.backend.asarray``. Every generator
takes a ``seed``: the same seed gives the same data. Class data sets are
balanced (class sizes differ by at most one) and shuffled.

Batching (:func:`minibatches`, :func:`sample_batch`) and :class:`Standardizer`
work on any Array API arrays (NumPy, CuPy, ``array_api_strict``).
"""
from __future__ import annotations

import math
import operator
from typing import Iterator

import numpy as np

from . import backend
from ._validate import count, nonnegative

__all__ = ["blobs", "moons", "spirals", "regression", "train_test_split", "Standardizer",
           "minibatches", "sample_batch", "add_bias"]


# ---------------------------------------------------------------- checks

def _rng(rng) -> np.random.Generator:
    """A Generator from a seed (int), a Generator, or None (seed 0: reproducible)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng(0)
    try:
        return np.random.default_rng(operator.index(rng))
    except (TypeError, ValueError):
        raise TypeError(f"rng must be an integer seed, a numpy Generator or None, got {rng!r}") from None


def _class_sizes(n, k):
    """k sizes summing to n that differ by at most one (the first n % k get one more)."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _shuffled(rng, X, y):
    order = rng.permutation(X.shape[0])
    return X[order], y[order]


def _n_rows(X, y):
    if not hasattr(X, "shape") or len(X.shape) < 1:
        raise ValueError("X must be an array with one row per example")
    n = X.shape[0]
    if y is not None and (not hasattr(y, "shape") or len(y.shape) < 1 or y.shape[0] != n):
        got = tuple(getattr(y, "shape", ()))
        raise ValueError(f"y must have one entry per row of X ({n}), got shape {got}")
    return n


# ---------------------------------------------------------------- data sets

def blobs(n: int = 300, centers=3, std: float = 1.0, seed: int = 0, dim: int = 2, box: float = 5.0):
    """Isotropic Gaussian clusters: (X (n, dim), y (n,)).

    centers: the number k of clusters (centers drawn uniformly in [-box, box]^dim)
      or an array (k, dim) of given centers. std: the standard deviation of each
      cluster around its center. Class c has n // k or n // k + 1 points.
    """
    n = count(n, "n")
    std = nonnegative(std, "std")
    rng = np.random.default_rng(seed)
    if np.ndim(centers) == 0:
        k = count(centers, "centers")
        dim = count(dim, "dim")
        C = rng.uniform(-box, box, size=(k, dim))
    else:
        C = np.asarray(centers, dtype=float)
        if C.ndim != 2 or C.shape[0] < 1:
            raise ValueError(f"centers must be an int or an array of shape (k, dim), got shape {C.shape}")
        k = C.shape[0]
    sizes = _class_sizes(n, k)
    y = np.repeat(np.arange(k), sizes)
    X = C[y] + std * rng.standard_normal((n, C.shape[1]))
    return _shuffled(rng, X, y)


def moons(n: int = 300, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles (as sklearn's make_moons): (X (n, 2), y (n,)).

    Class 0: (cos t, sin t), class 1: (1 - cos t, 1/2 - sin t), t in [0, pi],
    plus Gaussian noise of standard deviation ``noise``.
    """
    n = count(n, "n", minimum=2)
    noise = nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], axis=1),
                        np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)])
    y = np.repeat(np.arange(2), [n0, n1])
    X = X + noise * rng.standard_normal(X.shape)
    return _shuffled(rng, X, y)


def spirals(n: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Interleaved spiral arms (the classic not-linearly-separable set): (X (n, 2), y (n,)).

    Arm c: radius r from 0 to 1, angle 4r + 2 pi c / k (one and a bit turns),
    the angle perturbed by Gaussian noise of standard deviation ``noise`` (radians).
    """
    n = count(n, "n")
    k = count(n_classes, "n_classes", minimum=2)
    noise = nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for c, m in enumerate(_class_sizes(n, k)):
        r = np.linspace(0.0, 1.0, m)
        t = 4.0 * r + 2 * np.pi * c / k + noise * rng.standard_normal(m)
        parts.append(np.stack([r * np.cos(t), r * np.sin(t)], axis=1))
        labels.append(np.full(m, c))
    return _shuffled(rng, np.concatenate(parts), np.concatenate(labels))


def regression(n: int = 200, d: int = 5, scales=None, noise: float = 0.1, seed: int = 0,
               offsets=None):
    """Linear regression data y = X w_true + noise: returns (X (n, d), y (n,), w_true (d,)).

    X = Z * scales + offsets with Z standard normal, so column j has standard
    deviation ``scales[j]`` and mean ``offsets[j]`` (default 1 and 0). Unequal
    scales make X^T X ill-conditioned (claim C8: kappa grows like
    (max scale / min scale)^2; standardizing fixes it). w_true ~ N(0, I);
    noise: standard deviation of the Gaussian noise added to y.
    """
    n = count(n, "n")
    d = count(d, "d")
    noise = nonnegative(noise, "noise")

    def per_column(value, name, default):
        if value is None:
            return np.full(d, default)
        value = np.asarray(value, dtype=float)
        if value.ndim == 0:
            value = np.full(d, float(value))
        if value.shape != (d,) or not np.all(np.isfinite(value)):
            raise ValueError(f"{name} must be a number or a sequence of {d} finite numbers, got {value.shape}")
        return value

    scales = per_column(scales, "scales", 1.0)
    offsets = per_column(offsets, "offsets", 0.0)
    if np.any(scales < 0):
        raise ValueError("scales must be >= 0")
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    X = rng.standard_normal((n, d)) * scales + offsets
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true


def add_bias(X):
    """X with a last column of ones appended (an intercept for linear models)."""
    xp = backend.get_namespace(X)
    X = xp.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {tuple(X.shape)}")
    return xp.concat([X, xp.ones((X.shape[0], 1), dtype=X.dtype)], axis=1)


# ---------------------------------------------------------------- splitting and scaling

def train_test_split(X, y, test_fraction: float = 0.25, seed: int = 0):
    """Random split: (X_train, X_test, y_train, y_test) (sklearn's order).

    test_fraction: share of rows in the test set, in (0, 1); the test set has
    ceil(test_fraction * n) rows and both parts at least one.
    """
    n = _n_rows(X, y)
    try:
        f = float(test_fraction)
    except (TypeError, ValueError):
        raise TypeError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}") from None
    if not 0 < f < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    n_test = math.ceil(f * n)
    if n_test >= n:
        raise ValueError(f"test_fraction={f} leaves no training rows out of n={n}")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return _take(X, train), _take(X, test), _take(y, train), _take(y, test)


def _take(A, idx):
    xp = backend.get_namespace(A)
    return xp.take(A, xp.asarray(idx), axis=0)


class Standardizer:
    """Per-feature standardization x' = (x - mean) / scale, fitted on training data.

    ``mean_`` and ``scale_`` are the column means and standard deviations (ddof=0)
    of the data given to :meth:`fit`. Zero-variance rule: a column whose standard
    deviation is <= 10 * machine eps * |mean| (constant up to rounding) gets
    scale 1: it is only centered (0 on the training data, up to rounding) instead
    of divided by ~0, as in sklearn's StandardScaler. Fit on the training split
    only and reuse it on the test split.
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, X):
        xp = backend.get_namespace(X)
        X = self._check(xp, X, fitting=True)
        mean = xp.mean(X, axis=0)
        std = xp.sqrt(xp.mean((X - mean) ** 2, axis=0))
        eps = xp.finfo(X.dtype).eps
        constant = std <= 10 * eps * xp.abs(mean)
        self.mean_ = mean
        self.scale_ = xp.where(constant, xp.ones_like(std), std)
        return self

    def _check(self, xp, X, fitting=False):
        X = xp.asarray(X)
        if X.ndim != 2 or X.shape[0] < 1:
            raise ValueError(f"X must be 2-D (n_samples, n_features) with n >= 1, got shape {tuple(X.shape)}")
        if not xp.isdtype(X.dtype, "real floating"):
            X = xp.astype(X, xp.float64)
        if not fitting:
            if self.mean_ is None:
                raise ValueError("Standardizer is not fitted: call fit(X_train) first")
            if X.shape[1] != self.mean_.shape[0]:
                raise ValueError(f"X must have {self.mean_.shape[0]} columns (as in fit), got {X.shape[1]}")
        return X

    def transform(self, X):
        """(X - mean_) / scale_."""
        xp = backend.get_namespace(X)
        return (self._check(xp, X) - self.mean_) / self.scale_

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """Z * scale_ + mean_ (undoes transform)."""
        xp = backend.get_namespace(Z)
        return self._check(xp, Z) * self.scale_ + self.mean_


# ---------------------------------------------------------------- batches

def minibatches(X, y, batch_size: int, rng=None, shuffle: bool = True,
                drop_last: bool = False) -> Iterator[tuple]:
    """One epoch of mini-batches: yields (X_batch, y_batch) (y may be None).

    With shuffle=True the rows are visited in a random order drawn from ``rng``
    (an int seed, a numpy Generator, or None for seed 0), each exactly once per
    epoch; pass one Generator across epochs to get a new order every epoch.
    The last batch is smaller when batch_size does not divide n, unless
    drop_last=True drops it. Batches are taken with ``xp.take`` on the arrays'
    own module.
    """
    n = _n_rows(X, y)
    batch_size = count(batch_size, "batch_size")
    order = _rng(rng).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield _take(X, idx), (None if y is None else _take(y, idx))


def sample_batch(X, y, batch_size: int, rng=None, replace: bool = True) -> tuple:
    """One random batch (X_batch, y_batch): ``batch_size`` rows drawn uniformly,
    with replacement (i.i.d. draws: the setting where the mini-batch gradient's
    variance is exactly sigma^2 / B) or without (batch_size <= n)."""
    n = _n_rows(X, y)
    batch_size = count(batch_size, "batch_size")
    if not replace and batch_size > n:
        raise ValueError(f"batch_size ({batch_size}) must be <= n ({n}) when replace=False")
    idx = _rng(rng).choice(n, size=batch_size, replace=replace)
    return _take(X, idx), (None if y is None else _take(y, idx))
