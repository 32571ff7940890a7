"""Checks for chapter 1 (gradient descent): module ``ch1_gradient_descent``.

Format: see coursekit.exercises.spec. Expected values are closed forms computed
here, in the grader, from inputs drawn afresh for every grading run.
"""
import numpy as np

from coursekit.exercises.checks.ch1 import data, descent
from coursekit.exercises.spec import Checks, Ref, call, close, fmt, unchanged

NUMBER = 1
TITLE = "Gradient descent"
MODULE = "ch1_gradient_descent"
NOTEBOOK = "course/01_gradient_descent.ipynb"
CHECKS = Checks()   # numerical_gradient's, below; then descent's and data's (end of module)


# ------------------------------------------------------- numerical_gradient --
def _gradient_mistakes(expected, eps):
    return {
        "did you divide by eps instead of 2 * eps?": 2 * expected,
        "did you divide by 4 * eps? The central difference divides by 2 * eps": expected / 2,
        "the sign is flipped: compute f(x + eps e_i) - f(x - eps e_i)": -expected,
        "did you fill in the gradient array? It is still all zeros": np.zeros_like(expected),
    }


def _quadratic_inputs(rng):
    d = 4
    M = rng.normal(size=(d, d))
    A = M @ M.T / d + np.eye(d)
    return call(Ref("coursekit.exercises.checks.ch1.objectives.QuadraticForm", A, rng.normal(size=d)), rng.normal(size=d))


@CHECKS.add("quadratic", "numerical_gradient", 1, _quadratic_inputs,
            description="matches A x + b on a random quadratic")
def _judge_quadratic(c):
    target, x = c.args
    A, b = target.args
    expected = A @ x + b  # central differences are exact on quadratics (up to rounding)
    return close(c.value, expected, rtol=1e-5, atol=1e-6, what="gradient of x^T A x / 2 + b^T x",
                 mistakes=_gradient_mistakes(expected, 1e-6))


def _central_inputs(rng):
    return call(Ref("coursekit.exercises.checks.ch1.objectives.SumOfCubes"), rng.uniform(-2, 2, size=5), eps=1e-2)


@CHECKS.add("central", "numerical_gradient", 1, _central_inputs,
            description="uses the central difference and the eps argument (sum of cubes)")
def _judge_central(c):
    (_, x), h = c.args, c.kwargs["eps"]
    expected = 3 * x**2 + h**2  # exact central difference of sum(x^3) with step h
    mistakes = {
        "this is the forward difference (f(x + eps e_i) - f(x)) / eps: use the central difference":
            3 * x**2 + 3 * x * h + h**2,
        "this is the backward difference (f(x) - f(x - eps e_i)) / eps: use the central difference":
            3 * x**2 - 3 * x * h + h**2,
        "this is the exact derivative 3 x^2: did you ignore the eps argument?": 3 * x**2,
        **_gradient_mistakes(expected, h),
    }
    return close(c.value, expected, rtol=1e-8, atol=1e-8, what=f"central difference of sum(x^3) with eps={h}",
                 mistakes=mistakes)


def _rosenbrock_inputs(rng):
    return call(Ref("coursekit.functions.Rosenbrock", method="value"),
                np.array([rng.uniform(-1.5, 1.5), rng.uniform(-0.5, 2.0)]))


@CHECKS.add("rosenbrock", "numerical_gradient", 1, _rosenbrock_inputs, trials=3,
            description="matches the Rosenbrock gradient at 3 random points")
def _judge_rosenbrock(c):
    _, x = c.args
    u, v = x
    expected = np.array([-2 * (1 - u) - 400 * u * (v - u**2), 200 * (v - u**2)])  # a = 1, b = 100
    return close(c.value, expected, rtol=1e-5, atol=1e-6 * (1 + np.max(np.abs(expected))),
                 what=f"gradient of Rosenbrock at {x}", mistakes=_gradient_mistakes(expected, 1e-6))


def _integer_inputs(rng):
    return call(Ref("coursekit.exercises.checks.ch1.objectives.SumOfCubes"), rng.integers(-3, 4, size=int(rng.integers(3, 6))))


@CHECKS.add("integer x", "numerical_gradient", 1, _integer_inputs,
            description="an integer array x gives a float gradient")
def _judge_integer(c):
    _, x = c.args
    expected = 3.0 * x**2                # central difference of sum(x^3): 3 x^2 + eps^2, eps^2 = 1e-12
    value = c.value
    what = f"numerical_gradient(sum of cubes, x) for the integer array x = {fmt(x)}"
    cast = ("np.zeros_like(x) copies x's integer dtype, so eps (and the gradient) are rounded to integers: "
            "convert first, x = np.asarray(x, dtype=float)")
    if isinstance(value, np.ndarray) and value.dtype.kind in "biu":
        return f"{what} returned dtype {value.dtype}: it must be a float array; {cast}"
    return unchanged(x, c.after[1], name="x") or close(
        value, expected, rtol=1e-5, atol=1e-6, what=what,
        mistakes={f"every entry is 0: the step eps e_i was rounded to 0 in an integer array; {cast}":
                  np.zeros_like(expected)})


def _shape_inputs(rng):
    shape = [(2, 3), (3, 1, 2), (4, 2)][rng.integers(3)]
    return call(Ref("coursekit.exercises.checks.ch1.objectives.WeightedSquares", rng.uniform(0.5, 2.0, size=shape)),
                rng.normal(size=shape))


@CHECKS.add("shape", "numerical_gradient", 1, _shape_inputs,
            description="keeps x's shape and returns floats (changing x earns a note, not points)")
def _judge_shape(c):
    target, x = c.args
    (w,) = target.args
    value = c.value
    if isinstance(value, np.ndarray) and value.size == x.size and value.shape != x.shape:
        return (f"the gradient has shape {value.shape} but x has shape {x.shape}: build it with "
                "np.zeros_like(x) and visit every entry with np.ndindex(x.shape)")
    if isinstance(value, np.ndarray) and value.dtype.kind in "biu":
        return f"the gradient has dtype {value.dtype}: it must be a float array (np.zeros_like(x, dtype=float))"
    return unchanged(x, c.after[1], name="x") or close(
        value, w * x, rtol=1e-5, atol=1e-6, what=f"gradient of sum(w x^2)/2 for x of shape {x.shape}",
        mistakes=_gradient_mistakes(w * x, 1e-6))


# gd_step ... logistic_loss_and_grad, in the notebook's order
CHECKS.extend(descent.CHECKS + data.CHECKS)
