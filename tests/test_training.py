"""coursekit.runs.training: the loop matches a hand-written one, detects divergence, tunes, grids."""
import numpy as np
import pytest

from coursekit import data, models, optim
from coursekit.optim import schedules
from coursekit.runs import training


@pytest.fixture(scope="module")
def problem():
    X, y = data.spirals(n=60, seed=0)
    return models.MLP([2, 8, 3], seed=0), X, y


def test_fit_equals_a_hand_written_adam_loop(problem):
    model, X, y = problem
    run = training.fit(model, X, y, "adam", 20, lr=0.01)
    params = model.init_params()
    opt = optim.Adam(params, lr=0.01)
    for _ in range(20):
        opt.step(model.grads(params, X, y))
    assert all(np.array_equal(a, b) for a, b in zip(run.params, params))
    assert run.losses.shape == (20,) and not run.diverged


class Bowl:
    """Loss 5 |p|^2 (curvature 10): SGD diverges for lr > 0.2."""

    def init_params(self):
        return [np.ones(2)]

    def loss_and_grads(self, params, X, y):
        return 5 * float(params[0] @ params[0]), [10 * params[0]]


def test_fit_flags_divergence_and_uses_schedule_and_clipping(problem):
    bad = training.fit(Bowl(), None, None, "sgd", 100, lr=0.3)
    assert bad.diverged and len(bad.losses) < 100 and bad.final_loss == np.inf
    assert not training.fit(Bowl(), None, None, "sgd", 100, lr=0.1).diverged
    model, X, y = problem
    zero = training.fit(model, X, y, "sgd", 5, schedule=schedules.constant(0.0))
    assert np.all(zero.losses == zero.losses[0])
    clipped = training.fit(model, X, y, "sgd", 5, lr=0.1, clip_norm=1e-3, batch_size=10)
    assert clipped.losses.shape == (5,)


def test_tune_lr_picks_the_lowest_final_loss(problem):
    model, X, y = problem
    best, runs = training.tune_lr(model, X, y, "sgd", 30, [1e-4, 0.3, 1e4])
    assert best == 0.3 and runs[0.3].final_loss < min(runs[1e-4].final_loss, runs[1e4].final_loss)
    best, runs = training.tune_lr(Bowl(), None, None, "sgd", 30, [0.05, 0.1, 0.3])
    assert best == 0.1 and runs[0.3].diverged


def test_weight_decay_grid_shapes_and_zero_decay_agree(problem):
    model, X, y = problem
    out = training.weight_decay_grid([2, 8, 3], X, y, X, y, [0.01], [0.0, 0.1], 10)
    assert out["Adam + L2"].shape == (1, 2)
    assert out["Adam + L2"][0, 0] == pytest.approx(out["AdamW"][0, 0], rel=1e-12)   # wd = 0: same method
    assert out["Adam + L2"][0, 1] != out["AdamW"][0, 1]


def test_one_weight_decay_means_very_different_regularization_under_adam_l2_and_adamw():
    """Chapter 2's grid in two cells: lambda = 0.1 stops Adam + L2 from fitting (loss near ln 3,
    a constant prediction) while AdamW trains well with it; at 3e-4 Adam + L2 is fine."""
    X, y = data.spirals(n=90, noise=0.35, seed=0)
    X_val, y_val = data.spirals(n=300, noise=0.35, seed=1)
    out = training.weight_decay_grid([2, 64, 64, 3], X, y, X_val, y_val, [0.01], [3e-4, 0.1], 600)
    assert out["Adam + L2"][0, 0] < 0.2 and out["Adam + L2"][0, 1] > 0.85 * np.log(3)
    assert out["AdamW"][0, 1] < 0.25


def test_weights_only_adamw_decays_the_weights_and_not_the_biases():
    """torch.optim.AdamW with two parameter groups: the weight matrices decay by (1 - lr wd) per
    step when their gradient is 0, the biases do not; with gradients it is AdamW on the weights,
    Adam on the biases."""
    params = [np.ones((2, 3)), np.ones(3), np.full((3, 1), 2.0), np.ones(1)]
    opt = training.WeightsOnlyAdamW(params, lr=0.1, weight_decay=0.5)
    for _ in range(5):
        opt.step([np.zeros_like(p) for p in params])
    np.testing.assert_allclose(params[0], 0.95 ** 5)
    np.testing.assert_allclose(params[2], 2 * 0.95 ** 5)
    np.testing.assert_allclose(params[1], 1.0)
    np.testing.assert_allclose(params[3], 1.0)
    rng = np.random.default_rng(0)
    grads = [[rng.normal(size=p.shape) for p in params] for _ in range(4)]
    a = [np.array(p) for p in params]
    mine, w_ref, b_ref = training.WeightsOnlyAdamW(a, lr=0.05, weight_decay=0.1), \
        optim.AdamW([np.array(p) for p in params[0::2]], lr=0.05, weight_decay=0.1), \
        optim.Adam([np.array(p) for p in params[1::2]], lr=0.05)
    mine.lr = 0.05                                                # a schedule sets lr on both groups
    for g in grads:
        mine.step(g)
        w_ref.step(g[0::2])
        b_ref.step(g[1::2])
    for got, want in zip(a, [w_ref.params[0], b_ref.params[0], w_ref.params[1], b_ref.params[1]]):
        np.testing.assert_allclose(got, want, rtol=1e-14)
