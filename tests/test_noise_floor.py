"""coursekit.theory.noise_floor: the stationary floor of constant-step SGD on least squares, against a
closed form in one dimension, the Lyapunov solution to first order, and long simulated runs."""
import numpy as np
import pytest

from coursekit import data, models, optim, theory
from coursekit.theory import noise_floor


@pytest.fixture(scope="module")
def problem():
    X, y, _ = data.regression(n=60, d=2, noise=0.5, seed=1)
    return X, y


def test_one_dimension_matches_the_closed_form():
    """d = 1: 2 h P - lr m4 P = lr s2, so the floor is h P / 2 with P = lr s2 / (2 h - lr m4)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(40)
    y = 0.7 * x + 0.3 * rng.standard_normal(40)
    r = x * (x @ y / (x @ x)) - y
    h, m4, s2 = np.mean(x ** 2), np.mean(x ** 4), np.mean(r ** 2 * x ** 2)
    for lr in (0.01, 0.1, 0.3):
        P = lr * s2 / (2 * h - lr * m4)
        assert noise_floor.stationary_gap(x[:, None], y, lr) == pytest.approx(h * P / 2, rel=1e-10)
        first, second = noise_floor.floor_expansion(x[:, None], y, lr)
        assert first == pytest.approx(lr * s2 / 4, rel=1e-12)                    # = theory.sgd_noise_floor
        assert second == pytest.approx(lr ** 2 * m4 * s2 / (8 * h), rel=1e-10)   # next term of h P / 2


def test_exact_floor_lies_above_first_order_and_the_expansion_is_second_order(problem):
    X, y = problem
    model = models.LinearRegression()
    sigma2 = np.mean(np.sum(model.per_example_grads(model.closed_form(X, y), X, y) ** 2, axis=1))
    errors = []
    for lr in (0.04, 0.02, 0.01):
        first, second = noise_floor.floor_expansion(X, y, lr)
        exact = noise_floor.stationary_gap(X, y, lr)
        assert first == pytest.approx(theory.sgd_noise_floor(lr, sigma2), rel=1e-12)
        assert exact > first + 0.5 * second > first
        errors.append(abs(exact - first - second))
    assert errors[0] / errors[1] > 6 and errors[1] / errors[2] > 6       # O(lr^3): about 8x per halving


def test_exact_floor_matches_long_sgd_runs(problem):
    X, y = problem
    lr = 0.1                                                       # large: the correction is big
    first = noise_floor.floor_expansion(X, y, lr)[0]
    exact = noise_floor.stationary_gap(X, y, lr)
    assert exact > 1.15 * first
    floors = noise_floor.sgd_gaps(X, y, lr, 3000, seeds=range(300))[500:].mean(axis=0)
    assert floors.mean() == pytest.approx(exact, abs=4 * floors.std() / np.sqrt(floors.size))
    assert floors.mean() > first * 1.1


def test_sgd_gaps_is_the_course_optimizer_on_data_sample_batch(problem):
    X, y = problem
    model = models.LinearRegression()
    f_star = model.loss(model.closed_form(X, y), X, y)
    for B, seed in [(1, 5), (4, 2)]:
        w, rng = np.zeros(2), np.random.default_rng(seed)
        opt, want = optim.SGD(w, lr=0.05), [model.loss(w, X, y) - f_star]
        for _ in range(200):
            opt.step(model.grad(w, *data.sample_batch(X, y, B, rng=rng)))
            want.append(model.loss(w, X, y) - f_star)
        got = noise_floor.sgd_gaps(X, y, 0.05, 200, seeds=[0, seed], batch_size=B)[:, 1]
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-14)


def test_single_step_changes_are_the_optimizer_steps(problem):
    X, y = problem
    model, w = models.LinearRegression(), np.array([1.0, -2.0])
    want = []
    for g in model.per_example_grads(w, X, y):
        p = w.copy()
        optim.SGD(p, lr=0.05).step(g)
        want.append(model.loss(p, X, y) - model.loss(w, X, y))
    np.testing.assert_allclose(noise_floor.single_step_changes(model, w, X, y, 0.05), want, rtol=1e-12)
    at_opt = noise_floor.single_step_changes(model, model.closed_form(X, y), X, y, 0.05)
    assert np.all(at_opt > 0)                                        # from w* every step goes up


def test_bad_input_names_the_parameter(problem):
    X, y = problem
    with pytest.raises(ValueError, match="lr"):
        noise_floor.stationary_gap(X, y, -0.1)
    with pytest.raises(ValueError, match="too large"):
        noise_floor.stationary_gap(X, y, 5.0)
    with pytest.raises(ValueError, match="seeds"):
        noise_floor.sgd_gaps(X, y, 0.1, 10, seeds=[])
    with pytest.raises(ValueError, match="X must"):
        noise_floor.stationary_gap(X, y[:-1], 0.1)
