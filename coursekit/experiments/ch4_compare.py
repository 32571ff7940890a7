"""The chapter's strategy comparison: every search at one total budget, over many seeds.

Each strategy spends about ``TOTAL`` = 360 epochs of the chapter's MLP (one full Hyperband
round for budgets 1..27, eta 3, costs 357 when promoted configs resume from their
checkpoints), choosing on the **validation** split. Its chosen config (``study.chosen``) is
then retrained at 27 epochs with three fresh seeds and scored on the held-out **test**
split: the mean of those three test losses is the strategy's result for that seed.
``summary`` gives each strategy's median over seeds with a bootstrap interval;
``benchmarks/tuning_comparison.py`` runs it all (the stored table) and states its cost.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from ..tuning.evolution import evolutionary_search
from ..tuning.halving import hyperband, successive_halving
from ..tuning.objectives import mlp_validation_loss, train_mlp, splits
from ..tuning.reference import optuna_search
from ..tuning.search import grid_search, random_search
from ..tuning.space import LogUniform, Space, Uniform
from ..tuning.surrogate import surrogate_search

__all__ = ["SPACE", "STRATEGIES", "SETTINGS", "TOTAL", "MAX_BUDGET", "FINAL_SEEDS", "run_strategy",
           "retrain", "summary", "median_interval", "told_apart", "best_of_n"]

SPACE = Space(lr=LogUniform(1e-4, 10.0), momentum=Uniform(0.0, 0.99), weight_decay=LogUniform(1e-6, 1e-1))
TOTAL, MAX_BUDGET, FINAL_SEEDS = 360, 27, (1001, 1002, 1003)
f = mlp_validation_loss

# name: (search(seed) -> Study, the settings in words); each spends at most TOTAL epochs
STRATEGIES = {
    "grid 3x2x2 @27": lambda seed: grid_search(f, SPACE, {"lr": 3, "momentum": 2, "weight_decay": 2}, budget=27,
                                               seed=seed),
    "random 13 @27": lambda seed: random_search(f, SPACE, 13, budget=27, seed=seed),
    "halton 13 @27": lambda seed: random_search(f, SPACE, 13, budget=27, seed=seed, sampler="halton"),
    "random 40 @9": lambda seed: random_search(f, SPACE, 40, budget=9, seed=seed),
    "successive halving 120 @1..27": lambda seed: successive_halving(f, SPACE, 120, min_budget=1, max_budget=27,
                                                                     seed=seed),
    "hyperband @1..27": lambda seed: hyperband(f, SPACE, min_budget=1, max_budget=27, seed=seed),
    "evolution 8x5 @10": lambda seed: evolutionary_search(f, SPACE, population=8, generations=5, budget=10,
                                                          seed=seed),
    "surrogate, naive rule": lambda seed: surrogate_search(f, SPACE, 9, budget=9, repeats=3, n_init=4,
                                                           rule="naive", seed=seed),
    "surrogate, confidence rule": lambda seed: surrogate_search(f, SPACE, 9, budget=9, repeats=3, n_init=4,
                                                                rule="confident", seed=seed),
    "optuna TPE 40 @9": lambda seed: optuna_search(f, SPACE, 40, budget=9, seed=seed),
    "optuna TPE + hyperband pruner": lambda seed: optuna_search(f, SPACE, 1000, budget=27, min_budget=1, seed=seed,
                                                                total_budget=TOTAL),
}
SETTINGS = {
    "grid 3x2x2 @27": "12 configs (3 lr x 2 momentum x 2 weight decay, cell centres), 27 epochs each",
    "random 13 @27": "13 random configs, 27 epochs each",
    "halton 13 @27": "13 configs from a scrambled Halton sequence, 27 epochs each",
    "random 40 @9": "40 random configs, 9 epochs each (the chosen one is retrained at 27)",
    "successive halving 120 @1..27": "120 configs at 1 epoch, the best third promoted to 3, 9, 27; resumed",
    "hyperband @1..27": "one full round, eta 3: brackets of 27, 12, 6 and 4 configs; resumed",
    "evolution 8x5 @10": "population 8 (the elite is not rescored: 36 trials), 5 generations, tournaments "
                         "of 3, mutation 0.1, 10 epochs",
    "surrogate, naive rule": "4 random + 9 proposed configs, 3 seeds x 9 epochs each; lower mean accepted",
    "surrogate, confidence rule": "as the naive row; accepted only by Welch's one-sided 95% rule",
    "optuna TPE 40 @9": "Optuna TPE, 40 trials of 9 epochs, the first 10 random (n_startup_trials=10)",
    "optuna TPE + hyperband pruner": "Optuna TPE + HyperbandPruner (1..27, eta 3), each trial one run "
                                     "reported every epoch; stops at 360 epochs",
}


def retrain(config, epochs=MAX_BUDGET, seeds=FINAL_SEEDS) -> dict:
    """The chosen config trained afresh with each of ``seeds``: mean validation and test loss."""
    val, test = [], []
    for s in seeds:
        model, params = train_mlp(config, epochs, s)
        with np.errstate(all="ignore"):
            val.append(float(model.loss(params, *splits()["val"])))
            test.append(float(model.loss(params, *splits()["test"])))
    return {"val": float(np.mean(val)), "test": float(np.mean(test))}


def run_strategy(name, seed) -> dict:
    """One row: the budget spent, trials, the chosen config, and that config retrained (``retrain``)."""
    study = STRATEGIES[name](seed)
    config = study.chosen
    return {"strategy": name, "seed": seed, "spent": study.budget_spent, "trials": len(study),
            "failed": study.n_failed, "pruned": study.info.get("pruned"), "config": config,
            "search_score": study.best.score, **retrain(config)}


def median_interval(values, level=0.95, resamples=4000, seed=0) -> tuple:
    """(median, low, high): a percentile bootstrap interval for the median of ``values``."""
    v = np.asarray(values, float)
    res = stats.bootstrap((v,), np.median, confidence_level=level, n_resamples=resamples, method="percentile",
                          random_state=np.random.default_rng(seed))
    return float(np.median(v)), float(res.confidence_interval.low), float(res.confidence_interval.high)


def told_apart(a, b, level=0.95, resamples=4000, seed=0) -> tuple:
    """(low, high) of a bootstrap interval for median(a) - median(b), seeds resampled independently;
    the two can be told apart at ``level`` only when it excludes 0."""
    rng = np.random.default_rng(seed)
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = [np.median(rng.choice(a, a.size)) - np.median(rng.choice(b, b.size)) for _ in range(resamples)]
    return tuple(float(q) for q in np.quantile(d, [(1 - level) / 2, (1 + level) / 2]))


def summary(rows, key="test") -> list:
    """Per strategy: the median of ``key`` over seeds with its 95% bootstrap interval, the quartiles,
    the seeds and the mean budget spent (and trials pruned, where the strategy prunes)."""
    out = []
    for name in dict.fromkeys(r["strategy"] for r in rows):
        mine = [r for r in rows if r["strategy"] == name]
        v = np.array([r[key] for r in mine])
        med, low, high = median_interval(v)
        q1, q3 = np.quantile(v, [0.25, 0.75])
        pruned = [r["pruned"] for r in mine if r.get("pruned") is not None]
        out.append({"strategy": name, "median": med, "ci low": low, "ci high": high, "q25": float(q1),
                    "q75": float(q3), "seeds": int(v.size), "mean spent": float(np.mean([r["spent"] for r in mine])),
                    "mean pruned": float(np.mean(pruned)) if pruned else None})
    return out


def best_of_n(val, test, sizes, resamples=2000, seed=0) -> dict:
    """How many trials are enough: for each n in ``sizes``, draw n of the trials (val, test scores of
    random configs) with replacement, keep the one with the lowest validation score, and record its
    test score; returns n -> (median, 10% and 90% quantiles) over ``resamples`` draws. A trial whose
    training diverged (non-finite score) counts as an infinite loss: chosen only when all n diverged."""
    rng = np.random.default_rng(seed)
    val, test = np.asarray(val, float), np.asarray(test, float)
    val = np.where(np.isfinite(val), val, np.inf)
    test = np.where(np.isfinite(test), test, np.inf)
    out = {}
    for n in sizes:
        idx = rng.integers(0, val.size, size=(resamples, int(n)))
        picked = test[idx[np.arange(resamples), np.argmin(val[idx], axis=1)]]
        out[int(n)] = tuple(float(q) for q in np.quantile(picked, [0.5, 0.1, 0.9], method="nearest"))
    return out
