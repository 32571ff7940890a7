"""Hyperparameter tuning: the outer loop around training (chapter 4).

Scores are losses (lower is better). An objective is a module-level function
``objective(config, budget, seed) -> float`` so process pools and Dask workers can
import it. Every search takes ``seed`` and ``executor`` (None: in-process; any
``concurrent.futures.Executor``: a ``ProcessPoolExecutor``, a Dask cluster's
``Client(...).get_executor()``), draws all its randomness in the parent (the same
seed gives the same trials whatever the executor) and returns a :class:`Study`.

Modules, one idea each: ``space`` (search spaces and samplers), ``study`` (trials,
best, table), ``trials`` (running on executors), ``search`` (grid, random,
quasi-random), ``halving`` (successive halving, Hyperband), ``asha`` (the asynchronous variant,
in simulated time), ``tpe`` (the idea of Optuna's sampler, for a picture), ``evolution``
(tournament selection), ``surrogate`` (confidence-based acceptance), ``tempering``
(replica exchange), ``lr_range`` (the range test), ``debugging`` (the checklist),
``objectives`` (the chapter's objectives), ``batched`` (the GPU sweep), ``reference``
(Optuna). Their pictures are :mod:`coursekit.plots.tuning` (loaded by ``Study.plot``).
"""
from .asha import asha, halving_timeline
from .batched import batched_sweep
from .debugging import BROKEN_RUNS, CHECKLIST, HELD_OUT_RUNS, diagnose
from .evolution import evolutionary_search, mutate, tournament_select
from .halving import halving_rungs, hyperband, hyperband_brackets, rungs_cost, successive_halving
from .lr_range import LRRange, lr_range_test, suggest_lr
from .reference import optuna_search
from .search import grid_search, random_search
from .space import Choice, Integer, LogUniform, Space, Uniform
from .study import Study, Table, Trial
from .surrogate import confident_improvement, naive_improvement, surrogate_search
from .tempering import Tempering, replica_exchange, simulated_annealing, swap_probability
from .tpe import tpe_densities

__all__ = ["Space", "Uniform", "LogUniform", "Integer", "Choice", "Study", "Trial", "Table",
           "grid_search", "random_search", "successive_halving", "hyperband", "hyperband_brackets",
           "halving_rungs", "rungs_cost", "asha", "halving_timeline", "tpe_densities", "evolutionary_search", "tournament_select", "mutate", "replica_exchange",
           "simulated_annealing", "swap_probability", "Tempering", "confident_improvement",
           "naive_improvement", "surrogate_search", "lr_range_test", "suggest_lr", "LRRange",
           "diagnose", "BROKEN_RUNS", "HELD_OUT_RUNS", "CHECKLIST", "batched_sweep", "optuna_search"]
