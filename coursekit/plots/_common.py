"""What every plot needs: results turned into NumPy paths, colors and a fresh Axes.

``_paths`` accepts what the plotting functions accept for ``trajectories`` (a
Trajectory, a batched one, arrays of iterates, a list or dict of these) and returns
plain ``(label, (n, d) array, diverged)`` triples, so the drawing code never branches
on input types.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt



def _is_trajectory(obj) -> bool:
    """A coursekit Trajectory, recognised by its fields (plots never import the trajectory
    module, which loads plots for ``Trajectory.plot``: no import cycle)."""
    return all(hasattr(obj, a) for a in ("iterates", "losses", "is_batched", "rows"))


def _colors():
    return plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])


def _new_axes(ax, figsize=(5.5, 4.5), projection=None):
    if ax is not None:
        return ax
    fig = plt.figure(figsize=figsize)
    return fig.add_subplot(projection=projection)


def _value(landscape, x):
    """landscape's value at points x (..., d), as NumPy."""
    from ..backend import to_numpy
    f = landscape.value if hasattr(landscape, "value") else landscape
    if not callable(f):
        raise TypeError("landscape must have .value(x) or be a callable x -> f(x), got "
                        f"{type(landscape).__name__}")
    return np.asarray(to_numpy(f(x)), dtype=float)


def _label_of(obj, default):
    return getattr(obj, "label", "") or default


def _runs_of(key, t, j):
    """A Trajectory as ``(label, single-run Trajectory)`` pairs, one per row when batched
    (``key``: its dict key or None, ``j``: its position)."""
    name = key if key is not None else _label_of(t, f"run {j}")
    if not t.is_batched:
        return [(name, t)]
    return [(f"{key} [{i}]" if key is not None else r.label or f"{name} [{i}]", r)
            for i, r in enumerate(t.rows())]


def _paths(trajectories, labels=None):
    """Normalize trajectories to a list of (label, xy (n, d) finite array, diverged flag)."""
    if trajectories is None:
        return []
    if isinstance(trajectories, dict):
        items = list(trajectories.items())
    elif _is_trajectory(trajectories) or isinstance(trajectories, np.ndarray) or hasattr(trajectories, "__array__"):
        items = [(None, trajectories)]
    else:
        items = [(None, t) for t in trajectories]
    out = []
    for j, (key, t) in enumerate(items):
        if _is_trajectory(t):
            out += [(lab, np.asarray(r.iterates, dtype=float), bool(r.diverged))
                    for lab, r in _runs_of(key, t, j)]
            continue
        xy = np.asarray(t, dtype=float)
        name = key if key is not None else f"run {j}"
        if xy.ndim == 3:   # (n, R, d): one path per row
            for i in range(xy.shape[1]):
                p = xy[:, i]
                out.append((f"{name} [{i}]", p[np.isfinite(p).all(axis=1)], False))
        elif xy.ndim == 2:
            out.append((name, xy[np.isfinite(xy).all(axis=1)], False))
        else:
            raise ValueError(f"trajectories: expected iterates of shape (n, d), got {xy.shape}")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(out):
            raise ValueError(f"labels: {len(labels)} labels for {len(out)} paths")
        out = [(lab, xy, d) for lab, (_, xy, d) in zip(labels, out)]
    return out
