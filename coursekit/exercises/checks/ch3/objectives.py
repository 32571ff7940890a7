"""Functions and projections handed to chapter 3's exercises by ``Ref`` during grading.

Each is a plain callable on one point (x of shape (d,)); judges use the same closed forms
in the grader's own process to compute expected values. The grader also evaluates them
there for the learner's code, on arguments that code chose: each checks the shape of x
(coursekit.exercises.spec.shaped) and takes time linear in its size.
"""
import numpy as np

from coursekit.exercises.spec import shaped

__all__ = ["LogSumExp", "DoubleWell", "BoxProjection", "BallProjection"]


class LogSumExp:
    """f(x) = log sum_i exp(w_i x_i) (convex)."""

    def __init__(self, w):
        self.w = np.asarray(w, dtype=float)

    def __call__(self, x):
        return float(np.logaddexp.reduce(self.w * shaped(x, self.w.shape)))


class DoubleWell:
    """f(x) = sum_i (x_i^4 / 4 - x_i^2 / 2) (not convex on |x_i| < 1/sqrt(3))."""

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        return float(np.sum(x ** 4 / 4 - x ** 2 / 2))


class BoxProjection:
    """x -> clip(x, low, high)."""

    def __init__(self, low, high):
        self.low, self.high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)

    def __call__(self, x):
        return np.clip(shaped(x, self.low.shape), self.low, self.high)


class BallProjection:
    """x -> the nearest point of the ball |z| <= radius."""

    def __init__(self, radius):
        self.radius = float(radius)

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        norm = np.linalg.norm(x)
        return x if norm <= self.radius else x * (self.radius / norm)
