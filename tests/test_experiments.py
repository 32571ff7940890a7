"""coursekit.experiments: the mini-batch cost and the timing helper, against loops written here."""
import math

import numpy as np
import pytest

from coursekit import data, experiments


@pytest.fixture(scope="module")
def problem():
    X, y, _ = data.regression(n=200, d=4, noise=0.3, seed=0)
    return X, y


def reference_steps(X, y, B, lr, fraction, max_steps, seed):
    """The same experiment written out with the full loss."""
    n = X.shape[0]
    loss = lambda w: np.sum((X @ w - y) ** 2) / (2 * n)     # noqa: E731
    f_star = loss(np.linalg.lstsq(X, y, rcond=None)[0])
    w, rng, steps = np.zeros(X.shape[1]), np.random.default_rng(seed), 0
    target = f_star + fraction * (loss(w) - f_star)
    while steps < max_steps:
        order = rng.permutation(n)
        for s in range(0, n - B + 1, B):
            idx = order[s:s + B]
            w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / B
            steps += 1
            if loss(w) <= target:
                return steps
            if steps >= max_steps:
                return None
    return None


@pytest.mark.parametrize("B, lr", [(1, 0.05), (10, 0.2), (200, 0.5)])
def test_minibatch_cost_matches_a_loop_on_the_full_loss(problem, B, lr):
    X, y = problem
    got = experiments.minibatch_cost(X, y, B, lr, fractions=(1e-1, 1e-3), max_steps=3000, seed=4)
    assert got == [reference_steps(X, y, B, lr, f, 3000, 4) for f in (1e-1, 1e-3)]


def test_minibatch_cost_reports_divergence_and_unreached_targets(problem):
    X, y = problem
    L = np.linalg.eigvalsh(X.T @ X / 200).max()
    assert experiments.minibatch_cost(X, y, 200, 2.5 / L) == [None, None]           # diverges
    assert experiments.minibatch_cost(X, y, 1, 1e-4, max_steps=10) == [None, None]  # too slow for 10 steps
    with pytest.raises(ValueError, match="batch_size"):
        experiments.minibatch_cost(X, y, 0, 0.1)
    with pytest.raises(ValueError, match="lr"):
        experiments.minibatch_cost(X, y, 1, -0.1)


def test_tuned_cost_takes_the_fastest_rate_per_target(problem):
    X, y = problem
    lrs = [0.4, 0.1, 0.02]
    table = experiments.tuned_minibatch_cost(X, y, [1, 200], lrs, fractions=(1e-1, 1e-3), max_steps=2000)
    for B, row in table.items():
        for j, (steps, lr, low, high) in enumerate(row):
            runs = {r: experiments.minibatch_cost(X, y, B, r, (1e-1, 1e-3), 2000)[j] for r in lrs}
            done = {r: s for r, s in runs.items() if s is not None}
            assert steps == min(done.values()) and runs[lr] == steps and low == high == steps


def test_tuned_cost_picks_the_rate_on_the_median_over_seeds(problem):
    """Five seeds: the median run's steps per rate, the rate with the fewest, and the spread."""
    X, y = problem
    lrs, seeds, fractions = [0.4, 0.1, 0.02], [3, 4, 5, 6, 7], (1e-1, 1e-3)
    table = experiments.tuned_minibatch_cost(X, y, [1, 20], lrs, fractions, 2000, seeds=seeds)
    for B, row in table.items():
        for j, cost in enumerate(row):
            per_rate = {r: [experiments.minibatch_cost(X, y, B, r, fractions, 2000, sd)[j] for sd in seeds]
                        for r in lrs}
            ordered = {r: sorted(math.inf if s is None else s for s in v) for r, v in per_rate.items()}
            medians = {r: v[2] for r, v in ordered.items()}              # a missed target counts as inf
            assert cost.steps == min(medians.values()) and medians[cost.lr] == cost.steps
            assert (cost.low, cost.high) == (ordered[cost.lr][0], ordered[cost.lr][-1])
    assert table[1][1].low < table[1][1].high                    # a batch of 1 is noisy: seeds differ
    with pytest.raises(ValueError, match="seeds"):
        experiments.tuned_minibatch_cost(X, y, [1], lrs, seeds=[])


def test_time_gradient_descent_reports_a_failing_backend(problem):
    X, y = problem
    out = experiments.time_gradient_descent(X, y, 5, 0.1, backends=["numpy", "no-such-backend"])
    assert out["numpy"].steps == 5 and out["numpy"].wall_time >= 0
    assert isinstance(out["no-such-backend"], str) and "Error" in out["no-such-backend"]


@pytest.mark.parametrize("B", [1, 7, 200])
def test_minibatch_cost_grid_is_minibatch_cost_for_every_rate_and_seed(problem, B):
    X, y = problem
    L = np.linalg.eigvalsh(X.T @ X / 200).max()
    lrs, seeds, fractions = [2.5 / L, 1 / L, 0.2 / L, 0.02 / L], [3, 4, 9], (1e-1, 1e-3)
    grid = experiments.minibatch_cost_grid(X, y, B, lrs, seeds, fractions, max_steps=1500)
    assert grid.shape == (4, 3, 2)
    for i, lr in enumerate(lrs):
        for j, seed in enumerate(seeds):
            want = experiments.minibatch_cost(X, y, B, lr, fractions, 1500, seed)
            assert [None if not np.isfinite(v) else int(v) for v in grid[i, j]] == want
    assert np.all(np.isinf(grid[0]))                                  # 2.5/L diverges in every run
    with pytest.raises(ValueError, match="lrs"):
        experiments.minibatch_cost_grid(X, y, 1, [0.1, -1.0], [0])
    with pytest.raises(ValueError, match="seeds"):
        experiments.minibatch_cost_grid(X, y, 1, [0.1], [])


def test_held_out_tuning_picks_on_tuning_seeds_and_reports_the_others(problem):
    X, y = problem
    lrs, fractions = [0.4, 0.1, 0.02], (1e-1, 1e-3)
    tune, report = [20, 21, 22], [30, 31, 32, 33, 34]
    table = experiments.tuned_minibatch_cost(X, y, [1, 20], lrs, fractions, 2000, seeds=report, tune_seeds=tune)
    for B, row in table.items():
        for j, cost in enumerate(row):
            def runs(seeds, r):
                return sorted(math.inf if s is None else s
                              for s in (experiments.minibatch_cost(X, y, B, r, fractions, 2000, sd)[j] for sd in seeds))
            medians = {r: runs(tune, r)[1] for r in lrs}
            assert medians[cost.lr] == min(medians.values())          # picked on the tuning seeds
            shown = runs(report, cost.lr)
            assert (cost.steps, cost.low, cost.high) == (shown[2], shown[0], shown[-1])   # reported on the others
    with pytest.raises(ValueError, match="tune_seeds"):
        experiments.tuned_minibatch_cost(X, y, [1], lrs, seeds=[1], tune_seeds=[])


def test_tables_as_text_show_the_numbers(problem):
    X, y = problem
    L = np.linalg.eigvalsh(X.T @ X / 200).max()
    lrs = [1 / L, 1 / (4 * L)]
    table = experiments.tuned_minibatch_cost(X, y, [1, 200], lrs, (1e-1, 1e-3), 2000, seeds=[1, 2, 3])
    text = experiments.cost_table(table, L, targets=("loose", "tight"))
    assert "loose" in text and "tight" in text and "1/L" in text
    row = text.splitlines()[2 + 1]                                    # B = 200
    assert row.split()[:3] == ["200", str(table[200][0].steps), str(200 * table[200][0].steps)]
    tables = {0: table, 1: experiments.tuned_minibatch_cost(X, y, [1, 200], lrs, (1e-1, 1e-3), 2000, seeds=[4, 5, 6])}
    text = experiments.examples_by_dataset(tables, targets=("loose", "tight"))
    assert "fewest examples loose, in data sets out of 2" in text and "*" in text
