"""The base class of the test landscapes and the small helpers they share.

A landscape is a function f: R^d -> R evaluated on points ``x`` of shape ``(..., d)``:
every leading axis is a batch axis, so one call evaluates a whole grid or many
trajectories at once. Subclasses write out three formulas, on an already checked
floating-point array ``x``:

    _value(xp, x)    -> shape x.shape[:-1]
    _grad(xp, x)     -> shape x.shape
    _hessian(xp, x)  -> shape x.shape + (d,)

using only Array API standard calls on ``xp`` (the module of ``x``), so the same
code runs on NumPy, CuPy and ``array_api_strict`` arrays.
"""
from __future__ import annotations

import numpy

from coursekit._validate import number, real_array

__all__ = ["Landscape", "KINDS"]

KINDS = ("minimum", "maximum", "saddle")   #: the kinds of stationary points


class Landscape:
    """A test function with value, gradient and Hessian, vectorized over leading axes.

    Attributes
    ----------
    name : str
        Short name (the key in ``functions.LANDSCAPES``).
    dim : int
        Dimension d of the points (the size of the last axis of ``x``).
    minimizers : numpy.ndarray, shape (k, d)
        The known minimizers (global ones when f is bounded below; see ``bounded_below``).
    minimum : float
        f at the minimizers (``-inf`` when no minimizer is listed).
    bounded_below : bool
        Whether f has a finite infimum. When False, ``minimizers`` lists local minimizers.
    stationary_points : list of (numpy.ndarray, str)
        Known points with grad f = 0 and their kind, ``"minimum"``, ``"maximum"`` or ``"saddle"``.
    window : ((xmin, xmax), (ymin, ymax))
        A plotting window for the first two coordinates that shows the interesting features.
    """

    name = "landscape"
    dim = 2
    bounded_below = True
    window = ((-2.0, 2.0), (-2.0, 2.0))

    # --- what subclasses call in __init__ -----------------------------------------
    def _set_points(self, minimizers, minimum, stationary=(), window=None):
        """Store the known points as read-only NumPy float64 arrays."""
        self.minimizers = _frozen(numpy.asarray(minimizers, dtype=numpy.float64).reshape(-1, self.dim))
        self.minimum = float(minimum)
        points = []
        for point, kind in stationary:
            if kind not in KINDS:
                raise ValueError(f"stationary point kind must be one of {KINDS}, got {kind!r}")
            points.append((_frozen(numpy.asarray(point, dtype=numpy.float64).reshape(self.dim)), kind))
        self.stationary_points = points
        if window is not None:
            self.window = tuple((float(lo), float(hi)) for lo, hi in window)

    # --- the public, checked interface ---------------------------------------------
    def value(self, x):
        """f(x), shape ``x.shape[:-1]``."""
        xp, x = self._points(x)
        return self._value(xp, x)

    def grad(self, x):
        """The gradient of f at x, shape ``x.shape``."""
        xp, x = self._points(x)
        return self._grad(xp, x)

    def hessian(self, x):
        """The Hessian of f at x, shape ``x.shape + (d,)``."""
        xp, x = self._points(x)
        return self._hessian(xp, x)

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` in one call (the form ``coursekit.minimize`` expects)."""
        xp, x = self._points(x)
        return self._value(xp, x), self._grad(xp, x)

    def __call__(self, x):
        return self.value(x)

    def __repr__(self):
        return f"{type(self).__name__}()"

    # --- the formulas, written out by each subclass ------------------------------------
    def _value(self, xp, x):
        raise NotImplementedError

    def _grad(self, xp, x):
        raise NotImplementedError

    def _hessian(self, xp, x):
        raise NotImplementedError

    # --- input checking ---------------------------------------------------------------
    def _points(self, x):
        """``(xp, x)`` with x a real floating array of shape (..., dim) (see ``_validate.real_array``)."""
        xp, x = real_array(x, "x")
        if len(x.shape) == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"x must have shape (..., {self.dim}) for {self.name}, "
                             f"got shape {tuple(x.shape)}")
        return xp, x


# --- helpers for the formulas ---------------------------------------------------------
def components(x):
    """The coordinates of 2-D points: ``x[..., 0], x[..., 1]``."""
    return x[..., 0], x[..., 1]


def stack_grad(xp, gx, gy):
    """Gradient array (..., 2) from its two components."""
    return xp.stack([gx, gy], axis=-1)


def stack_hessian(xp, like, hxx, hxy, hyy):
    """Symmetric 2x2 Hessian array (..., 2, 2) from its entries (arrays or Python numbers)."""
    zero = xp.zeros_like(like)
    row0 = xp.stack([hxx + zero, hxy + zero], axis=-1)
    row1 = xp.stack([hxy + zero, hyy + zero], axis=-1)
    return xp.stack([row0, row1], axis=-2)


def diagonal_hessian(xp, h):
    """Hessian array (..., d, d) with the entries h (..., d) on its diagonal."""
    d = h.shape[-1]
    eye = xp.eye(d, dtype=h.dtype)
    return xp.expand_dims(h, axis=-1) * eye


def check_real(value, name, positive=False, nonnegative=False):
    """``float(value)`` for a finite real number (> 0 or >= 0 when asked); see ``_validate.number``."""
    low = 0.0 if (positive or nonnegative) else None
    return number(value, name, low=low, low_open=positive)


def _frozen(a):
    a.flags.writeable = False
    return a
