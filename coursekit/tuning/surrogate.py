"""Decisions under noise: accept a new config only when the improvement is real.

Validation scores are noisy (another seed, another score). Comparing two means
accepts a "better" config about half the time when both are equally good: a
phantom improvement. :func:`confident_improvement` accepts only when the upper end
of a one-sided confidence interval for mean(new) - mean(best) is below zero
(Welch's t interval: unequal variances, Welch-Satterthwaite degrees of freedom).

:func:`surrogate_search` uses it: a cheap surrogate (kernel ridge regression in the
unit cube of the space) proposes the config it predicts best; the config is scored
``repeats`` times and replaces the incumbent only when the rule says so.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .._validate import count
from .search import _check_space
from .study import Study
from .trials import check_objective, evaluate, trial_seeds

__all__ = ["confident_improvement", "naive_improvement", "surrogate_search", "KernelRidge"]


def _sample(scores, name):
    x = np.asarray(scores, dtype=float).ravel()
    if x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must hold at least two finite scores, got {scores!r}")
    return x


def confident_improvement(scores_new, scores_best, *, level=0.95) -> bool:
    """True when a one-sided ``level`` confidence interval says mean(new) < mean(best).

    upper = (m_new - m_best) + t_{level, nu} sqrt(s_new^2/n_new + s_best^2/n_best) < 0,
    nu the Welch-Satterthwaite degrees of freedom: the decision of Welch's one-sided t-test
    at significance 1 - level (scipy.stats.ttest_ind(..., equal_var=False, alternative="less")).
    """
    new, best = _sample(scores_new, "scores_new"), _sample(scores_best, "scores_best")
    if not 0 < float(level) < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    diff = new.mean() - best.mean()
    a, b = new.var(ddof=1) / new.size, best.var(ddof=1) / best.size
    if a + b == 0:
        return bool(diff < 0)
    nu = (a + b) ** 2 / (a**2 / (new.size - 1) + b**2 / (best.size - 1))
    return bool(diff + stats.t.ppf(level, nu) * math.sqrt(a + b) < 0)


def naive_improvement(scores_new, scores_best) -> bool:
    """The naive rule: accept when the mean is lower, whatever the noise."""
    return bool(np.mean(scores_new) < np.mean(scores_best))


class KernelRidge:
    """Kernel ridge regression with a Gaussian kernel: the surrogate's prediction of the score."""

    def __init__(self, length_scale=0.2, ridge=1e-2):
        self.length_scale, self.ridge = float(length_scale), float(ridge)

    def _kernel(self, A, B):
        d2 = ((A[:, None, :] - B[None, :, :]) ** 2).sum(-1)
        return np.exp(-d2 / (2 * self.length_scale**2))

    def fit(self, U, y):
        self.U, self.mean = np.asarray(U, float), float(np.mean(y))
        K = self._kernel(self.U, self.U)
        self.alpha = np.linalg.solve(K + self.ridge * np.eye(len(K)), np.asarray(y, float) - self.mean)
        return self

    def predict(self, U):
        return self.mean + self._kernel(np.asarray(U, float), self.U) @ self.alpha


def surrogate_search(objective, space, n_iter, *, budget, repeats=3, n_init=4, candidates=256,
                     rule="confident", level=0.95, seed=0, executor=None):
    """Surrogate-guided search with an acceptance ``rule``: "confident" or "naive".

    ``n_init`` random configs, then ``n_iter`` proposals (the candidate of lowest predicted
    score among ``candidates`` random ones); every config is scored ``repeats`` times with
    its own seeds. ``study.info["incumbents"]``: the accepted config after each step;
    ``study.chosen``: the last one (the rule's pick, not the single luckiest trial).
    """
    _check_space(space)
    check_objective(objective, executor)
    n_iter, budget, n_init = count(n_iter, "n_iter", 0), count(budget, "budget"), count(n_init, "n_init")
    repeats, candidates = count(repeats, "repeats", 2), count(candidates, "candidates")
    if rule not in ("confident", "naive"):
        raise ValueError(f"rule must be 'confident' or 'naive', got {rule!r}")
    rng = np.random.default_rng(seed)
    trials, units, means = [], [], []

    def score(configs, step):
        jobs = [(c, budget, s, {"step": step, "config": len(units) + j})
                for j, c in enumerate(configs) for s in trial_seeds(rng, repeats)]
        new = evaluate(objective, jobs, executor, start=len(trials), desc="surrogate search")
        trials.extend(new)
        groups = [np.array([t.score if t.ok else np.inf for t in new[j * repeats:(j + 1) * repeats]])
                  for j in range(len(configs))]
        units.extend(space.to_unit(c) for c in configs)
        means.extend(float(np.mean(g)) for g in groups)
        return groups

    init = space.sample(n_init, rng)
    groups = score(init, 0)
    best = int(np.argmin(means))
    incumbent, incumbent_scores, incumbents = init[best], groups[best], [init[best]]
    for step in range(1, n_iter + 1):
        ok = np.isfinite(means)
        U = space.unit_sample(candidates, rng)
        predicted = (KernelRidge().fit(np.array(units)[ok], np.array(means)[ok]).predict(U) if ok.any()
                     else np.zeros(candidates))
        (proposal,) = space.from_unit(U[np.argmin(predicted)])
        (new_scores,) = score([proposal], step)
        if not np.all(np.isfinite(incumbent_scores)):
            accept = bool(np.all(np.isfinite(new_scores)))
        elif np.all(np.isfinite(new_scores)):
            accept = (confident_improvement(new_scores, incumbent_scores, level=level) if rule == "confident"
                      else naive_improvement(new_scores, incumbent_scores))
        else:
            accept = False
        if accept:
            incumbent, incumbent_scores = proposal, new_scores
        incumbents.append(incumbent)
    return Study(trials, name=f"surrogate ({rule})", info={"incumbents": incumbents, "chosen": incumbent})
