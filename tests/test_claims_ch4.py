"""Chapter 4 claims (C37-C44 of course/CLAIMS.md), asserted with coursekit.tuning.

Each test measures over many seeds and compares with theory (binomial rates, the expected gap of a
grid, Welch's test), with numbers computed independently here, or with the stored comparison table,
which it re-runs in part to show that the table is reproducible.
"""
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from coursekit import tuning
from coursekit.experiments import ch4 as experiments, ch4_compare as compare
from coursekit.tuning import objectives, sensitivity

claim = pytest.mark.claim
ROOT = Path(__file__).resolve().parents[1]


class Recorder:
    """An objective that records what the tuner hands it and returns the validation loss."""

    def __init__(self):
        self.calls = []

    def __call__(self, config, budget, seed):
        self.calls.append((dict(config), budget, seed))
        return objectives.mlp_validation_loss(config, budget, seed)


# ---------------------------------------------------------------- C37 two loops

@claim("C37")
def test_tuner_sees_only_validation_scores_and_picks_their_minimum():
    space = tuning.Space(lr=tuning.LogUniform(1e-3, 1.0))
    spy = Recorder()
    study = tuning.random_search(spy, space, 6, budget=3, seed=0)
    assert [len(c) for c in spy.calls] == [3] * 6                     # (config, budget, seed): no gradients
    val = []
    for config, budget, seed in spy.calls:                            # the inner loop, re-run here
        model, params = objectives.train_mlp(config, budget, seed)
        val.append(float(model.loss(params, *objectives.splits()["val"])))
        assert val[-1] != pytest.approx(float(model.loss(params, *objectives.splits()["test"])))
    assert [t.score for t in study.trials] == pytest.approx(val, rel=1e-12)
    assert study.best.config == spy.calls[int(np.argmin(val))][0]
    parts = objectives.splits()
    assert sum(len(y) for _, y in parts.values()) == 600
    rows = {name: {tuple(x) for x in X} for name, (X, _) in parts.items()}
    shared = (rows["test"] & rows["val"]) | (rows["test"] & rows["train"])
    assert shared <= {(0.0, 0.0)}        # disjoint, but for the spirals' common centre (one point per arm)


# ---------------------------------------------------------------- C38 grid vs random

@claim("C38")
def test_random_search_beats_grid_when_few_hyperparameters_matter():
    grid, rand = experiments.grid_vs_random(reps=200, seed=0)
    # theory for the grid: the important coordinate's error to the nearest of the midpoints 1/6, 1/2, 5/6
    # is uniform on [0, 1/6], E[err^2] = (1/3)^2 / 12 = 1/108; the two minor ones add 2 * 0.01 / 108
    assert grid.mean() == pytest.approx(1.02 / 108, rel=0.15)
    assert rand.mean() < 0.5 * grid.mean()
    assert np.mean(rand < grid) > 0.6
    assert stats.wilcoxon(rand, grid, alternative="less").pvalue < 1e-6


# ---------------------------------------------------------------- C39 sensitivity

@claim("C39")
def test_learning_rate_matters_most_on_the_course_mlp():
    space = tuning.Space(lr=tuning.LogUniform(1e-3, 1.0), batch_size=tuning.Choice([16, 32, 64, 128, 256]),
                         momentum=tuning.Uniform(0.0, 0.99), weight_decay=tuning.LogUniform(1e-5, 1e-1))
    base = {"lr": 0.03, "batch_size": 32, "momentum": 0.9, "weight_decay": 1e-4}
    _, effects = sensitivity.one_at_a_time(objectives.mlp_validation_loss, space, base, points=5, budget=4,
                                           seeds=(0, 1))
    spreads = {name: e["spread"] for name, e in effects.items()}
    assert max(spreads, key=spreads.get) == "lr", spreads
    imp = sensitivity.importance(objectives.mlp_validation_loss, space, 30, budget=4, seeds=range(1, 7), bins=3)
    shares, null95 = imp["shares"], np.quantile(imp["null"], 0.95)
    means = dict(zip(imp["names"], shares.mean(axis=0)))
    assert max(means, key=means.get) == "lr", means
    above = dict(zip(imp["names"], (shares > null95).sum(axis=0)))
    assert above["lr"] >= 5 and all(above[n] <= 1 for n in ("batch_size", "momentum", "weight_decay")), above
    assert imp["null"].mean() == pytest.approx(2 / 29, rel=0.2)   # no link: E[eta^2] = (bins - 1) / (n - 1)


# ---------------------------------------------------------------- C40 successive halving

@claim("C40")
def test_halving_beats_random_search_on_median_and_tail_at_equal_budget():
    stored = json.loads((ROOT / "course" / "data" / "tuning_comparison.json").read_text())
    rows = {(r["strategy"], r["seed"]): r for r in stored["rows"]}
    def test_losses(name):
        return np.array([r["test"] for (n, _), r in rows.items() if n == name])
    rs = test_losses("random 13 @27")
    for name in ("successive halving 120 @1..27", "hyperband @1..27"):
        v = test_losses(name)
        assert v.size == rs.size >= 30
        assert np.median(v) < np.median(rs) and v.max() < 0.75 * rs.max()
        low, high = compare.told_apart(v, rs)
        assert low < 0 < high < 0.01                           # medians: not established at 95% (as the text says)
        assert stats.mannwhitneyu(v, rs, alternative="less").pvalue < 0.05   # but the rank test: lower
    sh = test_losses("successive halving 120 @1..27")
    assert np.sum(sh > 0.2) == 0 and np.sum(rs > 0.2) >= 8
    assert all(r["spent"] <= compare.TOTAL for r in stored["rows"])
    assert rows[("hyperband @1..27", 0)]["spent"] == 357       # one full round, promoted configs resumed
    grid, best = test_losses("grid 3x2x2 @27"), test_losses("successive halving 120 @1..27")
    assert compare.told_apart(grid, best)[0] > 0                # the grid: the one row told apart
    for name in {r["strategy"] for r in stored["rows"]} - {"grid 3x2x2 @27", "successive halving 120 @1..27"}:
        assert compare.told_apart(test_losses(name), best)[0] <= 0, name
    for seed in (0, 1):                                         # the stored table is reproducible
        for name in ("random 13 @27", "successive halving 120 @1..27"):
            again = compare.run_strategy(name, seed)
            assert again["test"] == pytest.approx(rows[(name, seed)]["test"], rel=1e-9)
            assert again["config"] == rows[(name, seed)]["config"]


# ---------------------------------------------------------------- C41 evolution

@claim("C41")
def test_evolution_keeps_its_best_and_later_generations_sit_lower():
    space = tuning.Space(lr=tuning.LogUniform(1e-3, 1.0), momentum=tuning.Uniform(0.0, 0.99))
    first, later, rose = [], [], 0
    for seed in range(6):                                       # the seeds the notebook shows
        study = tuning.evolutionary_search(objectives.mlp_validation_loss, space, population=8, generations=6,
                                           tournament=3, budget=3, seed=seed)
        best, median = np.array(study.info["best"]), np.array(study.info["median"])
        assert np.all(np.diff(best) <= 0)                       # the elite: never worse
        assert best[-1] == min(t.score for t in study.trials if t.ok)
        first.append(median[0]); later.append(median[-3:].mean()); rose += np.any(np.diff(median) > 0)
    assert np.all(np.array(later) < np.array(first))            # on every seed
    assert rose >= 1                                            # ... but a generation's median can rise


# ---------------------------------------------------------------- C42 confidence-based acceptance

@claim("C42")
def test_confidence_rule_rejects_phantom_improvements_that_naive_comparison_accepts():
    naive, confident = experiments.phantom_improvements(trials=4000, repeats=5, noise=0.1, level=0.95, seed=1)
    assert abs(naive - 0.5) < 4 * math.sqrt(0.25 / 4000)        # a coin flip
    assert abs(confident - 0.05) < 4 * math.sqrt(0.05 * 0.95 / 4000)
    space = tuning.Space(x=tuning.Uniform(0.0, 1.0), y=tuning.Uniform(0.0, 1.0))
    phantoms = {}
    for rule in ("naive", "confident"):
        count = 0
        for seed in range(20):
            inc = tuning.surrogate_search(objectives.noisy_bowl, space, 15, budget=1, repeats=3, rule=rule,
                                          seed=seed).info["incumbents"]
            count += sum(objectives.bowl(b) >= objectives.bowl(a) for a, b in zip(inc, inc[1:]) if a != b)
        phantoms[rule] = count
    assert phantoms["confident"] <= 0.25 * phantoms["naive"] and phantoms["naive"] >= 8, phantoms


# ---------------------------------------------------------------- C43 replica exchange

@claim("C43")
def test_replica_exchange_finds_the_global_basin_more_often_than_single_temperature():
    seeds = range(100)
    rates = experiments.tempering_success(seeds=seeds, steps=300)
    re, single = rates["replica exchange"], rates["single temperature"]
    assert re > single + 0.4, rates
    table = [[round(re * 100), 100 - round(re * 100)], [round(single * 100), 100 - round(single * 100)]]
    assert stats.fisher_exact(table, alternative="greater").pvalue < 1e-10
    ann = round(rates["annealing"] * 100)                        # annealing over the same temperatures: a tie
    assert stats.fisher_exact([[round(re * 100), 100 - round(re * 100)], [ann, 100 - ann]]).pvalue > 0.05, rates


# ---------------------------------------------------------------- C44 debugging checklist

@claim("C44")
@pytest.mark.parametrize("knob", list(tuning.BROKEN_RUNS))
def test_each_broken_run_is_diagnosed_and_fixed_by_its_knob(knob):
    broken, fixed = tuning.BROKEN_RUNS[knob]
    changed = {k for k in set(broken) | set(fixed) if broken.get(k) != fixed.get(k)}
    assert len(changed) <= 2                                    # one knob (optimizer: name and its usual lr)
    for seed in range(3):
        _, _, bad = objectives.train_mlp(broken, 12, seed, record=True)
        _, _, good = objectives.train_mlp(fixed, 12, seed, record=True)
        assert tuning.diagnose(bad["steps"], bad["grad_norm"], 12) == knob
        assert tuning.diagnose(good["steps"], good["grad_norm"], 12) == "healthy"
        assert good["val"][-1] < 0.5 * bad["val"][-1]


@claim("C44")
def test_the_checklist_names_the_knob_of_runs_it_was_not_tuned_on():
    right, healthy_right = 0, 0
    for label, config in tuning.HELD_OUT_RUNS:
        for seed in range(3):
            _, _, c = objectives.train_mlp(config, 12, seed, record=True)
            verdict = tuning.diagnose(c["steps"], c["grad_norm"], 12)
            right += verdict == label
            if label in ("healthy", "loss"):
                assert verdict == label, (config, seed, verdict)   # never a false alarm, never a missed penalty
    assert right >= 0.9 * 3 * len(tuning.HELD_OUT_RUNS), right
