"""Which hyperparameter matters? Two views of the same question (claim C39).

- :func:`one_at_a_time`: move one hyperparameter over its range while the others stay at a
  base config; its effect is the spread (max - min) of the mean score along that line.
- :func:`main_effects`: from a random search, the share of the score's variance explained by
  each hyperparameter alone (the first-order term of a functional ANOVA, estimated with
  equal-count bins of the hyperparameter's unit-cube coordinate: Var(E[score | bin]) / Var(score)).
- :func:`importance`: those shares over several searches (seeds), beside the shares a useless
  hyperparameter gets from the same bins when the scores are shuffled (the noise floor).
"""
from __future__ import annotations

import numpy as np

from .._validate import count
from .space import Choice
from .study import Study
from .trials import check_objective, evaluate

__all__ = ["one_at_a_time", "main_effects", "importance"]


def one_at_a_time(objective, space, base, *, points=5, budget, seeds=(0, 1), executor=None):
    """(study, effects): effects[name] = {"values", "mean" (over seeds), "spread"} for each name of ``space``."""
    check_objective(objective, executor)
    points, budget = count(points, "points"), count(budget, "budget")
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    jobs, lines = [], {}
    for name, dim in space.dimensions.items():
        values = list(dim.options) if isinstance(dim, Choice) else dim.from_unit((np.arange(points) + 0.5) / points)
        lines[name] = values
        jobs += [({**base, name: v}, budget, int(s), {"varied": name, "value": v}) for v in values for s in seeds]
    study = Study(evaluate(objective, jobs, executor, desc="sensitivity"), name="one at a time")
    effects = {}
    for name, values in lines.items():
        mean = [np.mean([t.score if t.ok else np.inf for t in study.trials
                         if t.info["varied"] == name and t.info["value"] == v]) for v in values]
        finite = np.isfinite(mean)
        spread = float(np.max(np.array(mean)[finite]) - np.min(np.array(mean)[finite])) if finite.any() else np.nan
        effects[name] = {"values": values, "mean": mean, "spread": spread, "failed": int((~finite).sum())}
    return study, effects


def main_effects(study, space, bins=4) -> dict:
    """name -> share of Var(score) explained by that hyperparameter alone (successful trials only)."""
    bins = count(bins, "bins", 2)
    ok = study.ok_trials
    if len(ok) < 2 * bins:
        raise ValueError(f"study must hold at least 2 * bins = {2 * bins} successful trials, got {len(ok)}")
    y = np.array([t.score for t in ok])
    U = np.array([space.to_unit(t.config) for t in ok])
    total = y.var()
    shares = {}
    for j, name in enumerate(space.names):
        groups = np.array_split(np.argsort(U[:, j], kind="stable"), bins)
        means = np.array([y[g].mean() for g in groups])
        sizes = np.array([len(g) for g in groups])
        shares[name] = float(np.sum(sizes * (means - y.mean()) ** 2) / len(y) / total) if total > 0 else 0.0
    return shares


def importance(objective, space, n_trials, *, budget, seeds, bins=3, shuffles=200, executor=None) -> dict:
    """Main-effect shares of random searches of ``n_trials`` trials, one per seed, and a baseline.

    Returns {"names", "shares": (len(seeds), len(names)) array, "null": the shares of the same
    bins when each search's scores are shuffled (``shuffles`` per search, every name pooled):
    what a hyperparameter that does not matter gets by chance, "studies": the searches}."""
    from .search import random_search
    shuffles = count(shuffles, "shuffles")
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    rng = np.random.default_rng(0)
    shares, null, studies = [], [], []
    for seed in seeds:
        study = random_search(objective, space, n_trials, budget=budget, seed=int(seed), executor=executor)
        studies.append(study)
        shares.append([main_effects(study, space, bins)[n] for n in space.names])
        ok = study.ok_trials
        for _ in range(shuffles):
            scores = rng.permutation([t.score for t in ok])
            fake = Study([type(t)(t.number, t.config, t.budget, t.seed, float(v)) for t, v in zip(ok, scores)])
            null.extend(main_effects(fake, space, bins).values())
    return {"names": list(space.names), "shares": np.array(shares), "null": np.array(null), "studies": studies}
