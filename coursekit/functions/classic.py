"""Classic 2-D optimization test functions: Rosenbrock, Beale, Himmelblau.

Formulas as in Wikipedia's "Test functions for optimization" and the papers cited.
"""
from __future__ import annotations

from coursekit.functions.base import Landscape, check_real, components, stack_grad, stack_hessian

__all__ = ["Rosenbrock", "Beale", "Himmelblau"]


class Rosenbrock(Landscape):
    """f(x, y) = (a - x)^2 + b (y - x^2)^2 (Rosenbrock, Comput. J. 3, 1960).

    A curved, flat-bottomed banana valley along y = x^2. Unique minimizer (a, a^2), f* = 0;
    no other stationary point (b > 0). ``a`` moves the minimizer, ``b`` sets how steep the
    valley walls are (the Hessian at the minimizer has condition number about 2500 for b = 100).
    """

    name = "rosenbrock"

    def __init__(self, a=1.0, b=100.0):
        self.a = check_real(a, "a")
        self.b = check_real(b, "b", positive=True)
        a = self.a
        xr = max(2.0, abs(a) + 1.0)
        window = ((-xr, xr), (min(-1.0, a * a - 2.0), max(3.0, a * a + 2.0)))
        self._set_points([[a, a * a]], 0.0, [([a, a * a], "minimum")], window)

    def __repr__(self):
        return f"Rosenbrock(a={self.a}, b={self.b})"

    def _value(self, xp, x):
        u, v = components(x)
        return (self.a - u) ** 2 + self.b * (v - u ** 2) ** 2

    def _grad(self, xp, x):
        u, v = components(x)
        r = v - u ** 2
        return stack_grad(xp, -2.0 * (self.a - u) - 4.0 * self.b * u * r, 2.0 * self.b * r)

    def _hessian(self, xp, x):
        u, v = components(x)
        b = self.b
        return stack_hessian(xp, u, 2.0 - 4.0 * b * v + 12.0 * b * u ** 2, -4.0 * b * u, 2.0 * b)


class Beale(Landscape):
    """f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2 (Beale, 1958).

    Unique minimizer (3, 0.5), f* = 0, in a narrow curved valley; sharp ridges towards the
    corners of the window [-4.5, 4.5]^2. f is constant (14.203125) along x = 0, and (0, 1)
    is a saddle (Hessian [[0, 27.75], [27.75, 0]]).
    """

    name = "beale"
    _c = (1.5, 2.25, 2.625)

    def __init__(self):
        self._set_points([[3.0, 0.5]], 0.0, [([3.0, 0.5], "minimum"), ([0.0, 1.0], "saddle")],
                         ((-4.5, 4.5), (-4.5, 4.5)))

    # the three residuals t_i = c_i - x + x y^i, i = 1, 2, 3
    def _value(self, xp, x):
        u, v = components(x)
        return sum((c - u + u * v ** i) ** 2 for i, c in enumerate(self._c, start=1))

    def _grad(self, xp, x):
        u, v = components(x)
        gx = gy = 0.0
        for i, c in enumerate(self._c, start=1):
            t = c - u + u * v ** i
            gx = gx + 2.0 * t * (v ** i - 1.0)             # dt/dx = y^i - 1
            gy = gy + 2.0 * t * (i * u * v ** (i - 1))     # dt/dy = i x y^(i-1)
        return stack_grad(xp, gx, gy)

    def _hessian(self, xp, x):
        u, v = components(x)
        hxx = hxy = hyy = 0.0
        for i, c in enumerate(self._c, start=1):
            t = c - u + u * v ** i
            tx, ty = v ** i - 1.0, i * u * v ** (i - 1)
            txy = i * v ** (i - 1)                                    # d2t/dxdy
            tyy = i * (i - 1) * u * v ** (i - 2) if i >= 2 else 0.0   # d2t/dy2
            hxx = hxx + 2.0 * tx * tx                                 # d2t/dx2 = 0
            hxy = hxy + 2.0 * (tx * ty + t * txy)
            hyy = hyy + 2.0 * (ty * ty + t * tyy)
        return stack_hessian(xp, u, hxx, hxy, hyy)


class Himmelblau(Landscape):
    """f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2 (Himmelblau, Applied Nonlinear Programming, 1972).

    Four global minimizers with f* = 0: (3, 2), (-2.805118, 3.131313), (-3.779310, -3.283186),
    (3.584428, -1.848127); one local maximum (-0.270845, -0.923039), f = 181.617; four saddles.
    Which minimum gradient descent finds depends on where it starts.
    """

    name = "himmelblau"

    # stationary points to double precision (Newton's method on the formulas below)
    MINIMIZERS = ((3.0, 2.0),
                  (-2.805118086952745, 3.131312518250573),
                  (-3.779310253377747, -3.2831859912861696),
                  (3.5844283403304917, -1.8481265269644034))
    MAXIMIZER = (-0.2708445906673476, -0.9230385564799815)
    SADDLES = ((0.08667750455539634, 2.884254701174776),
               (-3.0730257507643897, -0.08135304428796751),
               (3.385154183607021, 0.07385187983774928),
               (-0.12796134673068005, -1.9537149802445766))

    def __init__(self):
        stationary = ([(p, "minimum") for p in self.MINIMIZERS] + [(self.MAXIMIZER, "maximum")]
                      + [(p, "saddle") for p in self.SADDLES])
        self._set_points(self.MINIMIZERS, 0.0, stationary, ((-5.0, 5.0), (-5.0, 5.0)))

    def _value(self, xp, x):
        u, v = components(x)
        return (u ** 2 + v - 11.0) ** 2 + (u + v ** 2 - 7.0) ** 2

    def _grad(self, xp, x):
        u, v = components(x)
        p, q = u ** 2 + v - 11.0, u + v ** 2 - 7.0
        return stack_grad(xp, 4.0 * u * p + 2.0 * q, 2.0 * p + 4.0 * v * q)

    def _hessian(self, xp, x):
        u, v = components(x)
        return stack_hessian(xp, u, 12.0 * u ** 2 + 4.0 * v - 42.0, 4.0 * (u + v),
                             12.0 * v ** 2 + 4.0 * u - 26.0)
