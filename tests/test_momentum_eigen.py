"""Heavy ball one eigen-direction at a time (coursekit.theory.momentum.eigen_components,
critical_damping) against optim.SGD on a diagonal quadratic and against the roots of
z^2 - (1 + mu - h) z + mu computed by numpy."""
import numpy as np
import pytest

from coursekit import optim
from coursekit.theory import momentum


def test_components_equal_optim_sgd_on_the_diagonal_quadratic():
    lam = np.array([0.5, 3.0, 40.0])
    for lr, mu in [(0.02, 0.7), (0.04, 0.0), (0.01, 0.95)]:
        comps = momentum.eigen_components(lam, lr, mu, 80, x0=[1.0, -2.0, 0.5])
        x = np.array([1.0, -2.0, 0.5])
        opt, path = optim.SGD(x, lr=lr, momentum=mu), [x.copy()]
        for _ in range(80):
            opt.step(lam * x)
            path.append(x.copy())
        np.testing.assert_allclose(comps, np.array(path), rtol=1e-9, atol=1e-12)


def test_gd_components_are_geometric_and_heavy_ball_decays_at_the_root_modulus():
    lam = np.array([1.0, 10.0])
    gd = momentum.eigen_components(lam, 0.05, 0.0, 30)
    np.testing.assert_allclose(gd, (1 - 0.05 * lam) ** np.arange(31)[:, None], rtol=1e-12)
    lr, mu = 0.03, 0.5                     # lam = 1: real roots; lam = 10: complex, modulus sqrt(0.5)
    comps = np.abs(momentum.eigen_components(lam, lr, mu, 400))
    for j, l in enumerate(lam):
        r = max(abs(np.roots([1.0, -(1 + mu - lr * l), mu])))
        envelope = (comps[300:, j].max() / comps[100:200, j].max()) ** (1 / 200)
        assert envelope == pytest.approx(r, rel=5e-3)     # peaks of an oscillation, sampled per step


def test_critical_damping_is_where_the_roots_meet():
    for mu in [0.1, 0.5, 0.9]:
        low, high = momentum.critical_damping(mu)
        for h in (low, high):
            assert (1 + mu - h) ** 2 - 4 * mu == pytest.approx(0, abs=1e-12)       # discriminant 0
        inside = np.linspace(low, high, 7)[1:-1]
        np.testing.assert_allclose(momentum.rate(inside, mu), np.sqrt(mu), rtol=1e-9)
        assert momentum.rate(low / 2, mu) > np.sqrt(mu) and momentum.rate((high + 2 + 2 * mu) / 2, mu) > np.sqrt(mu)
    with pytest.raises(ValueError, match="momentum"):
        momentum.critical_damping(1.0)
    with pytest.raises(ValueError, match="momentum"):
        momentum.eigen_components([1.0], 0.1, -0.1, 5)
