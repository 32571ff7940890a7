"""coursekit.theory.momentum against closed forms, numpy roots, and coursekit.optim run step by step."""
import numpy as np
import pytest

from coursekit import functions, minimize
from coursekit.theory import momentum


@pytest.mark.parametrize("h, mu", [(0.1, 0.0), (1.0, 0.5), (2.9, 0.5), (3.1, 0.5), (0.05, 0.95), (3.9, 0.99)])
def test_rate_is_the_largest_root_of_the_characteristic_polynomial(h, mu):
    roots = np.roots([1.0, -(1 + mu - h), mu])
    assert momentum.rate(h, mu) == pytest.approx(np.abs(roots).max(), rel=1e-12)


def test_rate_matches_a_measured_run_on_one_eigen_direction():
    e = momentum.quadratic_errors([[2.0]], 0.3, 0.6, 400)[:, 0]
    assert momentum.measured_rate(e, 200, 400) == pytest.approx(momentum.rate(0.6, 0.6), rel=1e-2)


def test_stability_edge_is_two_plus_two_mu():
    mu = np.linspace(0, 0.98, 50)
    edge = momentum.stability_edge(mu)
    assert np.all(momentum.rate(edge * 0.999, mu) < 1) and np.all(momentum.rate(edge * 1.001, mu) > 1)
    assert np.all(momentum.is_stable(edge * 0.999, mu)) and not np.any(momentum.is_stable(edge * 1.001, mu))
    assert not momentum.is_stable(0.0, 0.5) and not momentum.is_stable(1.0, 1.0)


def test_optimal_settings_give_sqrt_kappa_rate_on_every_eigenvalue():
    lr, mu = momentum.optimal(1.0, 100.0)
    lam = np.linspace(1.0, 100.0, 50)
    assert np.allclose(momentum.rate(lr * lam, mu), 9 / 11, rtol=1e-6)
    assert momentum.optimal_rate(1, 100) == pytest.approx(9 / 11)
    assert momentum.gd_optimal_rate(1, 100) == pytest.approx(99 / 101)
    with pytest.raises(ValueError, match="mu"):
        momentum.optimal(0.0, 1.0)


def test_gain_limits_and_filter_response():
    assert momentum.gain(0.9, 0.0) == pytest.approx(10.0)
    assert momentum.gain(0.9, np.pi) == pytest.approx(1 / 1.9)
    v = momentum.filter_response(0.5, np.ones(60))
    assert v[0] == 1.0 and v[-1] == pytest.approx(2.0)


def test_conventions_are_the_same_method_after_rescaling_lr():
    f = functions.Rosenbrock()
    x0 = np.array([-1.0, 1.5])
    torch = minimize(f, x0, "sgd", 50, lr=5e-4, momentum=0.8).iterates
    ema = momentum.heavy_ball(f.grad, x0, momentum.ema_lr(5e-4, 0.8), 0.8, 50, convention="ema")
    assert np.allclose(ema, torch, rtol=1e-12, atol=1e-14)
    assert momentum.torch_lr(momentum.ema_lr(0.3, 0.9), 0.9) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="convention"):
        momentum.heavy_ball(f.grad, x0, 0.1, 0.5, 3, convention="polyak")


def test_steps_to_tolerance_and_measured_rate_checks():
    e = np.array([1.0, 0.5, 0.25, 0.125])
    assert momentum.steps_to_tolerance(e, 0.3) == 2
    assert momentum.steps_to_tolerance(e, 0.01) == -1
    with pytest.raises(ValueError, match="start"):
        momentum.measured_rate(e, 2, 2)
