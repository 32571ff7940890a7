"""Evolutionary search with tournament selection.

A population of configs is scored; the next generation keeps the best one (elitism)
and fills the rest with children: each child takes two parents, each the winner of
a tournament (the lowest score among ``tournament`` distinct random individuals),
mixes their hyperparameters (uniform crossover) and mutates them (Gaussian noise of
standard deviation ``mutation`` in the unit cube of the space, then clipped).
Tournaments need only the ranking of scores, never their scale.
"""
from __future__ import annotations

import numpy as np

from .._validate import count
from .search import _check_space
from .study import Study
from .trials import check_objective, evaluate, trial_seeds

__all__ = ["evolutionary_search", "tournament_select", "mutate"]


def tournament_select(scores, k, rng) -> int:
    """Index of the lowest score among k distinct individuals drawn uniformly (NaN counts as worst)."""
    scores = np.asarray(scores, dtype=float)
    k = count(k, "k")
    if scores.ndim != 1 or scores.size < k:
        raise ValueError(f"scores must be a 1-D array of at least k = {k} scores, got shape {scores.shape}")
    picks = rng.choice(scores.size, size=k, replace=False)
    contenders = np.where(np.isnan(scores[picks]), np.inf, scores[picks])
    return int(picks[np.argmin(contenders)])


def mutate(u, mutation, rng) -> np.ndarray:
    """A point of the unit cube moved by N(0, mutation^2) noise per coordinate, kept in [0, 1)."""
    return np.clip(u + mutation * rng.standard_normal(np.shape(u)), 0.0, np.nextafter(1.0, 0.0))


def evolutionary_search(objective, space, *, population, generations, tournament=3, budget, seed=0,
                        executor=None, mutation=0.1):
    """Evolve ``population`` configs for ``generations`` generations, each trial at ``budget``.

    Trials carry ``info["generation"]``; ``study.info["best"]`` and ``["median"]`` list the
    best and median score of each generation.
    """
    _check_space(space)
    check_objective(objective, executor)
    population = count(population, "population", minimum=2)
    generations = count(generations, "generations")
    tournament = count(tournament, "tournament")
    budget = count(budget, "budget")
    if tournament > population:
        raise ValueError(f"tournament must be <= population ({population}), got {tournament}")
    rng = np.random.default_rng(seed)
    U = space.unit_sample(population, rng)
    trials, best, median = [], [], []
    elite = elite_u = None
    for g in range(generations):
        configs = space.from_unit(U)
        jobs = [(c, budget, s, {"generation": g}) for c, s in zip(configs, trial_seeds(rng, len(configs)))]
        new = evaluate(objective, jobs, executor, start=len(trials), desc=f"generation {g}")
        trials += new
        members = new + ([elite] if elite is not None else [])          # the elite competes again
        units = list(U) + ([elite_u] if elite is not None else [])
        scores = np.array([t.score if t.ok else np.nan for t in members])
        order = np.argsort(np.where(np.isnan(scores), np.inf, scores), kind="stable")
        elite, elite_u = members[order[0]], units[order[0]]
        best.append(float(np.nanmin(scores)) if np.isfinite(scores).any() else np.nan)
        median.append(float(np.nanmedian(scores[: len(new)])) if np.isfinite(scores).any() else np.nan)
        children = []
        for _ in range(population - 1):
            a, b = tournament_select(scores, tournament, rng), tournament_select(scores, tournament, rng)
            mix = rng.random(len(space)) < 0.5
            children.append(mutate(np.where(mix, units[a], units[b]), mutation, rng))
        U = np.array(children)
    return Study(trials, name="evolution", info={"best": best, "median": median})
