"""coursekit.theory against closed forms, brute force enumeration and scipy."""
import itertools
import math

import array_api_strict as xps
import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings, strategies as st

from coursekit import theory


def random_spd(d, seed, low=0.5, high=10.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.linspace(low, high, d)
    return (Q * lam) @ Q.T, lam, Q


# ---------------------------------------------------------------- rates of quadratics

def test_gd_rate_is_spectral_radius_of_iteration_matrix():
    A, lam, _ = random_spd(5, seed=0)
    for lr in [0.01, 0.1, 0.19, 0.25]:
        radius = max(abs(np.linalg.eigvals(np.eye(5) - lr * A)))
        assert theory.gd_rate(lam, lr) == pytest.approx(radius, rel=1e-12)


def test_gd_rate_vectorized_over_learning_rates():
    lam = np.array([1.0, 4.0, 10.0])
    lrs = np.linspace(0.0, 0.3, 7)
    rates = theory.gd_rate(lam, lrs)
    assert rates.shape == (7,)
    np.testing.assert_allclose(rates, [theory.gd_rate(lam, float(a)) for a in lrs], rtol=1e-14)


def test_limit_and_optimum_closed_forms():
    mu, L = 2.0, 50.0
    assert theory.lr_limit(L) == 2 / L
    assert theory.optimal_lr(mu, L) == 2 / (mu + L)
    assert theory.optimal_rate(mu, L) == pytest.approx((25 - 1) / (25 + 1), rel=1e-15)
    # the optimum equalizes the two extreme directions and beats its neighbours
    lam = np.array([mu, 7.0, L])
    best = theory.optimal_lr(mu, L)
    assert abs(1 - best * mu) == pytest.approx(abs(1 - best * L), rel=1e-12)
    assert theory.gd_rate(lam, best) == pytest.approx(theory.optimal_rate(mu, L), rel=1e-12)
    for lr in [best * 0.99, best * 1.01]:
        assert theory.gd_rate(lam, lr) > theory.gd_rate(lam, best)
    # the limit: rate crosses 1 at 2/L
    assert theory.gd_rate(lam, theory.lr_limit(L) * 0.999) < 1 < theory.gd_rate(lam, theory.lr_limit(L) * 1.001)


@settings(max_examples=50, deadline=None)
@given(mu=st.floats(1e-3, 1e3), ratio=st.floats(1.0, 1e4))
def test_optimal_rate_minimizes_gd_rate(mu, ratio):
    L = mu * ratio
    lam = np.array([mu, L])
    grid = np.linspace(1e-6, 2 / L, 2001)
    assert theory.optimal_rate(mu, L) <= theory.gd_rate(lam, grid).min() + 1e-12


@pytest.mark.parametrize("rate,tol,expected", [(0.5, 1e-3, 10), (0.9, 0.9, 1), (0.9, 0.81, 2),
                                               (0.0, 1e-9, 1), (0.5, 2.0, 0)])
def test_steps_to_tolerance(rate, tol, expected):
    assert theory.steps_to_tolerance(rate, tol) == expected


def test_steps_to_tolerance_is_smallest():
    for rate in [0.3, 0.9, 0.999]:
        k = theory.steps_to_tolerance(rate, 1e-6)
        assert rate ** k <= 1e-6 < rate ** (k - 1)


# ---------------------------------------------------------------- bounds

def test_convex_bound_formula_and_vectorization():
    k = np.arange(1, 6)
    np.testing.assert_allclose(theory.convex_gap_bound(k, L=4.0, dist0=3.0), 4 * 9 / (2 * k))
    assert theory.convex_gap_bound(10, L=4.0, dist0=3.0, lr=0.1) == pytest.approx(9 / (2 * 0.1 * 10))


def test_strongly_convex_bound_formula():
    k = np.arange(0, 4)
    np.testing.assert_allclose(theory.strongly_convex_gap_bound(k, mu=1.0, L=4.0, gap0=2.0),
                               2.0 * 0.75 ** k)


def test_bounds_hold_for_gd_on_a_random_quadratic():
    """Direct check (own GD loop) that the bounds are valid upper bounds."""
    A, lam, _ = random_spd(6, seed=3, low=0.1, high=5.0)
    L, mu = lam.max(), lam.min()
    x = np.ones(6)
    gap0 = 0.5 * x @ A @ x
    gaps = []
    for _ in range(200):
        x = x - (1 / L) * (A @ x)
        gaps.append(0.5 * x @ A @ x)
    k = np.arange(1, 201)
    assert np.all(gaps <= theory.convex_gap_bound(k, L, math.sqrt(6.0)) * (1 + 1e-12))
    assert np.all(gaps <= theory.strongly_convex_gap_bound(k, mu, L, gap0) * (1 + 1e-12))


# ---------------------------------------------------------------- stationary points

@pytest.mark.parametrize("H,kind", [
    (np.diag([1.0, 2.0]), "minimum"),
    (np.diag([-1.0, -2.0]), "maximum"),
    (np.diag([1.0, -2.0]), "saddle"),
    (np.diag([0.0, 2.0]), "degenerate"),
    (np.zeros((3, 3)), "degenerate"),
    (np.array([[0.0, 1.0], [1.0, 0.0]]), "saddle"),   # eigenvalues +-1, zero diagonal
])
def test_classify_hessian(H, kind):
    assert theory.classify_hessian(H) == kind


# ---------------------------------------------------------------- mini-batches

def test_minibatch_variance_matches_exhaustive_enumeration():
    rng = np.random.default_rng(0)
    G = rng.standard_normal((6, 3))
    g = G.mean(axis=0)
    for B in [1, 2, 3, 6]:
        with_repl = [np.sum((G[list(c)].mean(axis=0) - g) ** 2)
                     for c in itertools.product(range(6), repeat=B)]
        without = [np.sum((G[list(c)].mean(axis=0) - g) ** 2)
                   for c in itertools.combinations(range(6), B)]
        assert theory.minibatch_variance(G, B, replace=True) == pytest.approx(np.mean(with_repl), rel=1e-12)
        assert theory.minibatch_variance(G, B, replace=False) == pytest.approx(np.mean(without), rel=1e-12, abs=1e-15)


def test_minibatch_gradients_sampling():
    rng = np.random.default_rng(1)
    G = rng.standard_normal((50, 4)) + 3.0
    for replace in [True, False]:
        batches = theory.minibatch_gradients(G, 10, 20000, seed=2, replace=replace)
        assert batches.shape == (20000, 4)
        # unbiased: the mean of the mini-batch means is the full mean (to sampling error)
        np.testing.assert_allclose(batches.mean(axis=0), G.mean(axis=0), atol=0.02)
        empirical = np.mean(np.sum((batches - G.mean(axis=0)) ** 2, axis=1))
        assert empirical == pytest.approx(theory.minibatch_variance(G, 10, replace), rel=0.05)
    full = theory.minibatch_gradients(G, 50, 3, replace=False)    # B = N: the full gradient
    np.testing.assert_allclose(full, np.tile(G.mean(axis=0), (3, 1)), rtol=1e-12)


def test_minibatch_gradients_are_deterministic_given_seed():
    G = np.arange(20.0).reshape(10, 2)
    np.testing.assert_array_equal(theory.minibatch_gradients(G, 3, 5, seed=7),
                                  theory.minibatch_gradients(G, 3, 5, seed=7))


# ---------------------------------------------------------------- gradient flow

def test_quadratic_flow_matches_scipy_expm():
    A, _, _ = random_spd(4, seed=5)
    x0 = np.array([1.0, -2.0, 0.5, 3.0])
    c = np.array([0.1, 0.2, 0.3, 0.4])
    times = np.array([0.0, 0.05, 0.3, 1.0])
    path = theory.quadratic_flow(A, x0, times, center=c)
    for t, x in zip(times, path):
        np.testing.assert_allclose(x, c + scipy.linalg.expm(-t * A) @ (x0 - c), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(theory.quadratic_flow(A, x0, 0.3, center=c), path[2], rtol=1e-14)


def test_euler_is_gradient_descent_and_converges_at_order_one():
    A, _, _ = random_spd(3, seed=6)
    x0 = np.array([1.0, 1.0, -1.0])
    lr, steps = 0.01, 30
    pts = theory.euler(lambda x: -A @ x, x0, lr, steps)
    x = x0.copy()
    for k in range(steps):
        x = x - lr * A @ x
    np.testing.assert_allclose(pts[-1], x, rtol=1e-14)
    np.testing.assert_array_equal(pts[0], x0)
    # first order: halving h halves the error at a fixed time T
    T = 1.0
    errs = [np.linalg.norm(theory.euler(lambda x: -A @ x, x0, T / n, n)[-1] - scipy.linalg.expm(-T * A) @ x0)
            for n in [100, 200, 400]]
    assert errs[0] / errs[1] == pytest.approx(2.0, rel=0.05)
    assert errs[1] / errs[2] == pytest.approx(2.0, rel=0.03)


# ---------------------------------------------------------------- conditioning

def test_induced_norm_1_is_max_over_vectors_and_numpy():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((7, 4)) * np.array([1.0, 100.0, 0.01, 3.0])
    n1 = theory.induced_norm_1(X)
    assert n1 == pytest.approx(np.linalg.norm(X, 1), rel=1e-14)
    v = rng.standard_normal((10000, 4))
    ratios = np.abs(X @ v.T).sum(axis=0) / np.abs(v).sum(axis=1)
    assert ratios.max() <= n1 * (1 + 1e-12)
    j = np.argmax(np.abs(X).sum(axis=0))
    assert np.abs(X[:, j]).sum() == pytest.approx(n1)        # attained at e_j


def test_condition_number():
    A, lam, _ = random_spd(5, seed=9, low=0.5, high=50.0)
    assert theory.condition_number(A) == pytest.approx(100.0, rel=1e-10)
    assert theory.condition_number(A) == pytest.approx(np.linalg.cond(A), rel=1e-8)
    assert theory.condition_number(np.diag([1.0, 0.0])) == math.inf


# ---------------------------------------------------------------- array-module discipline

def test_everything_runs_on_array_api_strict():
    A, lam, _ = random_spd(3, seed=10)
    As, lams, x0 = xps.asarray(A), xps.asarray(lam), xps.asarray([1.0, 2.0, 3.0])
    assert theory.gd_rate(lams, 0.1) == pytest.approx(theory.gd_rate(lam, 0.1))
    np.testing.assert_allclose(np.asarray(theory.gd_rate(lams, xps.asarray([0.1, 0.2]))),
                               theory.gd_rate(lam, np.array([0.1, 0.2])))
    assert theory.classify_hessian(As) == "minimum"
    assert theory.condition_number(As) == pytest.approx(theory.condition_number(A))
    assert theory.induced_norm_1(As) == pytest.approx(theory.induced_norm_1(A))
    flow = theory.quadratic_flow(As, x0, xps.asarray([0.0, 0.5]))
    np.testing.assert_allclose(np.asarray(flow), theory.quadratic_flow(A, np.array([1.0, 2.0, 3.0]),
                                                                       np.array([0.0, 0.5])), rtol=1e-12)
    pts = theory.euler(lambda x: -(As @ x), x0, 0.1, 3)
    assert pts.shape == (4, 3)
    G = xps.asarray(np.random.default_rng(0).standard_normal((8, 2)))
    assert theory.minibatch_variance(G, 3, replace=False) == pytest.approx(
        theory.minibatch_variance(np.asarray(G), 3, replace=False))
    assert theory.minibatch_gradients(G, 3, 4, seed=1).shape == (4, 2)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call,name", [
    (lambda: theory.lr_limit(0.0), "L"),
    (lambda: theory.optimal_lr(-1.0, 2.0), "mu"),
    (lambda: theory.optimal_rate(3.0, 2.0), "mu"),
    (lambda: theory.steps_to_tolerance(1.0, 1e-3), "rate"),
    (lambda: theory.convex_gap_bound(0, 1.0, 1.0), "k"),
    (lambda: theory.convex_gap_bound(1, 1.0, 1.0, lr=1.5), "lr"),
    (lambda: theory.gd_rate(np.ones((2, 2)), 0.1), "eigenvalues"),
    (lambda: theory.classify_hessian(np.ones(3)), "hessian"),
    (lambda: theory.minibatch_variance(np.ones((4, 2)), 5, replace=False), "batch_size"),
    (lambda: theory.minibatch_variance(np.ones((4, 2)), 0), "batch_size"),
    (lambda: theory.minibatch_gradients(np.ones((4, 2)), 2, 0), "n_batches"),
    (lambda: theory.quadratic_flow(np.eye(2), np.ones(3), 1.0), "x0"),
    (lambda: theory.euler(lambda x: x, np.ones(2), -0.1, 3), "h"),
    (lambda: theory.induced_norm_1(np.ones(3)), "X"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_non_numeric_raises_type_error():
    with pytest.raises(TypeError, match="^L"):
        theory.lr_limit("big")
    with pytest.raises(TypeError, match="^steps"):
        theory.euler(lambda x: x, np.ones(2), 0.1, 2.5)


# ---------------------------------------------------------------- chapter 1 figure helpers

def test_fraction_within_angle_closed_forms_and_sampling():
    assert theory.fraction_within_angle(2, 26) == pytest.approx(26 / 180)            # arcs of the circle
    for deg in (10, 60, 90, 120):                                                      # caps of the 2-sphere
        assert theory.fraction_within_angle(3, deg) == pytest.approx((1 - math.cos(math.radians(deg))) / 2)
    V = np.random.default_rng(0).standard_normal((100000, 6))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    assert np.mean(V[:, 0] >= math.cos(math.radians(40))) == pytest.approx(theory.fraction_within_angle(6, 40), rel=0.08)  # 2300 hits: 2% s.d.
    with pytest.raises(ValueError, match="d"):
        theory.fraction_within_angle(1, 10)
    with pytest.raises(ValueError, match="degrees"):
        theory.fraction_within_angle(3, 200)


def test_central_difference_eps_minimizes_the_error_model():
    u, scale = 2.0 ** -52, 3.0
    eps = np.logspace(-9, -3, 20001)
    model = eps ** 2 / 6 / scale + u / eps             # |f'''| = 1/scale, |f| = 1 (truncation + rounding)
    assert theory.central_difference_eps(u, scale) == pytest.approx(eps[np.argmin(model)], rel=1e-3)
    assert theory.central_difference_eps() == pytest.approx((3 * u) ** (1 / 3))


def test_sgd_noise_floor_matches_the_exact_stationary_covariance():
    """Exact Lyapunov solution P = (I - lr H) P (I - lr H) + lr^2 Sigma / B; tr(H P)/2 -> lr tr(Sigma)/(4B)."""
    H = np.diag([1.0, 3.0])
    Sigma = np.array([[2.0, 0.3], [0.3, 1.0]])
    for lr, B in [(1e-3, 1), (1e-3, 8), (1e-2, 2)]:
        M = np.eye(2) - lr * H
        P = scipy.linalg.solve_discrete_lyapunov(M, lr ** 2 * Sigma / B)
        exact = 0.5 * np.trace(H @ P)
        assert theory.sgd_noise_floor(lr, np.trace(Sigma), B) == pytest.approx(exact, rel=10 * lr * 3)
    with pytest.raises(ValueError, match="batch_size"):
        theory.sgd_noise_floor(0.1, 1.0, 0)
    with pytest.raises(ValueError, match="sigma2"):
        theory.sgd_noise_floor(0.1, -1.0)


def test_minibatch_noise_agrees_with_the_exact_variance():
    G = np.random.default_rng(1).normal(size=(50, 3))
    measured = theory.minibatch_noise(G, [1, 5, 50], n_batches=20000, seed=3, replace=False)
    exact = [theory.minibatch_variance(G, B, replace=False) for B in (1, 5, 50)]
    np.testing.assert_allclose(measured[:2], exact[:2], rtol=0.05)
    assert measured[2] < 1e-25
