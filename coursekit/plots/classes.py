"""Two-class data in the plane with linear decision boundaries (chapter 1, section 7)."""
from __future__ import annotations

import numpy as np

from ._common import _new_axes


def linear_boundaries(X, y, boundaries, ax=None, span=(-4.0, 4.0), styles=("k-", "y--", "C2:", "C4-.")):
    """Scatter classes 0 and 1 of ``X`` (first two columns) and, for each ``{label: w}`` in
    ``boundaries``, the line ``w[0] x1 + w[1] x2 + w[2] = 0`` (weights of a model on
    ``data.add_bias(X)``). Returns the Axes."""
    ax = _new_axes(ax, figsize=(5, 4))
    X, y = np.asarray(X), np.asarray(y)
    for label, color in [(0, "C0"), (1, "C3")]:
        ax.scatter(*X[y == label, :2].T, c=color, edgecolors="k", s=14, label=f"class {label}")
    xs = np.linspace(*span, 2)
    for (name, w), style in zip(boundaries.items(), styles):
        w = np.asarray(w, dtype=float)
        if w.shape != (3,):
            raise ValueError(f"boundaries[{name!r}] must be 3 weights (x1, x2, bias), got shape {w.shape}")
        ax.plot(xs, -(w[0] * xs + w[2]) / w[1], style, label=name, gid="boundary")
    ax.set(xlim=span, ylim=span, xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(fontsize="small")
    return ax
