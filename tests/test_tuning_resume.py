"""Resumed trials, ASHA, the TPE picture and the comparison's statistics (coursekit.tuning)."""
import math
import pickle

import numpy as np
import pytest
from scipy import integrate, stats

from coursekit import tuning
from coursekit.experiments import ch4_compare as compare
from coursekit.tuning import objectives

SPACE = tuning.Space(lr=tuning.LogUniform(1e-3, 1.0), momentum=tuning.Uniform(0.0, 0.99))


# ---------------------------------------------------------------- checkpoints

@pytest.mark.parametrize("config", [{"lr": 0.1}, {"optimizer": "adam", "lr": 0.01}, {"batch_size": 64, "momentum": 0.5}])
def test_a_resumed_run_equals_an_uninterrupted_one_bit_for_bit(config):
    score3, checkpoint = objectives.resume_validation_loss(config, 3, 7)
    assert checkpoint.epochs == 3 and score3 == objectives.mlp_validation_loss(config, 3, 7)
    checkpoint = pickle.loads(pickle.dumps(checkpoint))                 # it travels to worker processes
    score9, later = objectives.resume_validation_loss(config, 9, 7, checkpoint)
    assert later.epochs == 9
    assert score9 == objectives.mlp_validation_loss(config, 9, 7)
    _, _, curves = objectives.train_mlp(config, 9, 7, record=True)
    assert score9 == pytest.approx(curves["val"][-1], rel=1e-12)


def test_a_diverged_run_stays_stopped_when_resumed():
    score, checkpoint = objectives.resume_validation_loss({"lr": 1e30}, 2, 0)
    assert not checkpoint.finite
    again, later = objectives.resume_validation_loss({"lr": 1e30}, 6, 0, checkpoint)
    assert not later.finite and (again == score or (math.isnan(again) and math.isnan(score)))


def test_rungs_cost_is_the_closed_form():
    rungs = [(27, 1), (9, 3), (3, 9), (1, 27)]
    assert tuning.rungs_cost(rungs, resume=False) == 27 * 1 + 9 * 3 + 3 * 9 + 1 * 27
    assert tuning.rungs_cost(rungs, resume=True) == 27 * 1 + 9 * 2 + 3 * 6 + 1 * 18
    brackets = tuning.hyperband_brackets(27, min_budget=1, eta=3)
    assert [tuning.rungs_cost(b) for b in brackets] == [81, 78, 90, 108]


def test_successive_halving_resumes_promoted_configs_with_the_same_scores():
    resumed = tuning.successive_halving(objectives.mlp_validation_loss, SPACE, 9, min_budget=1, max_budget=9, seed=4)
    fresh = tuning.successive_halving(objectives.mlp_validation_loss, SPACE, 9, min_budget=1, max_budget=9, seed=4,
                                      resume=False)
    assert [(t.config, t.budget, t.score) for t in resumed.trials] == [(t.config, t.budget, t.score)
                                                                      for t in fresh.trials]
    assert resumed.budget_spent == 9 * 1 + 3 * 2 + 1 * 6 and fresh.budget_spent == 9 + 9 + 9
    assert all(t.checkpoint is None for t in resumed.trials)          # no training state kept in the study
    plain = tuning.successive_halving(objectives.noisy_bowl, tuning.Space(x=tuning.Uniform(0, 1)), 9,
                                      min_budget=1, max_budget=9, seed=4)
    assert plain.budget_spent == 27                                   # an objective without resume: from scratch


def test_hyperband_one_round_costs_357_epochs_when_resumed():
    study = tuning.hyperband(objectives.mlp_validation_loss, SPACE, min_budget=1, max_budget=27, seed=0)
    assert study.budget_spent == 357
    per_bracket = [sum(t.spent for t in study.trials if t.info["bracket"] == b) for b in range(4)]
    assert per_bracket == [81, 78, 90, 108]


def test_evaluate_refuses_checkpoints_for_an_objective_that_cannot_resume():
    with pytest.raises(ValueError, match="checkpoints"):
        tuning.trials.evaluate(objectives.noisy_bowl, [({"x": 0.1}, 1, 0, {})], checkpoints=[None])


def test_optuna_pruner_on_a_resumed_run_prunes_and_counts_epochs_trained():
    pytest.importorskip("optuna")
    study = tuning.optuna_search(objectives.mlp_validation_loss, compare.SPACE, 500, budget=27, min_budget=1,
                                 seed=0, total_budget=200)
    assert study.budget_spent == 200                                  # stops exactly at the budget
    assert study.info["pruned"] >= 3 and study.info["n_startup_trials"] == 10
    for t in study.trials:
        assert t.spent == t.budget and (t.budget == 27) == (t.info["stopped"] in (None, "error"))
        if t.info["pruned"]:
            assert t.budget < 27
    full = [t for t in study.trials if t.budget == 27 and t.ok]
    for t in full[:2]:                                                # an epoch-by-epoch run equals one call
        assert t.score == objectives.mlp_validation_loss(t.config, 27, t.seed)


# ---------------------------------------------------------------- ASHA

def test_asha_promotes_only_the_top_fraction_completed_so_far():
    study = tuning.asha(objectives.noisy_bowl, tuning.Space(x=tuning.Uniform(0, 1), y=tuning.Uniform(0, 1)), 27,
                        min_budget=1, max_budget=9, eta=3, workers=3, seed=1)
    trials = sorted(study.trials, key=lambda t: t.info["start"])
    for t in trials:
        k = t.info["rung"]
        if k == 0:
            continue
        # when it was promoted, the config was among the best floor(m / 3) completed at rung k - 1
        before = [u for u in trials if u.info["rung"] == k - 1 and u.info["end"] <= t.info["start"]]
        ranked = sorted(before, key=lambda u: u.score)[: len(before) // 3]
        assert t.info["config"] in {u.info["config"] for u in ranked}
    workers = {}
    for w, start, end, _ in study.info["timeline"]:                   # no worker runs two jobs at once
        workers.setdefault(w, []).append((start, end))
    for jobs in workers.values():
        jobs.sort()
        assert all(a[1] <= b[0] for a, b in zip(jobs, jobs[1:]))
    assert len({t.info["config"] for t in study.trials if t.info["rung"] == 0}) == 27


def test_synchronous_halving_timeline_waits_at_each_rung():
    study = tuning.successive_halving(objectives.noisy_bowl, tuning.Space(x=tuning.Uniform(0, 1)), 9,
                                      min_budget=1, max_budget=9, seed=0)
    rows = tuning.halving_timeline(study, workers=2)
    end0 = max(e for _, _, e, k in rows if k == 0)
    assert end0 == 5                                                  # 9 one-epoch jobs on 2 workers
    assert min(s for _, s, _, k in rows if k == 1) == end0


# ---------------------------------------------------------------- TPE picture

def test_tpe_densities_are_densities_and_the_proposal_maximizes_l_over_g():
    rng = np.random.default_rng(0)
    u = rng.random(40)
    scores = (u - 0.3) ** 2 + 0.01 * rng.standard_normal(40)
    d = tuning.tpe_densities(u, scores, gamma=0.25, grid=np.linspace(-1, 2, 3001))
    assert integrate.trapezoid(d["l"], d["grid"]) == pytest.approx(1, abs=1e-3)
    assert integrate.trapezoid(d["g"], d["grid"]) == pytest.approx(1, abs=1e-3)
    assert d["good"].size == 10 and d["threshold"] == pytest.approx(np.sort(scores)[9])
    assert abs(d["proposal"] - 0.3) < 0.1                             # good trials cluster at the optimum
    with pytest.raises(ValueError, match="gamma"):
        tuning.tpe_densities(u, scores, gamma=1.5)


# ---------------------------------------------------------------- comparison statistics

def test_median_interval_is_scipys_percentile_bootstrap():
    v = np.random.default_rng(3).lognormal(size=30)
    med, low, high = compare.median_interval(v, resamples=2000, seed=5)
    ref = stats.bootstrap((v,), np.median, n_resamples=2000, method="percentile",
                          random_state=np.random.default_rng(5)).confidence_interval
    assert med == np.median(v) and (low, high) == pytest.approx((ref.low, ref.high))
    assert low <= med <= high


def test_told_apart_separates_shifted_samples_and_not_equal_ones():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=30), rng.normal(size=30)
    low, high = compare.told_apart(a, b)
    assert low < 0 < high
    low, high = compare.told_apart(a + 3, b)
    assert low > 2


def test_best_of_n_matches_the_exact_order_statistic_for_n_one_and_improves_with_n():
    rng = np.random.default_rng(1)
    val = rng.random(200)
    test = val + 0.05 * rng.standard_normal(200)
    curve = compare.best_of_n(val, test, [1, 4, 64], resamples=4000)
    assert curve[1][0] == pytest.approx(np.median(test), abs=0.05)
    assert curve[64][0] < curve[4][0] < curve[1][0]
    assert curve[64][0] == pytest.approx(np.sort(test)[:8].mean(), abs=0.05)    # min of 64 draws ~ 1st percentile


def test_the_surrogate_row_retrains_the_rules_pick():
    naive = tuning.surrogate_search(objectives.noisy_bowl, tuning.Space(x=tuning.Uniform(0, 1)), 8, budget=1,
                                    repeats=3, rule="naive", seed=2)
    confident = tuning.surrogate_search(objectives.noisy_bowl, tuning.Space(x=tuning.Uniform(0, 1)), 8, budget=1,
                                        repeats=3, rule="confident", seed=2)
    assert [t.config for t in naive.trials] == [t.config for t in confident.trials]   # same proposals
    assert naive.chosen == naive.info["incumbents"][-1] and confident.chosen == confident.info["incumbents"][-1]


def test_every_comparison_row_stays_within_the_budget():
    for name, settings in compare.SETTINGS.items():
        assert name in compare.STRATEGIES and settings
    row = compare.run_strategy("hyperband @1..27", 3)
    assert row["spent"] == 357 <= compare.TOTAL and set(row) >= {"val", "test", "config", "pruned"}
