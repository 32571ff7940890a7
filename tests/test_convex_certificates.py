"""coursekit.convex's stationary-point classifier, the Lasso's duality gap, the subgradient
method and compare.fitted_exponent, against independent numbers: Himmelblau's tabulated
stationary points, scikit-learn's Lasso, weak duality, and exact power laws."""
import numpy as np
import pytest

from coursekit import convex, functions
from coursekit.experiments import ch3 as compare


def test_stationary_kind_on_himmelblaus_tabulated_points():
    him = functions.Himmelblau()
    assert [convex.stationary_kind(him, p) for p in him.MINIMIZERS] == ["minimum"] * 4
    assert [convex.stationary_kind(him, p) for p in him.SADDLES] == ["saddle"] * 4
    assert convex.stationary_kind(him, him.MAXIMIZER) == "maximum"
    assert convex.stationary_kind(him, (1.0, 1.0)) == "not stationary"
    assert convex.stationary_kind(him, (np.nan, 0.0)) == "not stationary"
    assert convex.stationary_kind(functions.Quadratic([0.0, 1.0]), (0.0, 0.0)) == "degenerate"


def test_pure_newton_can_end_at_a_saddle_or_the_maximum_damped_newton_cannot():
    him = functions.Himmelblau()
    starts = np.random.default_rng(5).uniform(-5, 5, size=(60, 2))
    pure = [convex.stationary_kind(him, convex.newton(him, x, steps=100, line_search=False).final) for x in starts]
    damped = [convex.stationary_kind(him, convex.newton(him, x, steps=100).final) for x in starts]
    assert pure.count("saddle") + pure.count("maximum") >= 10
    assert damped.count("minimum") == 60


@pytest.fixture(scope="module")
def lasso_problem():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(60, 40)) * np.geomspace(1, 1e-2, 40)
    b = np.random.default_rng(1).normal(size=60)
    sklearn = pytest.importorskip("sklearn.linear_model")
    ref = sklearn.Lasso(alpha=0.5 / 60, fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(A, b).coef_
    return A, b, 0.5, ref


def test_duality_gap_bounds_the_true_gap_and_vanishes_at_the_solution(lasso_problem):
    A, b, lam, ref = lasso_problem
    F_star = convex.lasso_objective(A, b, lam, ref)
    run = convex.lasso(A, b, lam, steps=300)
    for x in run.iterates[::10]:
        theta = convex.lasso_dual_point(A, b, x, lam)
        assert np.max(np.abs(A.T @ theta)) <= lam * (1 + 1e-12)                 # feasible
        assert convex.lasso_dual_objective(b, theta) <= F_star + 1e-10           # weak duality
        assert convex.lasso_duality_gap(A, b, x, lam) >= convex.lasso_objective(A, b, lam, x) - F_star - 1e-10
    assert convex.lasso_duality_gap(A, b, ref, lam) < 1e-8
    with pytest.raises(ValueError, match="lam"):
        convex.lasso_dual_point(A, b, ref, 0.0)


def test_subgradient_method_approaches_the_optimum_slowly_without_exact_zeros(lasso_problem):
    A, b, lam, ref = lasso_problem
    F_star = convex.lasso_objective(A, b, lam, ref)
    xs, fs = convex.subgradient_lasso(A, b, lam, steps=2000, lr0=1 / np.linalg.norm(A, 2) ** 2)
    best = np.minimum.accumulate(fs) - F_star
    assert np.all(best >= -1e-12) and best[-1] < best[10] / 2
    assert best[-1] > 1e3 * (convex.lasso(A, b, lam, method="ista", steps=2000).losses[-1] - F_star)
    assert np.sum(ref == 0) >= 10 and np.sum(xs[-1] == 0) == 0
    # one coordinate, f = |x| with lr0: steps lr0/sqrt(k+1) of size 1 towards 0, then across
    xs1, _ = convex.subgradient_lasso(np.zeros((1, 1)), np.zeros(1), 1.0, steps=3, lr0=0.5, x0=[1.0])
    np.testing.assert_allclose(xs1[:, 0], [1.0, 0.5, 0.5 - 0.5 / np.sqrt(2), 0.5 - 0.5 / np.sqrt(2) - 0.5 / np.sqrt(3)])


def test_fitted_exponent_recovers_a_power_law():
    dims = [16, 32, 64, 128, 256]
    assert compare.fitted_exponent(dims, [3e-9 * d ** 3 for d in dims]) == pytest.approx(3.0)
    noisy = [1e-3 * d ** 2 * f for d, f in zip(dims, [5.0, 1.0, 1.0, 1.0, 1.0])]
    assert compare.fitted_exponent(dims, noisy, min_dim=32) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="two"):
        compare.fitted_exponent(dims, noisy, min_dim=256)
