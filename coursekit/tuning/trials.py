"""Running trials on any ``concurrent.futures.Executor``, in a fixed order.

All randomness is drawn in the parent: a search samples every config and every
trial seed from its own Generator before it submits, so the trials are the same
whether they run in-process (``executor=None``), on a ``ProcessPoolExecutor`` or on
a Dask cluster (``dask.distributed.Client(...).get_executor()``). Results come
back in submission order whatever order the workers finish in. A trial that raises
or returns a non-finite score is recorded as failed with its message; the search
goes on.

Searches show a tqdm progress bar once they have run ``PROGRESS_DELAY`` seconds (none with
``COURSEKIT_STATIC=1``, which ``make test`` sets).
"""
from __future__ import annotations

import math
import os
import pickle
import time

import numpy as np

from .study import Trial

__all__ = ["run_trial", "resume_trial", "evaluate", "trial_seeds", "check_objective", "resumable"]

PROGRESS_DELAY = 10.0  # seconds before a progress bar appears (short searches show none)


def run_trial(objective, config, budget, seed):
    """(score, seconds, error): one call, timed, never raising."""
    start = time.perf_counter()
    try:
        score = float(objective(dict(config), int(budget), int(seed)))
    except Exception as exc:                      # recorded, never stops the search
        return math.nan, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    if not math.isfinite(score):
        return math.nan, seconds, f"non-finite score {score}"
    return score, seconds, None


def resume_trial(resume, config, budget, seed, checkpoint):
    """(score, seconds, error, checkpoint): ``resume(config, budget, seed, checkpoint)``, timed, never raising."""
    start = time.perf_counter()
    try:
        score, checkpoint = resume(dict(config), int(budget), int(seed), checkpoint)
        score = float(score)
    except Exception as exc:
        return math.nan, time.perf_counter() - start, f"{type(exc).__name__}: {exc}", None
    seconds = time.perf_counter() - start
    if not math.isfinite(score):
        return math.nan, seconds, f"non-finite score {score}", checkpoint
    return score, seconds, None, checkpoint


def resumable(objective):
    """The objective's ``resume(config, budget, seed, checkpoint) -> (score, checkpoint)``, or None.

    An objective that can continue a run from a checkpoint says so with a ``resume``
    attribute (``objectives.mlp_validation_loss.resume``); searches that promote a
    config to a larger budget then train only the difference."""
    resume = getattr(objective, "resume", None)
    return resume if callable(resume) else None


def trial_seeds(rng, n) -> list:
    """n trial seeds drawn from the search's Generator (in the parent)."""
    return [int(s) for s in rng.integers(0, 2**31 - 1, size=n)]


def check_objective(objective, executor):
    """An objective must be callable, and picklable when it runs on an executor."""
    if not callable(objective):
        raise TypeError(f"objective must be a callable objective(config, budget, seed), got {objective!r}")
    if executor is not None and type(executor).__module__.startswith("concurrent.futures.process"):
        try:
            pickle.dumps(objective)
        except Exception:
            raise ValueError("objective must be a module-level function (importable by worker "
                             f"processes) to run on {type(executor).__name__}, got {objective!r}") from None


class _Progress:
    """A tqdm bar (tqdm.auto) that is created only once a search has run PROGRESS_DELAY seconds."""

    def __init__(self, total, desc, enabled):
        self.total, self.desc, self.done, self.bar = total, desc, 0, None
        self.enabled = enabled and os.environ.get("COURSEKIT_STATIC", "").strip().lower() in ("", "0", "false", "no")
        self.start = time.perf_counter()

    def update(self):
        self.done += 1
        if self.bar is None and self.enabled and time.perf_counter() - self.start > PROGRESS_DELAY:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=self.total, initial=self.done, desc=self.desc, leave=False)
        elif self.bar is not None:
            self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def evaluate(objective, jobs, executor=None, start=0, desc="trials", progress=True, checkpoints=None) -> list:
    """Run ``jobs`` = [(config, budget, seed, info), ...]; Trials numbered from ``start``.

    ``checkpoints`` (one per job, None for a fresh start) continues each job from where an
    earlier trial of the same config stopped, through the objective's ``resume``; each Trial
    then records its ``cost`` (the epochs it added) and its new ``checkpoint``."""
    resume = resumable(objective) if checkpoints is not None else None
    if checkpoints is not None and resume is None:
        raise ValueError("checkpoints: the objective has no resume(config, budget, seed, checkpoint)")
    calls = ([(resume_trial, (resume, c, b, s, k)) for (c, b, s, _), k in zip(jobs, checkpoints)] if resume
             else [(run_trial, (objective, c, b, s)) for c, b, s, _ in jobs])
    bar = _Progress(len(jobs), desc, progress)
    if executor is None:
        results = []
        for function, args in calls:
            results.append(function(*args))
            bar.update()
    else:
        futures = [executor.submit(function, *args) for function, args in calls]
        results = []
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:              # the worker itself failed (crash, pickling)
                results.append((math.nan, 0.0, f"{type(exc).__name__}: {exc}") + ((None,) if resume else ()))
            bar.update()
    bar.close()
    trials = []
    for i, ((config, budget, seed, info), result) in enumerate(zip(jobs, results)):
        trial = Trial(start + i, dict(config), int(budget), int(seed), *result[:3], dict(info))
        if resume:
            before = checkpoints[i].epochs if checkpoints[i] is not None else 0
            trial.cost, trial.checkpoint = int(budget) - before, result[3]
        trials.append(trial)
    return trials


def ranking(trials) -> np.ndarray:
    """Indices of ``trials`` from best to worst (failed last, ties by submission order)."""
    scores = np.array([t.score if t.ok else np.inf for t in trials])
    return np.argsort(scores, kind="stable")
