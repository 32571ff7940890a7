"""Objective functions with closed-form gradients, handed to exercises by ``Ref`` during grading.

Each is a callable ``f(x) -> float`` with a closed-form ``grad(x)``; judges use
the closed forms to compute expected values in the grader's own process. The
grader also evaluates them there for the learner's code, on arguments that code
chose: each checks the shape of x, and takes time linear in its size.
"""
import numpy as np

__all__ = ["QuadraticForm", "SumOfCubes", "WeightedSquares", "flaky_search"]


class QuadraticForm:
    """f(x) = x^T A x / 2 + b^T x for symmetric A (x of shape (d,)); grad = A x + b."""

    def __init__(self, A, b):
        self.A, self.b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)

    def __call__(self, x):
        x = _shaped(x, self.b.shape)
        return float(x @ self.A @ x / 2 + self.b @ x)

    def grad(self, x):
        return self.A @ _shaped(x, self.b.shape) + self.b


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
        return float(np.sum(self.w * _shaped(x, self.w.shape) ** 2) / 2)

    def grad(self, x):
        return self.w * _shaped(x, self.w.shape)


def _shaped(x, shape):
    x = np.asarray(x, dtype=float)
    if x.shape != shape:
        raise ValueError(f"x must have shape {shape}, got {x.shape}")
    return x


def flaky_search(config, budget, seed):
    """coursekit.tuning.objectives.flaky with an overflow too: inf for 0.74 < x <= 0.8 (search_loop's check).

    Raises RuntimeError for x > 0.8, returns NaN for x < 0.1, inf in between those bands."""
    from coursekit.tuning.objectives import flaky

    x = config["x"] if isinstance(config, dict) else None
    if not isinstance(x, float):
        raise TypeError(f"config must be a dict with a float 'x', got {type(config).__name__}")
    if 0.74 < x <= 0.8:
        return float("inf")
    return flaky(config, budget, seed)

