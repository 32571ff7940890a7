"""Gradient descent on a function of one variable: the curve and the iterates on it."""
from __future__ import annotations

import numpy as np

from ._common import _colors, _new_axes


def paths_1d(f, paths, span, ax=None, resolution=400, xlabel=None, ylabel=None):
    """Draw ``f`` (a function of a float) over ``span = (lo, hi)`` and, for each ``{label: xs}``
    in ``paths``, the iterates ``xs`` as points on the curve joined in order. Iterates outside
    the span are left out (a diverging run shows its first steps). Returns the Axes."""
    ax = _new_axes(ax, figsize=(5, 3.6))
    lo, hi = map(float, span)
    if not lo < hi:
        raise ValueError(f"span must be (lo, hi) with lo < hi, got {span!r}")
    grid = np.linspace(lo, hi, resolution)
    ax.plot(grid, [f(t) for t in grid], color="0.3", lw=1.2, label="$f$")
    for (label, xs), color in zip(paths.items(), _colors()):
        xs = np.asarray(xs, dtype=float).reshape(-1)
        inside = (xs >= lo) & (xs <= hi)
        if not inside.all():
            xs = xs[: int(np.argmin(inside))]                     # up to the first iterate outside
        ax.plot(xs, [f(t) for t in xs], "o-", color=color, ms=4, lw=0.8, alpha=0.9, label=label, gid="trajectory")
    ax.set(xlabel="$x$" if xlabel is None else xlabel, ylabel="$f(x)$" if ylabel is None else ylabel,
           xlim=(lo, hi))
    ax.legend(fontsize="small")
    return ax
