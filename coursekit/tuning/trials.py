"""Running trials on any ``concurrent.futures.Executor``, in a fixed order.

All randomness is drawn in the parent: a search samples every config and every
trial seed from its own Generator before it submits, so the trials are the same
whether they run in-process (``executor=None``), on a ``ProcessPoolExecutor`` or on
a Dask cluster (``dask.distributed.Client(...).get_executor()``). Results come
back in submission order whatever order the workers finish in. A trial that raises
or returns a non-finite score is recorded as failed with its message; the search
goes on.
"""
from __future__ import annotations

import math
import pickle
import time

import numpy as np

from .study import Trial

__all__ = ["run_trial", "evaluate", "trial_seeds", "check_objective"]

PROGRESS_DELAY = 2.0   # seconds before a progress bar appears (short searches show none)


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


def evaluate(objective, jobs, executor=None, start=0, desc="trials", progress=True) -> list:
    """Run ``jobs`` = [(config, budget, seed, info), ...]; Trials numbered from ``start``."""
    bar = None
    if progress and jobs:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(jobs), desc=desc, leave=False, delay=PROGRESS_DELAY)
    if executor is None:
        results = []
        for config, budget, seed, _ in jobs:
            results.append(run_trial(objective, config, budget, seed))
            if bar is not None:
                bar.update(1)
    else:
        futures = [executor.submit(run_trial, objective, config, budget, seed)
                   for config, budget, seed, _ in jobs]
        results = []
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:              # the worker itself failed (crash, pickling)
                results.append((math.nan, 0.0, f"{type(exc).__name__}: {exc}"))
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return [Trial(start + i, dict(config), int(budget), int(seed), score, seconds, error, dict(info))
            for i, ((config, budget, seed, info), (score, seconds, error)) in enumerate(zip(jobs, results))]


def ranking(trials) -> np.ndarray:
    """Indices of ``trials`` from best to worst (failed last, ties by submission order)."""
    scores = np.array([t.score if t.ok else np.inf for t in trials])
    return np.argsort(scores, kind="stable")
