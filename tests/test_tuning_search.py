"""Searches of coursekit.tuning: what each evaluates, Hyperband's brackets (Li et al. 2017, Table 1),
failed trials, the Study record, bad input."""
import math

import numpy as np
import pytest

from coursekit import tuning
from coursekit.tuning import objectives

BOWL = tuning.Space(x=tuning.Uniform(0.0, 1.0), y=tuning.Uniform(0.0, 1.0))

TABLE_1 = [   # Li et al. 2017, "Hyperband", Table 1: R = 81, eta = 3; (n_i, r_i) per bracket s = 4..0
    [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    [(34, 3), (11, 9), (3, 27), (1, 81)],
    [(15, 9), (5, 27), (1, 81)],
    [(8, 27), (2, 81)],
    [(5, 81)],
]


def test_hyperband_brackets_equal_table_1():
    assert tuning.hyperband_brackets(81, min_budget=1, eta=3) == TABLE_1


def test_hyperband_brackets_use_integer_arithmetic():
    assert math.log(243, 3) < 5                             # the floating-point trap
    brackets = tuning.hyperband_brackets(243, eta=3)
    assert len(brackets) == 6                               # s_max = 5, not 4
    assert brackets[0][0] == (243, 1) and brackets[-1] == [(6, 243)]
    assert len(tuning.hyperband_brackets(1000, eta=10)) == 4    # log(1000, 10) = 2.9999999999999996
    assert tuning.hyperband_brackets(81, min_budget=3, eta=3)[0] == [(27, 3), (9, 9), (3, 27), (1, 81)]


def test_random_search_draws_from_the_space_with_one_seed_per_trial():
    study = tuning.random_search(objectives.noisy_bowl, BOWL, 12, budget=4, seed=7)
    assert len(study) == 12 and study.budget_spent == 48
    expected = BOWL.sample(12, np.random.default_rng(7))
    assert [t.config for t in study.trials] == expected
    seeds = [t.seed for t in study.trials]
    assert len(set(seeds)) == 12
    for t in study.trials:                                  # the score is the objective's, recomputed here
        assert t.score == objectives.noisy_bowl(t.config, 4, t.seed)
    assert study.best.score == min(t.score for t in study.trials)


def test_grid_search_evaluates_every_grid_point():
    study = tuning.grid_search(objectives.noisy_bowl, BOWL, 3, budget=1, seed=0)
    assert [t.config for t in study.trials] == BOWL.grid(3)


def test_sobol_search_is_reproducible():
    a = tuning.random_search(objectives.noisy_bowl, BOWL, 8, budget=1, seed=2, sampler="sobol")
    b = tuning.random_search(objectives.noisy_bowl, BOWL, 8, budget=1, seed=2, sampler="sobol")
    assert [t.config for t in a.trials] == [t.config for t in b.trials]


def test_failed_trials_are_recorded_and_never_stop_the_search():
    space = tuning.Space(x=tuning.Uniform(0.0, 1.0))
    study = tuning.random_search(objectives.flaky, space, 40, budget=1, seed=0)
    assert len(study) == 40
    crashed = [t for t in study.trials if t.config["x"] > 0.8]
    nan = [t for t in study.trials if t.config["x"] < 0.1]
    assert crashed and nan
    assert all(not t.ok and "RuntimeError: training crashed" in t.error for t in crashed)
    assert all(not t.ok and "non-finite" in t.error for t in nan)
    assert study.n_failed == len(crashed) + len(nan)
    assert study.best.ok and 0.1 <= study.best.config["x"] <= 0.8
    rows = study.table()
    assert rows[0].keys() >= {"trial", "x", "budget", "score", "seconds", "error"}
    assert "training crashed" in str(rows)


def test_successive_halving_keeps_the_best_third():
    study = tuning.successive_halving(objectives.noisy_bowl, BOWL, 27, min_budget=1, max_budget=9, eta=3, seed=1)
    assert study.info["rungs"] == [(27, 1), (9, 3), (3, 9)]
    by_rung = [[t for t in study.trials if t.info["rung"] == i] for i in range(3)]
    assert [len(r) for r in by_rung] == [27, 9, 3]
    for lower, upper in zip(by_rung, by_rung[1:]):
        kept = sorted(lower, key=lambda t: t.score)[: len(upper)]
        assert {t.info["config"] for t in upper} == {t.info["config"] for t in kept}
        for t in upper:                                     # a config keeps its seed across rungs
            assert t.seed == next(s.seed for s in lower if s.info["config"] == t.info["config"])
    assert study.best.budget == 9 and study.budget_spent == 27 + 27 + 27


def test_hyperband_runs_every_bracket():
    study = tuning.hyperband(objectives.noisy_bowl, BOWL, min_budget=1, max_budget=9, eta=3, seed=0)
    brackets = tuning.hyperband_brackets(9, eta=3)
    assert study.info["brackets"] == brackets
    for b, rungs in enumerate(brackets):
        for i, (n, budget) in enumerate(rungs):
            rung = [t for t in study.trials if t.info["bracket"] == b and t.info["rung"] == i]
            assert len(rung) == n and all(t.budget == budget for t in rung)


def test_evolution_improves_on_a_known_landscape():
    study = tuning.evolutionary_search(objectives.noisy_bowl, BOWL, population=12, generations=8, budget=100,
                                       seed=0, mutation=0.05)
    assert len(study) == 12 + 7 * 11
    best, median = study.info["best"], study.info["median"]
    assert np.all(np.diff(best) <= 1e-12)                   # elitism: the best never gets worse
    assert median[-1] < 0.5 * median[0]
    assert best[-1] < 0.01                                  # the bowl's minimum is 0 at (0.3, 0.3)


def test_study_best_is_lowest_score_at_largest_budget():
    T = tuning.Trial
    study = tuning.Study([T(0, {"x": 0}, 1, 0, 0.01), T(1, {"x": 1}, 9, 0, 0.5), T(2, {"x": 2}, 9, 0, 0.3),
                          T(3, {"x": 3}, 9, 0, math.nan, error="boom")])
    assert study.best.number == 2
    spent, best = study.best_so_far()
    np.testing.assert_array_equal(spent, [1, 10, 19, 28])
    np.testing.assert_array_equal(best, [0.01, 0.01, 0.01, 0.01])
    assert tuning.Study([]).best is None


@pytest.mark.parametrize("call,name", [
    (lambda: tuning.random_search(objectives.noisy_bowl, BOWL, 0, budget=1), "n_trials"),
    (lambda: tuning.random_search(objectives.noisy_bowl, BOWL, 3, budget=0), "budget"),
    (lambda: tuning.random_search(objectives.noisy_bowl, BOWL, 3, budget=1, sampler="grid"), "sampler"),
    (lambda: tuning.successive_halving(objectives.noisy_bowl, BOWL, 9, min_budget=10, max_budget=9), "min_budget"),
    (lambda: tuning.successive_halving(objectives.noisy_bowl, BOWL, 9, min_budget=1, max_budget=9, eta=1), "eta"),
    (lambda: tuning.hyperband(objectives.noisy_bowl, BOWL, min_budget=1, max_budget=9, eta=1), "eta"),
    (lambda: tuning.hyperband_brackets(0), "max_budget"),
    (lambda: tuning.evolutionary_search(objectives.noisy_bowl, BOWL, population=4, generations=2, tournament=5,
                                        budget=1), "tournament"),
    (lambda: tuning.grid_search(objectives.noisy_bowl, BOWL, 0, budget=1), "points_per_axis"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_an_objective_workers_cannot_import_is_refused_up_front():
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(1) as pool, pytest.raises(ValueError, match="module-level"):
        tuning.random_search(lambda c, b, s: 0.0, BOWL, 2, budget=1, executor=pool)
    with pytest.raises(TypeError, match="space"):
        tuning.random_search(objectives.noisy_bowl, {"x": (0, 1)}, 2, budget=1)
