"""A multi-modal landscape: the Rastrigin function."""
from __future__ import annotations

import math

import numpy

from coursekit._validate import count
from coursekit.functions.base import Landscape, check_real, diagonal_hessian

__all__ = ["MultiModal"]


class MultiModal(Landscape):
    """Rastrigin's function f(x) = A d + sum_i (x_i^2 - A cos(2 pi x_i)) (Rastrigin, 1974).

    A bowl x^2 covered by a grid of bumps of height 2A: a local minimum near every integer
    point, a local maximum near every half-integer point, saddles in between. The global
    minimizer is the origin, f* = 0; the nearest local minima, near (+-1, 0), have f ~ 0.995.
    Used for random restarts (claim C29) and tempering (claim C43).

    Parameters
    ----------
    dim : int
        Dimension d (default 2).
    A : float
        Height of the bumps (default 10); A = 0 leaves the convex bowl sum x_i^2.
    """

    name = "multimodal"

    def __init__(self, dim=2, A=10.0):
        self.dim = count(dim, "dim")
        self.A = check_real(A, "A", nonnegative=True)
        # Stationary points are products of the 1-D ones, roots of g(t) = 2t + 2 pi A sin(2 pi t):
        # t = 0 and m ~ 1 are minima, h ~ 1/2 a maximum (m and h exist for A large enough,
        # A >~ 0.35); a point is a minimum when all its coordinates are, a maximum when all
        # are, a saddle otherwise.
        zero = numpy.zeros(self.dim)
        e1, ones = zero.copy(), numpy.ones(self.dim)
        e1[0] = 1.0
        stationary = [(zero, "minimum")]
        m, h = self._root_1d(1.0, +1), self._root_1d(0.5, -1)
        if m is not None:
            stationary += [(m * e1, "minimum"), (m * ones, "minimum")]
        if h is not None:
            stationary.append((h * ones, "maximum"))
            if self.dim >= 2:
                stationary.append((h * e1, "saddle"))
        self._set_points([zero], 0.0, stationary, ((-5.12, 5.12), (-5.12, 5.12)))

    def __repr__(self):
        return f"MultiModal(dim={self.dim}, A={self.A})"

    def _root_1d(self, t, curvature_sign):
        """Newton's method on g(t) = 2t + 2 pi A sin(2 pi t) from t (constructor only).

        The root when it is away from 0 with g'(t) of the given sign, else None.
        """
        w = 2.0 * math.pi
        for _ in range(100):
            slope = 2.0 + w * w * self.A * math.cos(w * t)
            if slope == 0.0:
                return None
            step = (2.0 * t + w * self.A * math.sin(w * t)) / slope
            t -= step
            if abs(step) < 1e-15:
                break
        ok = (abs(2.0 * t + w * self.A * math.sin(w * t)) < 1e-9 and t > 0.25
              and (2.0 + w * w * self.A * math.cos(w * t)) * curvature_sign > 0)
        return t if ok else None

    def _value(self, xp, x):
        w = 2.0 * math.pi
        return self.A * self.dim + xp.sum(x ** 2 - self.A * xp.cos(w * x), axis=-1)

    def _grad(self, xp, x):
        w = 2.0 * math.pi
        return 2.0 * x + w * self.A * xp.sin(w * x)

    def _hessian(self, xp, x):
        w = 2.0 * math.pi
        return diagonal_hessian(xp, 2.0 + w * w * self.A * xp.cos(w * x))
