"""Invariants of coursekit.convex, checked on many random inputs (hypothesis)."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from coursekit import convex

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
vectors = st.integers(1, 6).flatmap(lambda d: arrays(np.float64, (3, d), elements=finite))


@settings(max_examples=60, deadline=None)
@given(vectors, st.floats(0.1, 10.0))
def test_projections_are_idempotent_feasible_and_non_expansive(x, radius):
    for project, feasible in (
        (lambda z: convex.project_ball(z, radius), lambda p: np.linalg.norm(p, axis=-1) <= radius * (1 + 1e-12)),
        (lambda z: convex.project_box(z, -radius, radius), lambda p: np.abs(p) <= radius),
        (lambda z: convex.project_simplex(z, total=radius),
         lambda p: (p >= 0).all(-1) & np.isclose(p.sum(-1), radius, rtol=1e-9, atol=1e-9)),
    ):
        p = project(x)
        assert np.all(feasible(p))
        np.testing.assert_allclose(project(p), p, rtol=1e-12, atol=1e-9)
        a, b = x[0], x[1]
        assert np.linalg.norm(project(a) - project(b)) <= np.linalg.norm(a - b) * (1 + 1e-9) + 1e-9


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 20), elements=finite), st.floats(0.0, 100.0))
def test_prox_l1_gives_exact_zeros_and_minimizes_its_objective(x, t):
    p = convex.prox_l1(x, t)
    assert np.all(p[np.abs(x) <= t] == 0.0)
    objective = lambda z: 0.5 * np.sum((z - x) ** 2) + t * np.sum(np.abs(z))
    rng = np.random.default_rng(0)
    for _ in range(5):   # no nearby point does better
        assert objective(p) <= objective(p + 1e-3 * rng.normal(size=x.shape)) + 1e-9


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.integers(8, 40), st.integers(0, 10_000))
def test_cg_stops_within_the_number_of_distinct_eigenvalues(k, d, seed):
    rng = np.random.default_rng(seed)
    values = rng.choice(np.arange(1, 21), size=k, replace=False).astype(float)
    lam = np.concatenate([values, rng.choice(values, size=d - k)])
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = (Q * lam) @ Q.T
    run = convex.conjugate_gradient(A, rng.normal(size=d), tol=1e-8)
    assert run.converged and run.steps <= k + 1     # k in exact arithmetic; one more for rounding


def test_fista_gap_times_k_squared_and_ista_gap_times_k_stay_bounded():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(60, 40)) * np.geomspace(1, 1e-2, 40)
    b = rng.normal(size=60)
    L = np.linalg.norm(A, 2) ** 2
    best = convex.lasso(A, b, 0.5, steps=100_000, tol=1e-12)
    f_star, x_star = best.losses[-1], best.final
    bound = 2 * L * np.sum(x_star ** 2)                # Beck & Teboulle: gap_k <= 2 L |x0 - x*|^2 / (k+1)^2
    k = np.arange(1, 1001)
    fista = convex.lasso(A, b, 0.5, steps=1000).losses[1:] - f_star
    ista = convex.lasso(A, b, 0.5, method="ista", steps=1000).losses[1:] - f_star
    assert np.all(fista * (k + 1) ** 2 <= bound * (1 + 1e-9))
    assert np.all(ista * k <= L * np.sum(x_star ** 2) / 2 * (1 + 1e-9))    # ISTA: L |x0 - x*|^2 / (2k)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_backtracking_returns_an_armijo_step(seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(3, 3))
    A = M @ M.T + 0.1 * np.eye(3)
    f = lambda x: 0.5 * x @ A @ x + np.sum(np.cos(x))
    x = rng.normal(size=3) * 3
    g = A @ x - np.sin(x)
    t = convex.backtracking(f, x, -g, g, c=0.3)
    assert f(x - t * g) <= f(x) - 0.3 * t * g @ g


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.05, 5.0))
def test_sums_and_positive_multiples_of_convex_functions_pass_the_chord_test(seed, scale):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(2, 2))
    quad = lambda x: 0.5 * np.einsum("...i,ij,...j->...", x, M @ M.T, x)
    lse = lambda x: np.logaddexp(x[..., 0], -x[..., 1])
    combo = lambda x: scale * quad(x) + lse(x) + np.abs(x).sum(-1)
    assert convex.find_violation(combo, [-3, -3], [3, 3], samples=2000, seed=seed) is None
