"""Chapter 1's judges: the reference always passes, typical mistakes get the right hint.

Runs the judges in-process (no sandbox needed: the code under test here is ours),
exactly as the grader feeds them (judging.judge): fresh inputs, copies into the function,
the original inputs plus the returned value and the arguments after the call to the judge.
"""
import numpy as np
import pytest

from coursekit.exercises.checks import ch1
from coursekit.exercises.spec import close, fmt, number, unchanged
from judging import judge, reference
from wrong_answers import divided_by_eps, flattened, forward_difference, ignores_eps, zeros_like_x


@pytest.mark.parametrize("check", ch1.CHECKS, ids=lambda c: c.id)
def test_reference_passes_for_many_random_inputs(check):
    for seed in range(60):
        assert judge(check, getattr(reference, check.exercise), seed) is None, seed


def in_place(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps
        down = f(x)
        x[i] += eps
        g[i] = (up - down) / (2 * eps)
    return g


def integer(f, x, eps=1e-6):
    return reference.numerical_gradient(f, x, eps).astype(int)


def float_grad_int_step(f, x, eps=1e-6):
    g = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


@pytest.mark.parametrize("mistake, check_name, phrase", [
    (forward_difference, "central", "forward difference"),
    (divided_by_eps, "quadratic", "instead of 2 * eps"),
    (divided_by_eps, "rosenbrock", "instead of 2 * eps"),
    (ignores_eps, "central", "ignore the eps argument"),
    (in_place, "shape", "x was modified by the call"),
    (flattened, "shape", "build it with np.zeros_like(x)"),
    (integer, "shape", "must be a float array"),
    (lambda f, x, eps=1e-6: -reference.numerical_gradient(f, x, eps), "quadratic", "sign is flipped"),
    (lambda f, x, eps=1e-6: [0.0] * len(x), "quadratic", "should be a NumPy array"),
    (zeros_like_x, "integer x", "x = np.asarray(x, dtype=float)"),
    (integer, "integer x", "must be a float array"),
    (float_grad_int_step, "integer x", "rounded to 0 in an integer array"),
])
def test_typical_mistakes_get_a_specific_hint(mistake, check_name, phrase):
    check = next(c for c in ch1.CHECKS if c.name == check_name)
    hints = [judge(check, mistake, seed) for seed in range(5)]
    assert all(h and phrase in h for h in hints), hints


def test_close_and_unchanged_helpers():
    assert close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])) is None
    hint = close(np.array([2.0, 4.0]), np.array([1.0, 2.0]), mistakes={"doubled?": np.array([2.0, 4.0])})
    assert hint.startswith("the result: expected [1., 2.]") and hint.endswith("doubled?")
    assert "NaN" in close(np.array([np.nan]), np.array([1.0]))
    assert "shape (3,), expected (2,)" in close(np.zeros(3), np.zeros(2))
    assert close(1.5, np.float64(1.5)) is None
    assert unchanged(np.ones(2), np.ones(2)) is None and "modified" in unchanged(np.ones(2), np.zeros(2))
    assert "\n" not in fmt(np.arange(12.0).reshape(3, 4))


def test_integer_x_gives_a_float_gradient():
    """An int x must give the float gradient 3 x^2, not an int array (the issue of np.zeros_like)."""
    check = next(c for c in ch1.CHECKS if c.name == "integer x")
    for seed in range(5):
        x = check.inputs(np.random.default_rng(seed)).args[1]
        assert x.dtype.kind == "i"
        g = reference.numerical_gradient(lambda v: float(np.sum(np.asarray(v, float) ** 3)), x)
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, 3.0 * x**2, rtol=1e-6, atol=1e-6)


def test_a_number_is_one_number_on_every_numpy():
    for ok in (2, 2.0, np.float32(2), np.int64(2), np.array(2.0), np.bool_(True)):
        assert number(ok, "f") is None, ok
    for wrong in (np.array([2.0]), np.array([[2.0]]), [2.0], "2", None):
        assert "f should be a number" in number(wrong, "f"), wrong
