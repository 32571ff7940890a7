"""The chapter's repeated experiments, shared by the notebook and the claim tests.

Each returns plain numbers over many seeds, so that a claim rests on a distribution,
not on one lucky run.
"""
from __future__ import annotations

import numpy as np

from ..functions import MultiModal
from ..tuning.objectives import FewImportant
from ..tuning.search import grid_search, random_search
from ..tuning.space import Space, Uniform
from ..tuning.surrogate import confident_improvement, naive_improvement
from ..tuning.tempering import replica_exchange, simulated_annealing

__all__ = ["grid_vs_random", "phantom_improvements", "tempering_success", "FEW_SPACE", "TEMPERATURES"]

FEW_SPACE = Space(a=Uniform(0.0, 1.0), b=Uniform(0.0, 1.0), c=Uniform(0.0, 1.0))


def grid_vs_random(reps=200, points_per_axis=3, seed=0, weights=(1.0, 0.01, 0.01)):
    """Best score of a 3x3x3 grid and of 27 random trials on ``reps`` landscapes whose optimum is
    drawn uniformly in the cube; only ``a`` matters much (weights). Returns (grid_best, random_best)."""
    rng = np.random.default_rng(seed)
    n = points_per_axis ** len(FEW_SPACE)
    grid, rand = [], []
    for r in range(reps):
        f = FewImportant(dict(zip(FEW_SPACE.names, rng.random(3))), dict(zip(FEW_SPACE.names, weights)))
        grid.append(grid_search(f, FEW_SPACE, points_per_axis, budget=1, seed=r).best.score)
        rand.append(random_search(f, FEW_SPACE, n, budget=1, seed=r).best.score)
    return np.array(grid), np.array(rand)


def phantom_improvements(trials=2000, repeats=5, noise=0.1, level=0.95, seed=0):
    """Two equally good configs scored ``repeats`` times each with N(0, noise^2) noise, ``trials``
    times: the fraction of "improvements" each rule accepts (all of them phantoms)."""
    rng = np.random.default_rng(seed)
    scores = 0.5 + noise * rng.standard_normal((trials, 2, repeats))
    naive = np.mean([naive_improvement(a, b) for a, b in scores])
    confident = np.mean([confident_improvement(a, b, level=level) for a, b in scores])
    return float(naive), float(confident)


TEMPERATURES = np.geomspace(0.3, 10.0, 6)


def tempering_success(seeds=range(100), steps=300, step_size=0.4, dim=2):
    """Fraction of seeds whose best energy lies in Rastrigin's global basin (< 0.5; the next minima
    are at ~0.995), starting at (3, ..., 3), each method spending 6 x ``steps`` energy evaluations:
    replica exchange over TEMPERATURES, 6 chains at the coldest temperature, 6 annealed chains
    cooling from the hottest to the coldest. Proposal steps step_size sqrt(T / 0.3) in all three."""
    energy, x0 = MultiModal(dim=dim).value, np.full(dim, 3.0)
    T = TEMPERATURES
    hits = {"replica exchange": 0, "single temperature": 0, "annealing": 0}
    for s in seeds:
        runs = {
            "replica exchange": replica_exchange(energy, x0, temperatures=T, steps=steps,
                                                 step_size=step_size * np.sqrt(T / T[0]), seed=s),
            "single temperature": replica_exchange(energy, x0, temperatures=np.full(6, T[0]), steps=steps,
                                                   step_size=step_size, seed=s, exchange=False),
            "annealing": simulated_annealing(energy, x0, t_start=T[-1], t_end=T[0], steps=steps,
                                             step_size=step_size, chains=6, seed=s, scale_steps=True),
        }
        for name, run in runs.items():
            hits[name] += run.best_energy < 0.5
    return {name: h / len(seeds) for name, h in hits.items()}
