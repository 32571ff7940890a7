"""coursekit.experiments.ch2: the batched sweep equals the loop of single runs, and flags divergence."""
import numpy as np
import pytest

from coursekit import functions
from coursekit.experiments import ch2 as sweeps


def test_batched_sweep_equals_loop_of_single_runs():
    f = functions.Rosenbrock()
    lr, mom = sweeps.grid(np.geomspace(1e-5, 2e-2, 6), np.linspace(0, 0.99, 5))
    x0 = np.array([-1.2, 1.0])
    batched = sweeps.momentum_sweep(f, x0, lr, mom, 200)
    looped = sweeps.momentum_loop(f, x0, lr, mom, 200)
    assert np.array_equal(batched.final_loss, looped.final_loss, equal_nan=True)
    assert np.array_equal(batched.diverged, looped.diverged)
    assert batched.diverged.any() and not batched.diverged.all()
    assert batched.grid(5, 6).shape == (5, 6)


def test_sweep_on_a_quadratic_diverges_exactly_past_the_edge():
    f = functions.Quadratic([1.0, 10.0])
    mom = np.full(4, 0.5)
    lr = np.array([0.29, 0.299, 0.301, 0.31])          # edge (2 + 2 * 0.5) / 10 = 0.3
    s = sweeps.momentum_sweep(f, np.array([1.0, 1.0]), lr, mom, 3000)
    assert s.diverged.tolist() == [False, False, True, True]


def test_grid_layout_and_bad_input():
    lr, mom = sweeps.grid([1, 2, 3], [0.1, 0.2])
    assert lr.tolist() == [1, 2, 3, 1, 2, 3] and mom.tolist() == [0.1] * 3 + [0.2] * 3
    with pytest.raises(ValueError, match="lr and momentum"):
        sweeps.momentum_sweep(functions.Rosenbrock(), np.zeros(2), np.ones(3), np.ones(2), 5)


def test_timers_return_comparable_results():
    seconds, p = sweeps.time_adam(1000, steps=2)
    assert seconds > 0 and p.shape == (1000,)
    seconds, loss = sweeps.time_sweep(functions.Rosenbrock(), 4, 10)
    assert loss.shape == (16,)
