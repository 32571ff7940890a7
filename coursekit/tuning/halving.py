"""Successive halving and Hyperband: spend the budget on configurations that look good.

Successive halving (Jamieson & Talwalkar 2016) evaluates n configs at a small budget,
keeps the best 1/eta, multiplies the budget by eta, and repeats up to ``max_budget``.
Hyperband (Li et al. 2017) runs successive halving over several brackets, from
aggressive (many configs, tiny first budget) to plain random search (few configs at
the full budget), because how early one can judge a config is not known in advance.

Brackets are computed in integers: s_max is the largest s with min_budget * eta^s <=
max_budget, found by multiplying, never by ``math.log(max_budget, eta)`` (which gives
``math.log(243, 3) = 4.999...`` and silently drops a bracket).
"""
from __future__ import annotations

import numpy as np

from .._validate import count
from .search import _check_space
from .study import Study
from .trials import check_objective, evaluate, ranking, resumable, trial_seeds

__all__ = ["successive_halving", "hyperband", "hyperband_brackets", "halving_rungs", "rungs_cost"]


def _check_budgets(min_budget, max_budget, eta):
    min_budget, max_budget = count(min_budget, "min_budget"), count(max_budget, "max_budget")
    eta = count(eta, "eta", minimum=2)
    if min_budget > max_budget:
        raise ValueError(f"min_budget must be <= max_budget, got {min_budget} > {max_budget}")
    return min_budget, max_budget, eta


def _s_max(min_budget, max_budget, eta) -> int:
    s = 0
    while min_budget * eta ** (s + 1) <= max_budget:
        s += 1
    return s


def halving_rungs(n_configs, *, min_budget, max_budget, eta=3) -> list:
    """[(n_i, budget_i), ...] of one successive-halving run: n_i = n // eta^i (at least 1),
    budget_i = max_budget // eta^(s - i), s the number of halvings that fit."""
    n_configs = count(n_configs, "n_configs")
    min_budget, max_budget, eta = _check_budgets(min_budget, max_budget, eta)
    s = _s_max(min_budget, max_budget, eta)
    return [(max(n_configs // eta**i, 1), max_budget // eta ** (s - i)) for i in range(s + 1)]


def hyperband_brackets(max_budget, *, min_budget=1, eta=3) -> list:
    """Hyperband's brackets, most aggressive first: one list [(n_configs, budget), ...] per bracket.

    With R = max_budget / min_budget, s_max = floor(log_eta R) and B = (s_max + 1) R,
    bracket s starts n = ceil(B eta^s / (R (s + 1))) configs at budget max_budget / eta^s
    (Li et al. 2017, Algorithm 1; Table 1 for R = 81, eta = 3).
    """
    min_budget, max_budget, eta = _check_budgets(min_budget, max_budget, eta)
    s_max = _s_max(min_budget, max_budget, eta)
    brackets = []
    for s in range(s_max, -1, -1):
        n = -(-(s_max + 1) * eta**s // (s + 1))           # ceil in integers
        brackets.append([(n // eta**i, max_budget // eta ** (s - i)) for i in range(s + 1)])
    return brackets


def rungs_cost(rungs, resume=True) -> int:
    """Epochs one successive-halving run of ``rungs`` [(n_i, r_i), ...] trains: sum_i n_i r_i when every
    rung starts afresh, sum_i n_i (r_i - r_{i-1}) (r_{-1} = 0) when promoted configs resume."""
    cost, before = 0, 0
    for n, r in rungs:
        cost += n * (r - before if resume else r)
        before = r
    return int(cost)


def _halve(objective, configs, seeds, rungs, executor, start, info, name, resume):
    """Run successive halving on given configs; returns the trials of every rung.

    With ``resume`` (and an objective that can resume), a promoted config continues from its
    checkpoint and costs only the epochs it adds; otherwise every rung trains from scratch."""
    resume = resume and resumable(objective) is not None
    trials, alive, saved = [], list(range(len(configs))), {}
    for i, (n_i, budget) in enumerate(rungs):
        alive = alive[:n_i]
        jobs = [(configs[k], budget, seeds[k], {**info, "rung": i, "config": k}) for k in alive]
        rung = evaluate(objective, jobs, executor, start=start + len(trials), desc=f"{name} rung {i}",
                        checkpoints=[saved.get(k) for k in alive] if resume else None)
        saved = {k: t.checkpoint for k, t in zip(alive, rung)}
        for t in rung:
            t.checkpoint = None                            # kept in ``saved`` only while needed
        trials += rung
        alive = [alive[j] for j in ranking(rung)]           # best first: the next rung keeps the top
    return trials


def successive_halving(objective, space, n_configs, *, min_budget, max_budget, eta=3, seed=0,
                       executor=None, resume=True):
    """Successive halving from ``n_configs`` random configs; each config keeps one seed at every rung.

    ``resume``: a promoted config continues from its checkpoint when the objective has a
    ``resume`` (``trials.resumable``), so the study's ``budget_spent`` counts epochs trained."""
    _check_space(space)
    check_objective(objective, executor)
    rungs = halving_rungs(n_configs, min_budget=min_budget, max_budget=max_budget, eta=eta)
    rng = np.random.default_rng(seed)
    configs = space.sample(rungs[0][0], rng)
    trials = _halve(objective, configs, trial_seeds(rng, len(configs)), rungs, executor, 0, {},
                    "successive halving", resume)
    return Study(trials, name="successive halving", info={"rungs": rungs})


def hyperband(objective, space, *, min_budget, max_budget, eta=3, seed=0, executor=None, resume=True):
    """Hyperband: successive halving in every bracket of :func:`hyperband_brackets` (``resume`` as there)."""
    _check_space(space)
    check_objective(objective, executor)
    brackets = hyperband_brackets(max_budget, min_budget=min_budget, eta=eta)
    rng = np.random.default_rng(seed)
    trials = []
    for b, rungs in enumerate(brackets):
        configs = space.sample(rungs[0][0], rng)
        trials += _halve(objective, configs, trial_seeds(rng, len(configs)), rungs, executor,
                         len(trials), {"bracket": b}, f"hyperband bracket {b}", resume)
    return Study(trials, name="hyperband", info={"brackets": brackets})
