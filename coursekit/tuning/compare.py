"""The chapter's strategy comparison: every search at one total budget, over several seeds.

Each strategy spends about ``TOTAL`` = 108 epochs of the chapter's MLP (max budget 27
epochs per trial); its chosen config (``study.best.config``) is then retrained at 27
epochs with three fresh seeds, and the mean validation loss of those runs is its
result for that seed. Retraining removes the luck of the trial seed that picked it.
``benchmarks/tuning_comparison.py`` runs it over 12 seeds (the stored table) on a process pool.
"""
from __future__ import annotations

import numpy as np

from .evolution import evolutionary_search
from .halving import hyperband, successive_halving
from .objectives import mlp_validation_loss
from .reference import optuna_search
from .search import grid_search, random_search
from .space import LogUniform, Space, Uniform
from .surrogate import surrogate_search

__all__ = ["SPACE", "STRATEGIES", "TOTAL", "MAX_BUDGET", "FINAL_SEEDS", "run_strategy", "summary"]

SPACE = Space(lr=LogUniform(1e-4, 10.0), momentum=Uniform(0.0, 0.99), weight_decay=LogUniform(1e-6, 1e-1))
TOTAL, MAX_BUDGET, FINAL_SEEDS = 108, 27, (1001, 1002, 1003)
f = mlp_validation_loss

STRATEGIES = {   # name: search(seed, executor) -> Study, each spending about TOTAL epochs
    "grid 2x2x1 @27": lambda seed, ex: grid_search(f, SPACE, {"lr": 2, "momentum": 2, "weight_decay": 1}, budget=27,
                                                   seed=seed, executor=ex),
    "random 4 @27": lambda seed, ex: random_search(f, SPACE, 4, budget=27, seed=seed, executor=ex),
    "halton 4 @27": lambda seed, ex: random_search(f, SPACE, 4, budget=27, seed=seed, executor=ex,
                                                   sampler="halton"),
    "random 12 @9": lambda seed, ex: random_search(f, SPACE, 12, budget=9, seed=seed, executor=ex),
    "successive halving 27 @1..27": lambda seed, ex: successive_halving(f, SPACE, 27, min_budget=1, max_budget=27,
                                                                        seed=seed, executor=ex),
    "hyperband @9..27": lambda seed, ex: hyperband(f, SPACE, min_budget=9, max_budget=27, seed=seed, executor=ex),
    "evolution 4x3 @11": lambda seed, ex: evolutionary_search(f, SPACE, population=4, generations=3, budget=11,
                                                              seed=seed, executor=ex),
    "surrogate + CI 6x2 @9": lambda seed, ex: surrogate_search(f, SPACE, 3, budget=9, repeats=2, n_init=3,
                                                               seed=seed, executor=ex),
    "optuna TPE 12 @9": lambda seed, ex: optuna_search(f, SPACE, 12, budget=9, seed=seed),
    "optuna TPE + hyperband pruner": lambda seed, ex: optuna_search(f, SPACE, 100, budget=27, min_budget=1, seed=seed,
                                                                    total_budget=TOTAL),
}


def run_strategy(name, seed, executor=None) -> dict:
    """One row: the strategy's budget spent, its chosen config, and that config retrained (mean of FINAL_SEEDS)."""
    study = STRATEGIES[name](seed, executor)
    config = study.best.config
    if executor is None:
        finals = [f(config, MAX_BUDGET, s) for s in FINAL_SEEDS]
    else:
        finals = list(executor.map(f, [config] * len(FINAL_SEEDS), [MAX_BUDGET] * len(FINAL_SEEDS), FINAL_SEEDS))
    return {"strategy": name, "seed": seed, "spent": study.budget_spent, "trials": len(study),
            "failed": study.n_failed, "config": config, "search_score": study.best.score,
            "final": float(np.mean(finals))}


def summary(rows) -> list:
    """Per strategy: median, 25% and 75% quantiles of ``final`` over seeds, seeds, budget spent."""
    out = []
    for name in dict.fromkeys(r["strategy"] for r in rows):
        v = np.array([r["final"] for r in rows if r["strategy"] == name])
        spent = [r["spent"] for r in rows if r["strategy"] == name]
        q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
        out.append({"strategy": name, "median": float(med), "q25": float(q1), "q75": float(q3),
                    "seeds": int(v.size), "mean spent": float(np.mean(spent))})
    return out
