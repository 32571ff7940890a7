"""coursekit.theory.gradcheck: central differences against closed-form derivatives."""
import array_api_strict as xps
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from coursekit.theory import gradcheck as gc


def test_sin_matches_the_exact_central_difference_formula():
    # (sin(x+h) - sin(x-h)) / 2h = cos(x) sin(h)/h exactly: the truncation error is visible at h = 1e-3
    x = np.linspace(-3, 3, 13)
    h = 1e-3
    g = gc.numerical_gradient(lambda v: np.sum(np.sin(v)), x, eps=h)
    np.testing.assert_allclose(g, np.cos(x) * np.sin(h) / h, rtol=0, atol=1e-11)
    assert np.max(np.abs(g - np.cos(x))) > 1e-8          # and it is not the exact derivative


def test_exp_and_any_shape():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    g = gc.numerical_gradient(lambda v: np.sum(np.exp(v)), x)
    assert g.shape == x.shape and g.dtype == np.float64
    np.testing.assert_allclose(g, np.exp(x), rtol=1e-8)


def test_quadratic_form_is_exact_up_to_rounding():
    # central differences are exact on quadratics: only rounding remains
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 5))
    b = rng.standard_normal(5)
    x = rng.standard_normal(5)
    g = gc.numerical_gradient(lambda v: 0.5 * v @ A @ v + b @ v, x, eps=1e-3)
    np.testing.assert_allclose(g, 0.5 * (A + A.T) @ x + b, rtol=1e-10, atol=1e-10)


def test_error_scales_like_eps_squared():
    x = np.array([0.3, -1.1, 0.7])
    f = lambda v: np.sum(np.exp(v))                      # f''' = exp: error = h^2 exp(x)/6 + O(h^4)
    errors = [np.max(np.abs(gc.numerical_gradient(f, x, eps=h) - np.exp(x))) for h in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.02)
    assert errors[0] == pytest.approx(1e-4 * np.exp(0.7) / 6, rel=1e-3)


def test_never_mutates_x_even_if_f_does():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()

    def greedy(v):
        out = float(np.sum(v ** 2))
        v[...] = 0.0                                      # a badly behaved f
        return out

    g = gc.numerical_gradient(greedy, x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, 2 * before, rtol=1e-8, atol=1e-8)


def test_integer_input_is_promoted():
    g = gc.numerical_gradient(lambda v: np.sum(v ** 3), np.array([1, 2]))
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [3, 12], rtol=1e-8)


@pytest.mark.parametrize("eps", [0, -1e-6, float("nan"), float("inf")])
def test_bad_eps_is_a_value_error_naming_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        gc.numerical_gradient(lambda v: np.sum(v), np.ones(2), eps=eps)


def test_wrong_types_are_type_errors_naming_the_parameter():
    with pytest.raises(TypeError, match="^eps"):
        gc.numerical_gradient(lambda v: np.sum(v), np.ones(2), eps="1e-6")
    with pytest.raises(TypeError, match="^x"):
        gc.numerical_gradient(lambda v: np.sum(v), np.ones(2, dtype=complex))
    with pytest.raises(ValueError, match="^rtol"):
        gc.check_gradient(np.sum, np.ones_like, np.ones(2), rtol=-1.0)


def test_non_scalar_f_is_a_value_error():
    with pytest.raises(ValueError, match="scalar"):
        gc.numerical_gradient(lambda v: v * 2, np.ones(3))


def test_list_of_arrays():
    a, b = np.array([1.0, 2.0]), np.array([[3.0]])
    ga, gb = gc.numerical_gradient(lambda p: np.sum(p[0] ** 2) * p[1][0, 0], [a, b])
    np.testing.assert_allclose(ga, 2 * a * 3.0, rtol=1e-9)
    np.testing.assert_allclose(gb, [[5.0]], rtol=1e-9)


def test_jacobian_of_a_gradient_is_the_hessian():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((4, 4))
    A = A + A.T
    x = rng.standard_normal(4)
    J = gc.numerical_jacobian(lambda v: A @ v + np.sin(v), x)
    np.testing.assert_allclose(J, A + np.diag(np.cos(x)), atol=1e-8)
    J2 = gc.numerical_jacobian(lambda v: np.outer(v, v), x)
    assert J2.shape == (4, 4, 4)


def test_relative_error_values():
    assert gc.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gc.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert gc.relative_error(np.array([1.0, -2.0]), -np.array([1.0, -2.0])) == 1.0
    # max|a-b| = 0.1 / max(|a|+|b|) = 4.1
    assert gc.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.1])) == pytest.approx(0.1 / 4.1)
    # a tiny entry wrong in both does not dominate (unlike the entry-wise ratio)
    assert gc.relative_error(np.array([1.0, 1e-12]), np.array([1.0, 2e-12])) < 1e-12
    with pytest.raises(ValueError, match="same number"):
        gc.relative_error(np.ones(2), np.ones(3))


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, 5, elements=st.floats(-1e6, 1e6)),
       arrays(np.float64, 5, elements=st.floats(-1e6, 1e6)))
def test_relative_error_is_symmetric_and_in_unit_interval(a, b):
    e = gc.relative_error(a, b)
    assert e == gc.relative_error(b, a)
    assert 0.0 <= e <= 1.0


def test_check_gradient_passes_and_fails_clearly():
    x = np.array([0.5, -0.2, 1.5])
    f = lambda v: np.sum(np.sin(v))
    good = gc.check_gradient(f, np.cos, x)
    assert good and good.ok and good.error < 1e-9 and good.rtol == 1e-6
    np.testing.assert_allclose(good.numerical, np.cos(x), rtol=1e-8)
    bad = gc.check_gradient(f, lambda v: np.cos(v) * np.array([1, 1, 1.01]), x)
    assert not bad and not bad.ok and bad.worst_index == 2
    # max|a-b| is at index 2, the largest |a|+|b| at index 1 (cos(-0.2))
    assert bad.error == pytest.approx(0.01 * np.cos(1.5) / (2 * np.cos(0.2)), rel=1e-6)
    assert "FAILED" in str(bad)
    with pytest.raises(AssertionError, match="relative error"):
        gc.check_gradient(f, lambda v: 2 * np.cos(v), x, raise_on_failure=True)
    with pytest.raises(ValueError, match="entries"):
        gc.check_gradient(f, lambda v: np.cos(v)[:2], x)


def test_array_api_strict_matches_numpy():
    x_np = np.array([[0.1, 0.2], [-0.7, 1.3]])
    x = xps.asarray(x_np)
    g = gc.numerical_gradient(lambda v: xps.sum(xps.exp(v) * v), x)
    assert isinstance(g, type(x)) and g.shape == (2, 2)
    np.testing.assert_allclose(np.asarray(g), (x_np + 1) * np.exp(x_np), rtol=1e-8)
    res = gc.check_gradient(lambda v: xps.sum(xps.exp(v) * v), lambda v: (v + 1) * xps.exp(v), x)
    assert res.ok
    J = gc.numerical_jacobian(lambda v: xps.sin(v), x)
    assert J.shape == (2, 2, 2, 2)
