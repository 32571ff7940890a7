"""Decision rules of coursekit.tuning held against theory and scipy.stats: tournament selection,
the replica-exchange swap rule (detailed balance, Boltzmann sampling), confidence-based
acceptance (Welch's t-test), the learning-rate range test (2/L on least squares)."""
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from coursekit import data, models, tuning


# ---------------------------------------------------------------- tournament selection

@pytest.mark.claim("C41")
def test_tournament_winner_distribution_matches_the_hypergeometric_formula():
    n, k, draws = 10, 3, 20000
    scores = np.random.default_rng(0).permutation(n).astype(float)     # rank r has score r
    rng = np.random.default_rng(1)
    wins = np.bincount([int(scores[tuning.tournament_select(scores, k, rng)]) for _ in range(draws)], minlength=n)
    # P(rank r wins) = C(n - 1 - r, k - 1) / C(n, k): r is picked and the k - 1 others are worse
    p = np.array([special.comb(n - 1 - r, k - 1) / special.comb(n, k) for r in range(n)])
    assert p.sum() == pytest.approx(1.0)
    assert stats.chisquare(wins[p > 0], draws * p[p > 0]).pvalue > 0.001
    assert wins[n - k + 1:].sum() == 0                      # the k - 1 worst can never win


def test_tournament_picks_distinct_individuals_and_ignores_nan():
    rng = np.random.default_rng(0)
    assert {tuning.tournament_select([3.0, 1.0, 2.0], 3, rng) for _ in range(50)} == {1}
    assert {tuning.tournament_select([np.nan, 5.0], 2, rng) for _ in range(20)} == {1}
    with pytest.raises(ValueError, match="k"):
        tuning.tournament_select([1.0, 2.0], 3, rng)


# ---------------------------------------------------------------- replica exchange

@pytest.mark.claim("C43")
def test_swap_probability_formula_and_detailed_balance():
    rng = np.random.default_rng(0)
    for _ in range(200):
        b_i, b_j = rng.uniform(0.1, 5, size=2)
        E_i, E_j = rng.normal(size=2) * 3
        p = tuning.swap_probability(b_i, b_j, E_i, E_j)
        assert p == pytest.approx(min(1.0, math.exp((b_i - b_j) * (E_i - E_j))))
        # joint weight exp(-b_i E_i - b_j E_j) times P(swap) equals the swapped state's weight times P(back)
        forward = math.exp(-b_i * E_i - b_j * E_j) * p
        backward = math.exp(-b_i * E_j - b_j * E_i) * tuning.swap_probability(b_i, b_j, E_j, E_i)
        assert forward == pytest.approx(backward, rel=1e-10)
    # the cold replica (larger beta) always takes a lower energy from the hot one
    assert tuning.swap_probability(2.0, 1.0, 5.0, 1.0) == 1.0
    assert tuning.swap_probability(2.0, 1.0, 1.0, 5.0) == pytest.approx(math.exp(-4.0))


def double_well(x):
    return (x[..., 0] ** 2 - 1.0) ** 2 * 4.0


def test_replica_exchange_samples_the_boltzmann_distribution_of_each_temperature():
    temperatures = [0.25, 0.6, 1.5]
    run = tuning.replica_exchange(double_well, np.array([-1.0]), temperatures=temperatures, steps=60000,
                                  step_size=[0.3, 0.5, 0.8], seed=0)
    for i, T in enumerate(temperatures):
        weight = lambda x: math.exp(-double_well(np.array([x])) / T)
        Z = integrate.quad(weight, -4, 4)[0]
        mean_E = integrate.quad(lambda x: double_well(np.array([x])) * weight(x), -4, 4)[0] / Z
        sampled = run.energies[5000:, i].mean()
        assert sampled == pytest.approx(mean_E, rel=0.06), (T, sampled, mean_E)
    assert np.all(run.swap_rate > 0.2)
    assert run.evaluations == 3 * 60001


def test_replica_exchange_without_exchange_stays_in_its_well_at_low_temperature():
    # barrier 4 at T = 0.1: a single cold chain started in the left well essentially never crosses
    cold = tuning.replica_exchange(double_well, np.array([-1.0]), temperatures=[0.1, 0.1, 0.1], steps=3000,
                                   step_size=0.2, seed=1, exchange=False)
    assert np.all(cold.states[:, 0] < 0)
    with pytest.raises(ValueError, match="temperatures"):
        tuning.replica_exchange(double_well, np.zeros(1), temperatures=[1.0, -1.0], steps=10, step_size=0.1)
    with pytest.raises(ValueError, match="step_size"):
        tuning.replica_exchange(double_well, np.zeros(1), temperatures=[1.0], steps=10, step_size=0.0)


# ---------------------------------------------------------------- confidence-based acceptance

def test_confident_improvement_is_welchs_one_sided_t_test():
    rng = np.random.default_rng(0)
    for _ in range(300):
        n1, n2 = rng.integers(2, 9, size=2)
        new = rng.normal(rng.uniform(-1, 1), rng.uniform(0.1, 2), size=n1)
        best = rng.normal(0.0, rng.uniform(0.1, 2), size=n2)
        for level in (0.9, 0.95, 0.99):
            p = stats.ttest_ind(new, best, equal_var=False, alternative="less").pvalue
            if abs(p - (1 - level)) > 1e-9:
                assert tuning.confident_improvement(new, best, level=level) == (p < 1 - level)


def test_confident_improvement_false_acceptance_rate_is_one_minus_level():
    rng = np.random.default_rng(1)
    trials = 4000
    same = rng.normal(0.5, 0.1, size=(trials, 2, 5))          # two equally good configs, 5 seeds each
    confident = np.mean([tuning.confident_improvement(a, b, level=0.95) for a, b in same])
    naive = np.mean([tuning.naive_improvement(a, b) for a, b in same])
    sd = math.sqrt(0.05 * 0.95 / trials)
    assert abs(confident - 0.05) < 4 * sd                   # Welch's test is near exact for Gaussian scores
    assert abs(naive - 0.5) < 4 * math.sqrt(0.25 / trials)  # the naive rule: a coin flip


def test_confident_improvement_bad_input():
    with pytest.raises(ValueError, match="scores_new"):
        tuning.confident_improvement([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="scores_best"):
        tuning.confident_improvement([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match="level"):
        tuning.confident_improvement([1.0, 2.0], [1.0, 2.0], level=1.0)


# ---------------------------------------------------------------- learning-rate range test

def test_lr_range_test_blows_up_past_two_over_L_and_restores_the_weights():
    X, y, _ = data.regression(n=400, d=5, scales=[1, 2, 3, 4, 6], noise=0.1, seed=0)
    model = models.LinearRegression()
    L = np.linalg.eigvalsh(X.T @ X / X.shape[0]).max()
    w = np.full(5, 0.3)
    before = w.copy()
    result = tuning.lr_range_test(model, w, X, y, lr_min=1e-4, lr_max=10.0, steps=200, batch_size=400)
    np.testing.assert_array_equal(w, before)                 # restored
    assert result.stopped_early
    stop_lr = result.lrs[-1]
    # past 2/L the error along the top eigenvector grows by |1 - lr L| > 1 per step: the loss (and its
    # lagging average) blows up within a decade of the stability limit, never before it
    assert 2 / L < stop_lr < 10 * 2 / L
    assert result.suggestion < 2 / L                        # the suggestion is on the stable side
    assert result.suggestion == pytest.approx(result.lrs[np.argmin(result.smoothed)] / 10)


def test_suggest_lr_rule_and_bad_input():
    lrs = np.logspace(-4, 0, 9)
    smoothed = np.array([2.0, 1.9, 1.5, 1.0, 0.6, 0.4, 0.5, 3.0, np.nan])
    assert tuning.suggest_lr(lrs, smoothed) == pytest.approx(lrs[5] / 10)
    with pytest.raises(ValueError, match="lrs"):
        tuning.suggest_lr(lrs, smoothed[:3])
    with pytest.raises(ValueError, match="lr_min"):
        tuning.lr_range_test(models.LinearRegression(), np.zeros(2), np.ones((4, 2)), np.ones(4), lr_min=1.0, lr_max=0.1)
