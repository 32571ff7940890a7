"""Non-adaptive searches: every trial is chosen before any score is seen.

Grid search evaluates every combination of a few values per hyperparameter; random
search draws ``n_trials`` configs (uniformly, or quasi-randomly from a Sobol / Halton
sequence). With k trials and only one hyperparameter that matters, a grid tries
k^(1/d) distinct values of it, random search k (Bergstra & Bengio 2012).
"""
from __future__ import annotations

import numpy as np

from .._validate import count
from .space import SAMPLERS, Space
from .study import Study
from .trials import check_objective, evaluate, trial_seeds

__all__ = ["grid_search", "random_search"]


def _check_space(space):
    if not isinstance(space, Space):
        raise TypeError(f"space must be a tuning.Space, got {type(space).__name__}")
    return space


def grid_search(objective, space, points_per_axis, *, budget, seed=0, executor=None):
    """Evaluate every config of ``space.grid(points_per_axis)`` at ``budget``; one seed per trial."""
    _check_space(space)
    check_objective(objective, executor)
    budget = count(budget, "budget")
    configs = space.grid(points_per_axis)
    seeds = trial_seeds(np.random.default_rng(seed), len(configs))
    jobs = [(c, budget, s, {}) for c, s in zip(configs, seeds)]
    return Study(evaluate(objective, jobs, executor, desc="grid search"), name="grid")


def random_search(objective, space, n_trials, *, budget, seed=0, executor=None, sampler="random"):
    """Evaluate ``n_trials`` configs drawn by ``sampler`` ("random", "sobol", "halton") at ``budget``."""
    _check_space(space)
    check_objective(objective, executor)
    n_trials, budget = count(n_trials, "n_trials"), count(budget, "budget")
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    rng = np.random.default_rng(seed)
    configs = space.sample(n_trials, rng, sampler)
    jobs = [(c, budget, s, {}) for c, s in zip(configs, trial_seeds(rng, n_trials))]
    return Study(evaluate(objective, jobs, executor, desc=f"{sampler} search"),
                 name="random" if sampler == "random" else sampler)
