"""Asynchronous successive halving (ASHA, Li et al. 2020), run in simulated time.

Synchronous successive halving waits at every rung until all its configs are scored, so
workers sit idle while the last jobs of a rung finish. ASHA never waits: whenever a worker
is free it promotes a config if one qualifies, else it starts a new config at the lowest rung.
A config scored at rung k qualifies for rung k + 1 when it is among the best
floor(m_k / eta) of the m_k configs completed at rung k so far, and has not been promoted yet
(the highest rung is checked first).

Both run here on ``workers`` simulated workers where a job takes as long as the epochs it
trains (promoted configs resume from their checkpoints), so the timelines compare the
schedules, not the machine: :func:`asha` and :func:`halving_timeline` give (worker, start,
end, rung) rows for ``plots.tuning.timeline``.
"""
from __future__ import annotations

import heapq

import numpy as np

from .._validate import count
from .halving import _check_budgets, _s_max
from .search import _check_space
from .study import Study
from .trials import check_objective, evaluate, resumable, trial_seeds

__all__ = ["asha", "halving_timeline"]


def _promotable(done, promoted, eta):
    """The best config at rung k that ASHA may promote (top floor(m / eta), not yet promoted), or None."""
    ranked = sorted(done, key=lambda kv: kv[1])[: len(done) // eta]
    return next((k for k, _ in ranked if k not in promoted), None)


def asha(objective, space, n_configs, *, min_budget, max_budget, eta=3, workers=4, seed=0):
    """ASHA over at most ``n_configs`` new configs on ``workers`` simulated workers.

    Trials carry ``info`` rung, config, worker, start and end (simulated time = epochs); the study's
    ``info["timeline"]`` lists (worker, start, end, rung) of every job."""
    _check_space(space)
    check_objective(objective, None)
    n_configs, workers = count(n_configs, "n_configs"), count(workers, "workers")
    min_budget, max_budget, eta = _check_budgets(min_budget, max_budget, eta)
    s = _s_max(min_budget, max_budget, eta)
    budgets = [max_budget // eta ** (s - i) for i in range(s + 1)]
    rng = np.random.default_rng(seed)
    configs, seeds = space.sample(n_configs, rng), trial_seeds(rng, n_configs)
    can_resume = resumable(objective) is not None
    done = [[] for _ in budgets]                 # per rung: (config index, score)
    promoted = [set() for _ in budgets]
    saved, trials, timeline, started, pending = {}, [], [], 0, []   # pending: results not yet finished
    free = [(0.0, w) for w in range(workers)]    # (time the worker is free, worker)
    heapq.heapify(free)

    while True:
        now, w = heapq.heappop(free)
        while pending and pending[0][0] <= now:                    # results known by now, and only those
            _, k, c, score = heapq.heappop(pending)
            done[k].append((c, score))
        job = None
        for k in range(len(budgets) - 2, -1, -1):
            c = _promotable(done[k], promoted[k], eta)
            if c is not None:
                promoted[k].add(c)
                job = (c, k + 1)
                break
        if job is None and started < n_configs:
            job, started = (started, 0), started + 1
        if job is None:
            if pending:                           # wait for the next result, then decide again
                heapq.heappush(free, (pending[0][0], w))
                continue
            if not free:
                break
            continue                              # this worker retires; the others finish
        c, k = job
        (trial,) = evaluate(objective, [(configs[c], budgets[k], seeds[c],
                                         {"rung": k, "config": c, "worker": w})], start=len(trials),
                            checkpoints=[saved.get(c)] if can_resume else None, progress=False)
        saved[c], trial.checkpoint = trial.checkpoint, None
        end = now + trial.spent
        trial.info.update(start=now, end=end)
        trials.append(trial)
        timeline.append((w, now, end, k))
        heapq.heappush(pending, (end, k, c, trial.score if trial.ok else np.inf))
        heapq.heappush(free, (end, w))
    return Study(trials, name="ASHA", info={"timeline": timeline, "budgets": budgets})


def halving_timeline(study, workers=4) -> list:
    """(worker, start, end, rung) of a synchronous successive-halving study on ``workers`` workers:
    each rung's jobs go to the first free worker, and a rung starts when the previous one has ended."""
    workers = count(workers, "workers")
    rows, clock = [], 0.0
    for k in sorted({t.info["rung"] for t in study.trials}):
        free = [(clock, w) for w in range(workers)]
        heapq.heapify(free)
        ends = []
        for t in (t for t in study.trials if t.info["rung"] == k):
            start, w = heapq.heappop(free)
            rows.append((w, start, start + t.spent, k))
            ends.append(start + t.spent)
            heapq.heappush(free, (start + t.spent, w))
        clock = max(ends)
    return rows
