"""coursekit.theory.gradient_noise: SGD's noise floor on a quadratic and Adam's step sizes on pure noise,
against closed forms (the stationary variance of a linear recursion, Adam's first step,
the mean absolute value of a normal variable)."""
import math

import numpy as np
import pytest

from coursekit.optim import schedules
from coursekit.theory import gradient_noise as noise


def test_noise_floor_is_the_stationary_variance_of_the_linear_recursion():
    # x <- (1 - h) x + lr sigma xi  has  E x^2 = lr^2 sigma^2 / (1 - (1 - h)^2) = lr sigma^2 / (lam (2 - h))
    lam, lr, sigma = np.array([1.0, 10.0]), 0.05, 2.0
    by_hand = sum(0.5 * l * lr ** 2 * sigma ** 2 / (1 - (1 - lr * l) ** 2) for l in lam)
    assert noise.noise_floor(lam, lr, sigma) == pytest.approx(by_hand, rel=1e-12)
    assert noise.noise_floor(lam, 0.2, 1.0) == math.inf              # lr * 10 = 2: unstable
    assert noise.noise_floor(lam, lr, 0.0) == 0.0


def test_a_long_constant_run_hovers_at_the_floor_and_a_decay_lowers_it():
    lam = np.array([1.0, 10.0])
    L = noise.sgd_on_noisy_quadratic(lam, 0.05, 3000, 1.0, runs=400, seed=1)
    assert L[500:].mean() == pytest.approx(noise.noise_floor(lam, 0.05, 1.0), rel=0.05)
    decay = schedules.step_decay(0.1, 300, 0.3)
    D = noise.sgd_on_noisy_quadratic(lam, decay, 900, 1.0, runs=200, seed=2, x0=3.0)
    stages = [D[300 * k + 150:300 * k + 301].mean() for k in range(3)]
    for k, level in enumerate(stages):
        assert level == pytest.approx(noise.noise_floor(lam, decay(300 * k), 1.0), rel=0.1)
    assert stages[0] > 3 * stages[1] > 9 * stages[2]


def test_without_noise_it_is_gradient_descent():
    lam = np.array([0.5, 2.0])
    L = noise.sgd_on_noisy_quadratic(lam, 0.1, 20, 0.0, runs=3, x0=1.0)
    expected = 0.5 * np.sum(lam * (1 - 0.1 * lam) ** (2 * np.arange(21)[:, None]), axis=1)
    np.testing.assert_allclose(L, np.repeat(expected[:, None], 3, axis=1), rtol=1e-12)


def test_adam_steps_on_noise_start_at_lr_and_settle_at_the_closed_form():
    sizes = noise.adam_step_sizes(400, coordinates=20_000, seed=3)
    assert sizes[0] == pytest.approx(1.0, abs=1e-4)                 # m_hat / sqrt(v_hat) = g / |g|
    assert sizes[-100:].mean() == pytest.approx(noise.adam_steady_step(0.9), rel=0.03)
    assert sizes[2] > 2 * sizes[-1]
    assert noise.adam_steady_step(0.0) == pytest.approx(math.sqrt(2 / math.pi))   # E|N(0,1)|


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="noise"):
        noise.noise_floor([1.0], 0.1, -1.0)
    with pytest.raises(ValueError, match="beta1"):
        noise.adam_steady_step(1.0)
    with pytest.raises(ValueError, match="runs"):
        noise.sgd_on_noisy_quadratic([1.0], 0.1, 5, 1.0, runs=0)
