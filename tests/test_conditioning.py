"""coursekit.experiments.ch1_conditioning: curvature constants against Hessians computed another way, and the
GD run against the step estimates of chapter 1, section 5."""
import math

import matplotlib
import numpy as np
import pytest
import scipy.optimize

matplotlib.use("Agg")

from coursekit import data, models, plots  # noqa: E402
from coursekit.experiments import ch1_conditioning as conditioning  # noqa: E402
from coursekit.theory import gradcheck  # noqa: E402


def test_least_squares_constants_are_the_hessians_extreme_eigenvalues():
    X, y, _ = data.regression(n=80, d=3, scales=[1.0, 4.0, 0.5], seed=0)
    H = gradcheck.numerical_jacobian(lambda w: models.LinearRegression().grad(w, X, y), np.zeros(3))
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    mu, L = conditioning.least_squares_mu_L(X)
    assert (mu, L) == pytest.approx((eig[0], eig[-1]), rel=1e-6)


def test_logistic_bounds_hold_at_random_points_and_are_nearly_reached():
    X, y = data.blobs(n=100, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), seed=2)
    X = data.add_bias(X)
    model = models.LogisticRegression(l2=0.1)
    mu, L = conditioning.logistic_mu_L(X, l2=0.1)
    W = 3 * np.random.default_rng(0).standard_normal((200, 3))
    eigs = np.array([np.linalg.eigvalsh(model.hessian(w, X, y)) for w in W])
    assert mu == 0.1 and eigs.min() >= mu - 1e-12 and eigs.max() <= L + 1e-12
    top = np.linalg.eigvalsh(model.hessian(np.zeros(3), X, y)).max()      # p = 1/2 everywhere: the bound
    assert top == pytest.approx(L, rel=1e-9)
    with pytest.raises(ValueError, match="l2"):
        conditioning.logistic_mu_L(X, l2=-1)


def test_reference_minimum_is_scipys_bfgs():
    X, y = data.blobs(n=100, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), seed=2)
    obj = models.LogisticRegression(l2=0.1).objective(data.add_bias(X), y)
    res = conditioning.reference_minimum(obj, np.zeros(3))
    other = scipy.optimize.minimize(obj.value, np.ones(3), method="Nelder-Mead",
                                    options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
    assert res.fun == pytest.approx(other.fun, abs=1e-10)
    assert np.linalg.norm(obj.grad(res.x)) < 1e-8


def test_least_squares_gd_counts_steps_within_the_estimates():
    X, y, _ = data.regression(n=300, d=2, scales=[1.0, 8.0], noise=0.1, seed=1)
    Z = data.Standardizer().fit(X).transform(X)
    raw, std = (conditioning.least_squares_gd(A, y, offset=(-1.2, 0.8)) for A in (X, Z))
    for s, A in ((raw, X), (std, Z)):
        assert s.run.converged and np.linalg.norm(s.objective.grad(s.run.final)) <= 1e-6
        np.testing.assert_allclose(s.w_star, np.linalg.lstsq(A, y, rcond=None)[0], rtol=1e-10)
        assert s.run.converged_at <= s.steps_bound <= s.kappa_bound
    assert raw.kappa > 30 * std.kappa and raw.run.converged_at > 50 * std.run.converged_at
    assert raw.steps_bound == pytest.approx(raw.log_eps / -math.log(1 - 1 / raw.kappa))
    with pytest.raises(ValueError, match="X must"):
        conditioning.least_squares_gd(np.ones(3), np.ones(3))


def test_linear_boundaries_and_paths_1d_draw_what_they_are_given():
    X, y = data.blobs(n=40, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), seed=2)
    ax = plots.linear_boundaries(X, y, {"w": np.array([1.0, 2.0, 0.5])})
    (line,) = [a for a in ax.lines if a.get_gid() == "boundary"]
    xs, ys = line.get_data()
    np.testing.assert_allclose(1.0 * xs + 2.0 * ys + 0.5, 0, atol=1e-12)
    with pytest.raises(ValueError, match="boundaries"):
        plots.linear_boundaries(X, y, {"bad": np.ones(2)})
    ax = plots.paths_1d(lambda t: t ** 2, {"run": [3.0, -3.6, 4.3, -50.0]}, (-5, 5))
    (path,) = [a for a in ax.lines if a.get_gid() == "trajectory"]
    np.testing.assert_allclose(path.get_xdata(), [3.0, -3.6, 4.3])        # stops at the first outside
    np.testing.assert_allclose(path.get_ydata(), [9.0, 12.96, 18.49])
    with pytest.raises(ValueError, match="span"):
        plots.paths_1d(lambda t: t, {}, (1, 0))
