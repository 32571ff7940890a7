"""Tests of coursekit.functions: formulas against finite differences and known points."""
import math

import array_api_strict as xps
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from coursekit import backend
from coursekit import functions as F


def _instances():
    """Every registered landscape with its defaults, plus non-default settings."""
    rng = np.random.default_rng(0)
    Q3, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return ([cls() for cls in F.LANDSCAPES.values()] + [
        F.Quadratic([0.5, 4.0], angle=0.7, center=[1.0, -2.0]),
        F.Quadratic([1.0, 3.0, 9.0], rotation=Q3, center=[0.5, 0.0, -1.0]),
        F.Quadratic([2.0, -1.0], angle=0.3),             # indefinite: a saddle
        F.Rosenbrock(a=-1.5, b=10.0),
        F.MultiModal(dim=3, A=5.0),
        F.Ravine(condition_number=1000.0, angle=-0.4),
    ])


LANDSCAPES = _instances()
IDS = [repr(f) for f in LANDSCAPES]


def random_points(f, n, seed=0):
    """n points drawn uniformly from the landscape's plotting window (all axes for d > 2)."""
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = f.window
    lo = np.array([x0] + [y0] * (f.dim - 1))[: f.dim]
    hi = np.array([x1] + [y1] * (f.dim - 1))[: f.dim]
    return lo + (hi - lo) * rng.random((n, f.dim))


def central_differences(fun, x, h):
    """d fun / d x_j by central differences: shape fun(x).shape + (d,), x of shape (n, d)."""
    d = x.shape[-1]
    cols = []
    for j in range(d):
        e = np.zeros(d)
        e[j] = h
        cols.append((fun(x + e) - fun(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


# --- formulas ----------------------------------------------------------------------------
@pytest.mark.parametrize("f", LANDSCAPES, ids=IDS)
def test_gradient_matches_central_differences(f):
    x = random_points(f, 40, seed=1)
    g = f.grad(x)
    fd = central_differences(f.value, x, h=1e-5)
    scale = max(1.0, np.abs(g).max())
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7 * scale)


@pytest.mark.parametrize("f", LANDSCAPES, ids=IDS)
def test_hessian_matches_central_differences_of_gradient(f):
    x = random_points(f, 40, seed=2)
    H = f.hessian(x)
    fd = central_differences(f.grad, x, h=1e-5)
    scale = max(1.0, np.abs(H).max())
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-7 * scale)
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))   # symmetric


@pytest.mark.parametrize("f", LANDSCAPES, ids=IDS)
def test_batched_shapes_equal_pointwise_evaluation(f):
    x = random_points(f, 12, seed=3).reshape(3, 4, f.dim)
    v, g, H = f.value(x), f.grad(x), f.hessian(x)
    assert v.shape == (3, 4) and g.shape == (3, 4, f.dim) and H.shape == (3, 4, f.dim, f.dim)
    for i in range(3):
        for j in range(4):
            p = x[i, j]
            assert f.value(p).shape == ()
            np.testing.assert_allclose(v[i, j], f.value(p), rtol=1e-14)
            np.testing.assert_allclose(g[i, j], f.grad(p), rtol=1e-14)
            np.testing.assert_allclose(H[i, j], f.hessian(p), rtol=1e-14)
    vv, gg = f.value_and_grad(x)
    np.testing.assert_array_equal(vv, v)
    np.testing.assert_array_equal(gg, g)
    np.testing.assert_array_equal(f(x), v)


@pytest.mark.parametrize("f", LANDSCAPES, ids=IDS)
def test_minimizers_have_zero_gradient_and_the_minimum_value(f):
    assert f.minimizers.ndim == 2 and f.minimizers.shape[1] == f.dim
    if f.minimizers.shape[0] == 0:
        assert f.minimum == -math.inf and not f.bounded_below
        return
    g = f.grad(f.minimizers)
    np.testing.assert_allclose(g, 0.0, atol=1e-10)
    np.testing.assert_allclose(f.value(f.minimizers), f.minimum, atol=1e-12)
    if f.bounded_below:  # a global minimum: nothing in the window lies below it
        assert f.value(random_points(f, 2000, seed=4)).min() >= f.minimum - 1e-12


def test_known_minimizers_from_the_literature():
    """Values as published (Wikipedia, 'Test functions for optimization'), not from our code."""
    himmelblau = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose(F.Himmelblau().minimizers, himmelblau, atol=1e-6)
    np.testing.assert_allclose(F.Himmelblau().value(np.array([-0.270845, -0.923039])), 181.617, atol=1e-3)
    np.testing.assert_array_equal(F.Beale().minimizers, [[3.0, 0.5]])
    np.testing.assert_array_equal(F.Rosenbrock(a=2.0).minimizers, [[2.0, 4.0]])
    assert F.Rosenbrock().value(np.array([1.0, 1.0])) == 0.0
    assert F.Rosenbrock().value(np.array([0.0, 0.0])) == 1.0
    assert F.Beale().value(np.array([3.0, 0.5])) == 0.0
    assert F.MultiModal().value(np.zeros(2)) == 0.0
    assert F.MultiModal().value(np.array([1.0, 0.0])) == pytest.approx(1.0)   # 1 - 10 cos(2 pi) + 10
    np.testing.assert_allclose(F.MultiModal().stationary_points[1][0], [0.994959, 0.0], atol=1e-6)
    assert F.Saddle().value(np.array([3.0, 2.0])) == 5.0
    assert F.CubicSaddles().value(np.array([1.0, -1.0])) == -4.0


# --- claim C2: the Hessian classifies stationary points -----------------------------------
def _kind_from_hessian(H, tol=1e-9):
    lam = np.linalg.eigvalsh(H)
    if lam.min() > tol:
        return "minimum"
    if lam.max() < -tol:
        return "maximum"
    if lam.min() < -tol and lam.max() > tol:
        return "saddle"
    return "degenerate"


@pytest.mark.claim("C2")
@pytest.mark.parametrize("f", LANDSCAPES, ids=IDS)
def test_stationary_points_are_classified_by_hessian_eigenvalue_signs(f):
    for point, kind in f.stationary_points:
        assert kind in F.KINDS
        g = f.grad(point)
        np.testing.assert_allclose(g, 0.0, atol=1e-9 * max(1.0, np.abs(f.hessian(point)).max()))
        assert _kind_from_hessian(f.hessian(point)) == kind, (point, kind)


@pytest.mark.claim("C2")
def test_cubic_saddles_has_one_minimum_one_maximum_two_saddles():
    """x^3 - 3x - y^3 + 3y: grad = (3x^2 - 3, 3 - 3y^2) = 0 exactly at (+-1, +-1)."""
    f = F.CubicSaddles()
    expected = {(1.0, -1.0): "minimum", (-1.0, 1.0): "maximum", (1.0, 1.0): "saddle", (-1.0, -1.0): "saddle"}
    assert {tuple(p): k for p, k in f.stationary_points} == expected
    for p, kind in expected.items():
        p = np.array(p)
        np.testing.assert_array_equal(f.grad(p), [0.0, 0.0])
        assert _kind_from_hessian(f.hessian(p)) == kind
        # and by the definition: compare with f on a small circle around p
        t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
        ring = p + 1e-3 * np.stack([np.cos(t), np.sin(t)], axis=-1)
        above = f.value(ring) > f.value(p)
        assert {"minimum": above.all(), "maximum": (~above).all(), "saddle": above.any() and (~above).any()}[kind]


def test_saddle_has_no_minimizer():
    f = F.Saddle()
    assert f.minimizers.shape == (0, 2) and f.minimum == -math.inf and not f.bounded_below
    assert f.stationary_points[0][1] == "saddle"
    np.testing.assert_array_equal(f.hessian(np.zeros(2)), [[2.0, 0.0], [0.0, -2.0]])


# --- quadratics ---------------------------------------------------------------------------
@pytest.mark.parametrize("eigenvalues, angle", [([1.0, 10.0], 0.0), ([0.1, 25.0], 1.1), ([3.0, 3.0], -0.5)])
def test_quadratic_has_the_requested_spectrum(eigenvalues, angle):
    f = F.Quadratic(eigenvalues, angle=angle)
    np.testing.assert_allclose(np.linalg.eigvalsh(f.A), sorted(eigenvalues), rtol=1e-13)
    np.testing.assert_allclose(f.A, f.A.T)
    assert f.L == max(eigenvalues) and f.mu == min(eigenvalues)
    assert f.condition_number == pytest.approx(max(eigenvalues) / min(eigenvalues), rel=1e-14)
    # the eigenvector of eigenvalues[0] points along the angle
    u = np.array([math.cos(angle), math.sin(angle)])
    np.testing.assert_allclose(f.A @ u, eigenvalues[0] * u, atol=1e-13)
    # f = 1/2 x^T A x, written differently
    x = np.random.default_rng(5).normal(size=(7, 2))
    np.testing.assert_allclose(f(x), 0.5 * np.einsum("ni,ij,nj->n", x, f.A, x), rtol=1e-13)


@settings(max_examples=60, deadline=None)
@given(lam=st.lists(st.floats(0.01, 100.0), min_size=2, max_size=2), angle=st.floats(-4.0, 4.0),
       x=st.lists(st.floats(-10.0, 10.0), min_size=2, max_size=2))
def test_quadratic_lies_between_its_extreme_curvatures(lam, angle, x):
    """mu/2 |x - c|^2 <= f(x) <= L/2 |x - c|^2, and grad f(x) . (x - c) = 2 f(x)."""
    f = F.Quadratic(lam, angle=angle, center=[1.0, -1.0])
    y = np.array(x) - f.center
    r2, v = float(y @ y), float(f(np.array(x)))
    assert f.mu / 2 * r2 * (1 - 1e-12) - 1e-12 <= v <= f.L / 2 * r2 * (1 + 1e-12) + 1e-12
    assert float(f.grad(np.array(x)) @ y) == pytest.approx(2 * v, rel=1e-9, abs=1e-9)


def test_quadratic_in_higher_dimension_with_rotation():
    rng = np.random.default_rng(6)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    lam = np.array([0.5, 1.0, 2.0, 4.0, 50.0])
    c = rng.normal(size=5)
    f = F.Quadratic(lam, rotation=Q, center=c)
    np.testing.assert_allclose(np.linalg.eigvalsh(f.A), lam, rtol=1e-12)
    np.testing.assert_allclose(f.A @ Q[:, 4], 50.0 * Q[:, 4], atol=1e-12)
    assert f.condition_number == pytest.approx(100.0)
    np.testing.assert_array_equal(f.minimizers, [c])
    x = rng.normal(size=(3, 5))
    np.testing.assert_allclose(f.grad(x), (x - c) @ f.A.T, rtol=1e-12)
    np.testing.assert_allclose(f.hessian(x), np.broadcast_to(f.A, (3, 5, 5)))


def test_quadratic_semidefinite_and_indefinite():
    psd = F.Quadratic([0.0, 2.0])
    assert psd.condition_number == math.inf and psd.bounded_below
    assert psd.value(np.array([5.0, 0.0])) == 0.0                       # a line of minimizers
    indefinite = F.Quadratic([2.0, -1.0])
    assert indefinite.minimizers.shape == (0, 2) and not indefinite.bounded_below
    assert indefinite.stationary_points[0][1] == "saddle"
    assert F.Quadratic([-1.0, -3.0]).stationary_points[0][1] == "maximum"


def test_ravine_is_an_ill_conditioned_valley():
    f = F.Ravine(condition_number=400.0, angle=0.3)
    lam = np.linalg.eigvalsh(f.hessian(np.array([0.7, -0.2])))
    assert lam.max() / lam.min() == pytest.approx(400.0)
    np.testing.assert_array_equal(f.minimizers, [[0.0, 0.0]])
    floor = np.array([math.cos(0.3), math.sin(0.3)])   # along the floor f grows slowly, across fast
    across = np.array([-math.sin(0.3), math.cos(0.3)])
    assert f.value(floor) == pytest.approx(0.5) and f.value(across) == pytest.approx(200.0)
    assert F.Ravine().condition_number == pytest.approx(100.0)


# --- array modules and dtypes -------------------------------------------------------------
@pytest.mark.parametrize("f", LANDSCAPES, ids=IDS)
def test_array_api_strict_matches_numpy(f):
    x = random_points(f, 6, seed=7).reshape(2, 3, f.dim)
    xs = xps.asarray(x)
    for method in ("value", "grad", "hessian"):
        out = getattr(f, method)(xs)
        assert isinstance(out, type(xs))
        np.testing.assert_allclose(backend.to_numpy(out), getattr(f, method)(x), rtol=1e-13, atol=1e-13)
    v, g = f.value_and_grad(xs)
    assert v.shape == (2, 3) and g.shape == (2, 3, f.dim)


@pytest.mark.parametrize("f", LANDSCAPES, ids=IDS)
def test_float32_in_float32_out(f):
    x = random_points(f, 5, seed=8).astype(np.float32)
    assert f.value(x).dtype == np.float32 and f.grad(x).dtype == np.float32
    assert f.hessian(x).dtype == np.float32
    xs = xps.asarray(x)
    assert f.grad(xs).dtype == xps.float32
    np.testing.assert_allclose(f.grad(x), f.grad(x.astype(np.float64)), rtol=1e-3,
                               atol=1e-4 * np.abs(f.grad(x.astype(np.float64))).max())


def test_lists_and_integers_are_accepted():
    f = F.Rosenbrock()
    assert f([1, 1]) == 0.0 and f.grad([0, 0]).dtype == np.float64
    assert float(f(xps.asarray([0, 0]))) == 1.0


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((4, 3)), np.float64(1.0), [[1.0, 2.0], [3.0]]])
def test_bad_points_raise_value_error_naming_x(bad):
    with pytest.raises(ValueError, match=r"^x\b"):
        F.Himmelblau().grad(bad)


@pytest.mark.parametrize("bad", ["ab", np.array(["a", "b"]), np.zeros(2, dtype=complex),
                                 np.array([True, False]), None])
def test_points_of_the_wrong_type_raise_type_error_naming_x(bad):
    with pytest.raises(TypeError, match=r"^x\b"):
        F.Himmelblau().grad(bad)


@pytest.mark.parametrize("make, name", [
    (lambda: F.Quadratic([]), "eigenvalues"), (lambda: F.Quadratic([1.0, np.inf]), "eigenvalues"),
    (lambda: F.Quadratic([1.0, 2.0, 3.0], angle=0.5), "angle"),
    (lambda: F.Quadratic([1.0, 2.0], rotation=[[1.0, 1.0], [0.0, 1.0]]), "rotation"),
    (lambda: F.Quadratic([1.0, 2.0], rotation=np.eye(3)), "rotation"),
    (lambda: F.Quadratic([1.0, 2.0], center=[1.0]), "center"),
    (lambda: F.Rosenbrock(b=-1.0), "b"), (lambda: F.Rosenbrock(a=np.nan), "a"),
    (lambda: F.Ravine(condition_number=0.5), "condition_number"),
    (lambda: F.MultiModal(dim=0), "dim"), (lambda: F.MultiModal(A=-1.0), "A"),
    (lambda: F.get("nope"), "name"),
])
def test_bad_settings_raise_value_error_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        make()


@pytest.mark.parametrize("make, name", [
    (lambda: F.Quadratic([1.0, "a"]), "eigenvalues"), (lambda: F.Quadratic([1.0, 2.0], center="c"), "center"),
    (lambda: F.Rosenbrock(a="x"), "a"), (lambda: F.MultiModal(dim=2.5), "dim"),
    (lambda: F.Quadratic([1.0, 2.0], angle=None), "angle"),
])
def test_settings_of_the_wrong_type_raise_type_error_naming_the_parameter(make, name):
    with pytest.raises(TypeError, match=rf"^{name}\b"):
        make()


def test_get_and_registry():
    assert set(F.LANDSCAPES) == {"quadratic", "rosenbrock", "beale", "himmelblau", "saddle",
                                 "cubic_saddles", "multimodal", "ravine"}
    for name, cls in F.LANDSCAPES.items():
        f = F.get(name)
        assert isinstance(f, cls) and f.name == name and isinstance(f, F.Landscape)
        (x0, x1), (y0, y1) = f.window
        assert x0 < x1 and y0 < y1
        for p in f.minimizers:     # the minimizers are in the plotting window
            assert x0 <= p[0] <= x1 and y0 <= p[1] <= y1
    assert F.get("Rosenbrock", b=10.0).b == 10.0
    assert F.get("cubic-saddles").name == "cubic_saddles"


def test_known_points_are_read_only():
    f = F.Himmelblau()
    with pytest.raises(ValueError):
        f.minimizers[0, 0] = 1.0
    q = F.Quadratic([1.0, 2.0])
    H = q.hessian(np.zeros(2))
    H[0, 0] = 99.0                    # a fresh array: the landscape is not changed
    assert q.A[0, 0] == 1.0 and q.hessian(np.zeros(2))[0, 0] == 1.0
