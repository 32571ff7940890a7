"""Landscapes whose point is their stationary points: a saddle, and all three kinds at once."""
from __future__ import annotations

import math

from coursekit.functions.base import Landscape, components, stack_grad, stack_hessian

__all__ = ["Saddle", "CubicSaddles"]


class Saddle(Landscape):
    """f(x, y) = x^2 - y^2: the textbook saddle at the origin.

    Hessian diag(2, -2) everywhere: curving up along x, down along y. Unbounded below, so
    there is no minimizer (``minimizers`` is empty, ``minimum = -inf``). Gradient descent
    started on the line y = 0 converges to the saddle; any y-perturbation grows (claim C25).
    """

    name = "saddle"
    bounded_below = False

    def __init__(self):
        self._set_points([], -math.inf, [([0.0, 0.0], "saddle")], ((-2.0, 2.0), (-2.0, 2.0)))

    def _value(self, xp, x):
        u, v = components(x)
        return u ** 2 - v ** 2

    def _grad(self, xp, x):
        u, v = components(x)
        return stack_grad(xp, 2.0 * u, -2.0 * v)

    def _hessian(self, xp, x):
        u, _ = components(x)
        return stack_hessian(xp, u, 2.0, 0.0, -2.0)


class CubicSaddles(Landscape):
    """f(x, y) = x^3 - 3x - y^3 + 3y: one minimum, one maximum and two saddles (claim C2).

    grad f = (3x^2 - 3, 3 - 3y^2) vanishes at (+-1, +-1); the Hessian diag(6x, -6y) tells them
    apart: (1, -1) minimum (f = -4), (-1, 1) maximum (f = 4), (1, 1) and (-1, -1) saddles (f = 0).
    f is unbounded below, so (1, -1) is a local minimizer only: ``minimizers`` lists it and
    ``minimum`` is its value -4.
    """

    name = "cubic_saddles"
    bounded_below = False

    def __init__(self):
        stationary = [([1.0, -1.0], "minimum"), ([-1.0, 1.0], "maximum"),
                      ([1.0, 1.0], "saddle"), ([-1.0, -1.0], "saddle")]
        self._set_points([[1.0, -1.0]], -4.0, stationary, ((-2.5, 2.5), (-2.5, 2.5)))

    def _value(self, xp, x):
        u, v = components(x)
        return u ** 3 - 3.0 * u - v ** 3 + 3.0 * v

    def _grad(self, xp, x):
        u, v = components(x)
        return stack_grad(xp, 3.0 * u ** 2 - 3.0, 3.0 - 3.0 * v ** 2)

    def _hessian(self, xp, x):
        u, v = components(x)
        return stack_hessian(xp, u, 6.0 * u, 0.0, -6.0 * v)
