"""Optuna as the industry reference: the same objective, space and budget, Optuna's TPE sampler.

:func:`optuna_search` maps a :class:`~coursekit.tuning.Space` to Optuna's ``suggest_*``
calls and returns a :class:`Study` like every other search, so the chapter's tables
compare like with like. With ``min_budget`` set, every trial is scored at the rungs of
successive halving and Optuna's ``HyperbandPruner`` stops the unpromising ones (each rung
is a fresh call ``objective(config, budget, seed)``, as in our successive halving).
Optuna is imported on use (``pip install optuna``; in the ``dev`` extra).
"""
from __future__ import annotations

import numpy as np

from .._validate import count
from .search import _check_space
from .space import Choice, Integer, LogUniform, Uniform
from .study import Study, Trial
from .trials import resumable, resume_trial, run_trial

__all__ = ["optuna_search", "suggest"]


def suggest(trial, space) -> dict:
    """A config of ``space`` drawn by an ``optuna.Trial``."""
    config = {}
    for name, dim in space.dimensions.items():
        if isinstance(dim, Choice):
            config[name] = trial.suggest_categorical(name, dim.options)
        elif isinstance(dim, Integer):
            config[name] = trial.suggest_int(name, dim.low, dim.high)
        elif isinstance(dim, LogUniform):
            config[name] = trial.suggest_float(name, dim.low, dim.high, log=True)
        elif isinstance(dim, Uniform):
            config[name] = trial.suggest_float(name, dim.low, dim.high)
        else:
            raise TypeError(f"{name}: no Optuna equivalent for {dim!r}")
    return config


def optuna_search(objective, space, n_trials, *, budget, seed=0, min_budget=None, eta=3, n_startup_trials=10,
                  total_budget=None, executor=None, resume=True):
    """Optuna's TPE sampler (seeded; its first ``n_startup_trials`` trials are random, Optuna's
    default 10) for ``n_trials`` trials at ``budget``; with ``min_budget``, pruned by Optuna's
    HyperbandPruner (rungs min_budget, min_budget eta, ... <= budget).

    With the pruner and an objective that can ``resume`` (``trials.resumable``), each trial is
    one training run continued epoch by epoch, its score reported after every epoch, so a
    trial costs the epochs it trained before it was pruned (``info["pruned"]``); otherwise
    every rung is a fresh call ``objective(config, rung, seed)``.
    ``total_budget``: stop once the epochs spent reach it (the trial under way stops there too).
    Trials run in this process, one after the other (TPE proposes each from all before it):
    ``executor`` must be None; spread Optuna over workers with its own storage instead."""
    if executor is not None:
        raise ValueError("executor: optuna_search runs its trials in this process, one after the other "
                         "(each TPE proposal depends on all earlier trials); pass executor=None")
    import optuna

    _check_space(space)
    n_trials, budget = count(n_trials, "n_trials"), count(budget, "budget")
    n_startup_trials = count(n_startup_trials, "n_startup_trials", 0)
    rungs = [budget]
    if min_budget is not None:
        from .halving import halving_rungs
        rungs = [b for _, b in halving_rungs(1, min_budget=min_budget, max_budget=budget, eta=eta)]
    resume = resumable(objective) if (resume and min_budget is not None) else None
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=n_trials)
    trials = []

    def left():
        return np.inf if total_budget is None else total_budget - sum(t.spent for t in trials)

    def continued(ot, config, trial_seed):
        """One run, continued an epoch at a time; Optuna sees every epoch's score."""
        checkpoint, epochs = None, 0
        for b in range(rungs[0], budget + 1):
            score, seconds, error, checkpoint = resume_trial(resume, config, b, trial_seed, checkpoint)
            epochs = b
            stop = "error" if error else ("budget" if left() - b <= 0 and b < budget else None)
            if not stop and b < budget:
                ot.report(score, b)
                stop = "pruned" if ot.should_prune() else None
            if stop or b == budget:
                trials.append(Trial(len(trials), config, epochs, trial_seed, score, seconds, error,
                                    {"optuna_trial": ot.number, "pruned": stop in ("pruned", "budget"),
                                     "stopped": stop}, cost=epochs))
                if stop == "error":
                    return float("inf")
                if stop:
                    raise optuna.TrialPruned()
                return score

    def optuna_objective(ot):
        config = suggest(ot, space)
        trial_seed = int(seeds[ot.number])
        if resume:
            return continued(ot, config, trial_seed)
        for b in rungs:
            score, seconds, error = run_trial(objective, config, b, trial_seed)
            trials.append(Trial(len(trials), config, b, trial_seed, score, seconds, error,
                                {"optuna_trial": ot.number}))
            if error is not None:
                return float("inf")         # Optuna records it; our Study keeps it as failed
            if b != rungs[-1]:
                ot.report(score, b)
                if ot.should_prune():
                    raise optuna.TrialPruned()
        return score

    pruner = (optuna.pruners.HyperbandPruner(min_resource=rungs[0], max_resource=budget, reduction_factor=eta)
              if min_budget is not None else optuna.pruners.NopPruner())
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials)
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        # a fixed name: Optuna's Hyperband pruner assigns trials to brackets by hashing the
        # study's name, and a random one would make the same seed give other trials
        study = optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner,
                                    study_name=f"coursekit-optuna-seed-{seed}")
        def stop(study, _):
            if left() <= 0:
                study.stop()
        study.optimize(optuna_objective, n_trials=n_trials, callbacks=[stop])
    finally:
        optuna.logging.set_verbosity(verbosity)
    pruned = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.PRUNED)
    return Study(trials, name="optuna TPE" + (" + hyperband pruner" if min_budget is not None else ""),
                 info={"pruned": pruned, "optuna_trials": len(study.trials), "n_startup_trials": n_startup_trials})
