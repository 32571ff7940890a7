"""Chapter 1's objective functions with closed-form gradients, handed to exercises by ``Ref`` during grading.

Each is a callable ``f(x) -> float`` with a closed-form ``grad(x)``; judges use
the closed forms to compute expected values in the grader's own process. The
grader also evaluates them there for the learner's code, on arguments that code
chose: each checks the shape of x, and takes time linear in its size.
"""
import numpy as np

from coursekit.exercises.spec import shaped

__all__ = ["QuadraticForm", "SumOfCubes", "WeightedSquares"]


class QuadraticForm:
    """f(x) = x^T A x / 2 + b^T x for symmetric A (x of shape (d,)); grad = A x + b."""

    def __init__(self, A, b):
        self.A, self.b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)

    def __call__(self, x):
        x = shaped(x, self.b.shape)
        return float(x @ self.A @ x / 2 + self.b @ x)

    def grad(self, x):
        return self.A @ shaped(x, self.b.shape) + self.b


class SumOfCubes:
    """f(x) = sum_i x_i^3 (any shape); grad = 3 x^2.

    The central difference with step h gives exactly 3 x^2 + h^2 (the forward
    difference 3 x^2 + 3 x h + h^2), which tells the two schemes apart.
    """

    def __call__(self, x):
        return float(np.sum(np.asarray(x, dtype=float) ** 3))

    def grad(self, x):
        return 3 * np.asarray(x, dtype=float) ** 2


class WeightedSquares:
    """f(x) = sum_i w_i x_i^2 / 2 for x shaped like w (any shape); grad = w x."""

    def __init__(self, w):
        self.w = np.asarray(w, dtype=float)

    def __call__(self, x):
        return float(np.sum(self.w * shaped(x, self.w.shape) ** 2) / 2)

    def grad(self, x):
        return self.w * shaped(x, self.w.shape)
