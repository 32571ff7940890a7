"""Chapter 4, hyperparameter tuning: the exercises.

The 8 functions below are what the exercises of course/04_hyperparameter_tuning.ipynb
ask for (one or two each).
Scores are losses: lower is better. Check your work in the notebook, or grade it in one command::

    python -m coursekit.grade exercises/ --chapter 4

Rules for every exercise (the grader applies them, and so do the notebook's figures):
- types: where a Python int, float or bool is asked, NumPy's (np.int64, np.float64,
  np.bool_) are accepted too; arrays are float64 unless the exercise says otherwise
  (another dtype, e.g. float32, fails with a hint saying so);
- inputs: never change an argument in place (arrays, lists of arrays); a changed input
  earns a note, and the notebook hands your function copies;
- time: each call must answer within 10 s (a loop that never ends is stopped there).
"""
import itertools
import math

import numpy as np
from scipy import stats


def grid_configs(axes):
    """Every combination of the values in ``axes``, a dict name -> list of values.

    Return a list of dicts in the order of ``itertools.product`` over the names in the
    order of ``axes`` (the last name varies fastest). Example:
    ``grid_configs({"lr": [0.1, 1.0], "momentum": [0.0, 0.9]})`` gives 4 configs,
    ``{"lr": 0.1, "momentum": 0.0}`` first and ``{"lr": 1.0, "momentum": 0.9}`` last.
    """
    # BEGIN SOLUTION
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(axes[n] for n in names))]
    # END SOLUTION


def search_loop(objective, configs, budget, seeds):
    """The outer loop of a search: score every config, survive failures, return the best.

    Call ``objective(configs[i], budget, seeds[i])`` for every i, in order. A call that
    raises an exception, or returns a score that is not finite (NaN or inf), counts as a
    failed trial: record its score as ``float("nan")`` and go on with the next config.
    Return ``(best, scores)``: ``scores`` the list of the scores (floats, NaN for failures),
    ``best`` the index of the lowest finite score (the first one on a tie), or None when
    every trial failed.
    """
    # BEGIN SOLUTION
    scores = []
    for config, seed in zip(configs, seeds):
        try:
            score = float(objective(config, budget, seed))
        except Exception:
            score = math.nan
        scores.append(score if math.isfinite(score) else math.nan)
    finite = [i for i, s in enumerate(scores) if not math.isnan(s)]
    best = min(finite, key=lambda i: scores[i]) if finite else None
    return best, scores
    # END SOLUTION


def log_uniform(low, high, n, seed):
    """n samples whose logarithm is uniform between log(low) and log(high) (0 < low < high).

    Draw them with ``rng = np.random.default_rng(seed)`` and ONE call
    ``rng.uniform(..., size=n)`` on the logarithmic scale, then map back with ``np.exp``.
    Returns a float array of shape (n,). (A learning rate as likely in [1e-4, 1e-3] as in [0.1, 1].)
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    return np.exp(rng.uniform(np.log(low), np.log(high), size=n))
    # END SOLUTION


def suggest_lr(lrs, smoothed):
    """The learning-rate range test's suggestion.

    lrs: the learning rates of the test (increasing); smoothed: the smoothed loss at each
    (it may end with NaN or inf where the run blew up). Return the learning rate at the
    minimum of the smoothed loss, divided by 10 (a float), ignoring non-finite values.
    """
    # BEGIN SOLUTION
    lrs, smoothed = np.asarray(lrs, float), np.asarray(smoothed, float)
    return float(lrs[np.nanargmin(np.where(np.isfinite(smoothed), smoothed, np.nan))] / 10)
    # END SOLUTION


def halving_survivors(scores, eta):
    """The configurations successive halving keeps after one rung.

    scores: the rung's scores (losses; NaN for a failed trial, which ranks last).
    Keep the best ``max(1, len(scores) // eta)``; return their indices as a list of ints,
    best first (ties: the lower index first).
    """
    # BEGIN SOLUTION
    scores = np.asarray(scores, dtype=float)
    order = np.argsort(np.where(np.isnan(scores), np.inf, scores), kind="stable")
    return [int(i) for i in order[: max(1, len(scores) // eta)]]
    # END SOLUTION


def tournament_select(scores, k, seed):
    """Tournament selection: the index (into scores) of the best of k distinct random individuals.

    Draw the contenders with
    ``np.random.default_rng(seed).choice(len(scores), size=k, replace=False)``
    and return, as an int, the index of the one with the lowest score.
    """
    # BEGIN SOLUTION
    scores = np.asarray(scores, dtype=float)
    picks = np.random.default_rng(seed).choice(len(scores), size=k, replace=False)
    return int(picks[np.argmin(scores[picks])])
    # END SOLUTION


def confident_improvement(scores_new, scores_best, level=0.95):
    """Accept a new configuration only when a confidence interval says it is really better.

    With means m, sample variances s^2 (ddof=1) and sizes n of the two score lists, the
    difference m_new - m_best has standard error se = sqrt(s_new^2/n_new + s_best^2/n_best)
    and Welch-Satterthwaite degrees of freedom
    nu = se^4 / ((s_new^2/n_new)^2/(n_new - 1) + (s_best^2/n_best)^2/(n_best - 1)).
    Return True when the upper end of the one-sided ``level`` interval is below zero:
    ``m_new - m_best + t * se < 0`` with ``t = scipy.stats.t.ppf(level, nu)``; else False.
    """
    # BEGIN SOLUTION
    new, best = np.asarray(scores_new, float), np.asarray(scores_best, float)
    a, b = new.var(ddof=1) / new.size, best.var(ddof=1) / best.size
    nu = (a + b) ** 2 / (a**2 / (new.size - 1) + b**2 / (best.size - 1))
    return bool(new.mean() - best.mean() + stats.t.ppf(level, nu) * math.sqrt(a + b) < 0)
    # END SOLUTION


def swap_probability(beta_i, beta_j, E_i, E_j):
    """Replica exchange: the probability that replicas i and j swap their states.

    Replica i runs at inverse temperature beta_i and holds a state of energy E_i (j likewise).
    Return ``min(1, exp((beta_i - beta_j) * (E_i - E_j)))``; the arguments may be arrays
    (broadcast together; return an array then).
    """
    # BEGIN SOLUTION
    exponent = (np.asarray(beta_i, float) - beta_j) * (np.asarray(E_i, float) - E_j)
    return np.exp(np.minimum(exponent, 0.0))
    # END SOLUTION
