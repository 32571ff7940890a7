"""Quadratics with a chosen spectrum, and the ill-conditioned ravine built from one."""
from __future__ import annotations

import math

import numpy

from coursekit import backend
from coursekit._validate import number, real_array
from coursekit.functions.base import Landscape, check_real

__all__ = ["Quadratic", "Ravine"]


class Quadratic(Landscape):
    r"""f(x) = 1/2 (x - c)^T A (x - c) with A = Q diag(eigenvalues) Q^T.

    The Hessian is A everywhere; its eigenvalues are the requested ones, so
    ``L = max(eigenvalues)`` (smoothness), ``mu = min(eigenvalues)`` (strong convexity)
    and ``condition_number = L / mu`` are known exactly.

    Parameters
    ----------
    eigenvalues : sequence of d real numbers
        The eigenvalues of A (default ``(1.0, 10.0)``). All > 0: a strongly convex bowl;
        some = 0 (the rest > 0): convex with a line (plane) of minimizers, of which ``center``
        is listed; some < 0: no minimizer, ``center`` is a saddle or maximum.
    angle : float
        2-D only: Q is the rotation by ``angle`` radians, so the eigenvector of
        ``eigenvalues[0]`` is (cos angle, sin angle).
    center : sequence of d numbers, optional
        The stationary point c (the minimizer when A is positive definite); default 0.
    rotation : (d, d) orthogonal matrix, optional
        Q for any d (its columns are the eigenvectors). Give ``angle`` or ``rotation``, not both.
    """

    name = "quadratic"

    def __init__(self, eigenvalues=(1.0, 10.0), angle=0.0, center=None, rotation=None):
        lam = backend.to_numpy(real_array(eigenvalues, "eigenvalues")[1])
        if lam.ndim != 1 or lam.size == 0 or not numpy.all(numpy.isfinite(lam)):
            raise ValueError(f"eigenvalues must be a non-empty 1-D sequence of finite numbers, got {eigenvalues!r}")
        d = lam.size
        self.dim = d
        self.angle = check_real(angle, "angle")
        if rotation is not None:
            if self.angle != 0.0:
                raise ValueError("give angle or rotation, not both")
            Q = _orthogonal(rotation, d)
        elif self.angle != 0.0:
            if d != 2:
                raise ValueError(f"angle rotates 2-D quadratics only (d = {d}); pass rotation= instead")
            c, s = math.cos(self.angle), math.sin(self.angle)
            Q = numpy.array([[c, -s], [s, c]])
        else:
            Q = numpy.eye(d)
        A = (Q * lam) @ Q.T
        if center is None:
            c = numpy.zeros(d)
        else:
            c = backend.to_numpy(real_array(center, "center")[1])
            if c.shape != (d,) or not numpy.all(numpy.isfinite(c)):
                raise ValueError(f"center must have shape ({d},) and finite entries, got {center!r}")
        self.eigenvalues = _readonly(lam)
        self.rotation = _readonly(Q)
        self.A = _readonly((A + A.T) / 2)
        self.center = _readonly(c)
        self._cache = {}

        self.bounded_below = bool(lam.min() >= 0)
        kind = "minimum" if lam.min() >= 0 else "maximum" if lam.max() <= 0 else "saddle"
        r = 3.0
        if d >= 2:
            window = ((c[0] - r, c[0] + r), (c[1] - r, c[1] + r))
        else:  # 1-D: the second range is the range of f over the first
            window = ((c[0] - r, c[0] + r), tuple(sorted((0.0, 0.5 * lam[0] * r * r))))
        if self.bounded_below:
            self._set_points([c], 0.0, [(c, kind)], window)
        else:
            self._set_points(numpy.zeros((0, d)), -math.inf, [(c, kind)], window)

    @property
    def L(self) -> float:
        """The largest eigenvalue of A (the smoothness constant when A is PSD)."""
        return float(self.eigenvalues.max())

    @property
    def mu(self) -> float:
        """The smallest eigenvalue of A (the strong-convexity constant when > 0)."""
        return float(self.eigenvalues.min())

    @property
    def condition_number(self) -> float:
        """kappa = L / mu (``inf`` unless mu > 0)."""
        return self.L / self.mu if self.mu > 0 else math.inf

    def __repr__(self):
        extra = f", angle={self.angle}" if self.angle else ""
        if numpy.any(self.center):
            extra += f", center={self.center.tolist()}"
        return f"{type(self).__name__}(eigenvalues={self.eigenvalues.tolist()}{extra})"

    def _constants(self, xp, dtype):
        """A and c in the module and dtype of the data (converted once, then cached)."""
        key = (getattr(xp, "__name__", id(xp)), str(dtype))
        if key not in self._cache:
            self._cache[key] = (xp.asarray(self.A, dtype=dtype), xp.asarray(self.center, dtype=dtype))
        return self._cache[key]

    def _value(self, xp, x):
        A, c = self._constants(xp, x.dtype)
        y = x - c
        return 0.5 * xp.sum(y * (y @ A), axis=-1)

    def _grad(self, xp, x):
        A, c = self._constants(xp, x.dtype)
        return (x - c) @ A                      # A is symmetric: (A y)^T = y^T A

    def _hessian(self, xp, x):
        A, _ = self._constants(xp, x.dtype)
        return xp.expand_dims(xp.zeros_like(x), axis=-1) + A   # a fresh copy of A per point


class Ravine(Quadratic):
    """A narrow, straight valley: the 2-D quadratic with eigenvalues (1, condition_number).

    The valley floor runs along (cos angle, sin angle) with curvature 1; across it the
    curvature is ``condition_number``. Unique minimizer (0, 0), f* = 0, mu = 1,
    L = kappa = condition_number: gradient descent needs lr < 2/kappa and then crawls
    along the floor (the zig-zag that momentum damps, claim C13).
    """

    name = "ravine"

    def __init__(self, condition_number=100.0, angle=math.pi / 6):
        kappa = number(condition_number, "condition_number", low=1.0)
        super().__init__((1.0, kappa), angle=angle)

    def __repr__(self):
        return f"Ravine(condition_number={self.L}, angle={self.angle})"


def _orthogonal(rotation, d):
    Q = backend.to_numpy(real_array(rotation, "rotation")[1])
    if Q.shape != (d, d):
        raise ValueError(f"rotation must have shape ({d}, {d}) to match the eigenvalues, got {Q.shape}")
    if not numpy.allclose(Q.T @ Q, numpy.eye(d), atol=1e-8):
        raise ValueError("rotation must be orthogonal (rotation^T rotation = I to 1e-8)")
    return Q


def _readonly(a):
    a = numpy.array(a, dtype=numpy.float64)
    a.flags.writeable = False
    return a
