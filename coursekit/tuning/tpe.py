"""The idea of TPE (Bergstra et al. 2011), in one dimension, for a picture.

Split the trials seen so far at the gamma-quantile of their scores: the good ones (lowest
gamma fraction) and the rest. Fit a density to each, l(x) to the good and g(x) to the rest
(Gaussian kernel density estimates here, in the unit coordinate of the space). TPE proposes
the x that maximizes l(x) / g(x): expected improvement over the gamma-quantile is
EI(x) proportional to (gamma + (1 - gamma) g(x) / l(x))^-1, increasing in l / g.
Optuna's ``TPESampler`` adds per-parameter bandwidth rules, priors and a multivariate option;
``optuna_search`` uses it, this module only draws what it does.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["tpe_densities"]


def tpe_densities(u, scores, gamma=0.25, grid=None) -> dict:
    """For unit coordinates ``u`` of trials with ``scores`` (lower is better): the densities l and g on
    ``grid`` (default 201 points of [0, 1]), their ratio, the threshold score and the proposal argmax l/g."""
    u, scores = np.asarray(u, float).ravel(), np.asarray(scores, float).ravel()
    if u.shape != scores.shape or u.size < 4:
        raise ValueError(f"u and scores must be 1-D of one length >= 4, got {u.shape} and {scores.shape}")
    if not 0 < gamma < 1:
        raise ValueError(f"gamma must be in (0, 1), got {gamma!r}")
    ok = np.isfinite(scores)
    u, scores = u[ok], scores[ok]
    n_good = max(2, int(np.ceil(gamma * u.size)))
    order = np.argsort(scores, kind="stable")
    good, bad = u[order[:n_good]], u[order[n_good:]]
    grid = np.linspace(0.0, 1.0, 201) if grid is None else np.asarray(grid, float)
    l, g = stats.gaussian_kde(good)(grid), stats.gaussian_kde(bad)(grid)
    ratio = l / np.maximum(g, 1e-300)
    return {"grid": grid, "l": l, "g": g, "ratio": ratio, "threshold": float(scores[order[n_good - 1]]),
            "good": good, "bad": bad, "proposal": float(grid[np.argmax(ratio)])}
