"""Maps of a landscape: contour lines and 3-D surface of a 2-D function over its
window, and the function along a line through any dimension, each with runs drawn on it.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import BoundaryNorm

from ._common import _colors, _is_trajectory, _new_axes, _paths, _value

_KIND_MARKERS = {"minimum": ("*", "gold"), "maximum": ("^", "tab:red"), "saddle": ("X", "white")}


# ----------------------------------------------------------------------------- grid

def _window(landscape, window=None):
    window = getattr(landscape, "window", None) if window is None else window
    try:
        (x0, x1), (y0, y1) = window
        return (float(x0), float(x1)), (float(y0), float(y1))
    except (TypeError, ValueError):
        raise ValueError("window: a 2-D landscape needs a plotting window "
                         f"((xmin, xmax), (ymin, ymax)), got {window!r}") from None


def landscape_grid(landscape, resolution=200, window=None):
    """Grid of the landscape over its window: ``(X, Y, Z)`` with ``Z = f(X, Y)``."""
    (x0, x1), (y0, y1) = _window(landscape, window)
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = _value(landscape, np.stack([X, Y], axis=-1))
    return X, Y, Z


def level_values(Z, levels=30, log_levels=True):
    """Contour levels for the values Z: ``levels`` values spaced geometrically above
    min(Z) (``log_levels``, which shows the valley floor) or evenly."""
    finite = Z[np.isfinite(Z)]
    lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        return np.array([lo])
    if log_levels:
        return lo + np.geomspace((hi - lo) * 1e-4, hi - lo, int(levels))
    return np.linspace(lo, hi, int(levels) + 2)[1:-1]


def _require_2d(landscape, what):
    if getattr(landscape, "dim", 2) != 2:
        raise ValueError(f"landscape: {what} needs a 2-D landscape, got dim={landscape.dim}")


_TITLES = {"rosenbrock": "Rosenbrock's banana valley", "himmelblau": "Himmelblau's function: four minima",
           "beale": "Beale's function", "cubic_saddles": "A minimum, a maximum and two saddles",
           "saddle": "A saddle point", "quadratic": "A quadratic bowl", "ravine": "A narrow ravine",
           "multimodal": "Many local minima"}


def landscape_title(landscape):
    """A readable title for a landscape (never its internal name such as "cubic_saddles")."""
    name = getattr(landscape, "name", "") or ""
    return _TITLES.get(name, name.replace("_", " ").capitalize())


def _label_map(ax, landscape):
    """Axis names x_1, x_2 and a readable title for the landscape."""
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    title = landscape_title(landscape)
    if title:
        ax.set_title(title)


# ----------------------------------------------------------------------------- contour

def contour(landscape, trajectories=None, ax=None, levels=30, log_levels=True, labels=None,
            mark_minimizers=True, *, mark_stationary=False, filled=False, resolution=200,
            window=None, cmap="viridis", alpha=None, legend=None, markersize=3.0):
    """Contour map of a 2-D landscape over its window, with paths drawn on it.

    trajectories: a Trajectory (a batched one gives one path per run), an array of
        iterates ``(n, 2)``, or a list / dict ``{label: ...}`` of these.
    levels: number of contour levels (or explicit level values); ``log_levels`` spaces
        them geometrically above the minimum so that the valley floor shows.
    labels: names for the paths (default: the dict keys or the optimizers' labels).
    mark_minimizers: star the known minimizers; ``mark_stationary`` marks all known
        stationary points by kind (star minimum, triangle maximum, cross saddle).
    filled: fill between the levels (``contourf``; much smaller PNGs, used by :func:`animate`).
    Paths of up to 100 points show each iterate as a dot (``markersize``); longer ones a line.
    legend: default, a legend when there are several paths or the caller named them.
    Returns the Axes.
    """
    _require_2d(landscape, "contour")
    ax = _new_axes(ax)
    (x0, x1), (y0, y1) = _window(landscape, window)
    X, Y, Z = landscape_grid(landscape, resolution, window)
    lev = level_values(Z, levels, log_levels) if np.ndim(levels) == 0 else np.asarray(levels)
    if filled and np.ndim(levels) == 0:      # fill from the minimum up: no blank valley floor
        lev = np.concatenate([[np.nanmin(Z)], lev[lev > np.nanmin(Z)]])
    Zm = np.ma.masked_invalid(Z)
    draw = ax.contourf if filled else ax.contour
    kw = {} if filled else {"linewidths": 0.8}
    if len(lev) > 1:    # one color step per level, however the levels are spaced
        kw["norm"] = BoundaryNorm(lev, plt.get_cmap(cmap).N, extend="max" if filled else "neither")
    draw(X, Y, Zm, levels=lev, cmap=cmap, alpha=alpha, **kw)

    if mark_stationary and getattr(landscape, "stationary_points", None):
        for kind, (marker, color) in _KIND_MARKERS.items():
            pts = np.array([np.asarray(p, float) for p, k in landscape.stationary_points
                            if k == kind]).reshape(-1, 2)
            if len(pts):
                ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=140, c=color,
                           edgecolors="k", zorder=5, label=kind, gid="stationary")
    elif mark_minimizers and getattr(landscape, "minimizers", None) is not None:
        m = np.asarray(landscape.minimizers, dtype=float).reshape(-1, 2)
        if len(m):
            ax.scatter(m[:, 0], m[:, 1], marker="*", s=160, c="gold", edgecolors="k",
                       zorder=5, label="minimizer", gid="minimizer")

    paths = _paths(trajectories, labels)
    colors = _colors()
    for j, (lab, xy, diverged) in enumerate(paths):
        if xy.shape[-1] != 2:
            raise ValueError(f"trajectories: contour draws 2-D paths, got points of dimension "
                             f"{xy.shape[-1]}")
        c = colors[j % len(colors)]
        ax.plot(xy[:, 0], xy[:, 1], "-o" if len(xy) <= 100 else "-", color=c, lw=1.3,
                ms=markersize, label=lab, gid="trajectory", zorder=3)
        ax.plot(xy[:1, 0], xy[:1, 1], "o", color=c, mfc="white", ms=7, zorder=4, gid="start")
        ax.plot(xy[-1:, 0], xy[-1:, 1], "x" if diverged else "s",
                color="tab:red" if diverged else c, ms=8, mew=2, zorder=4,
                gid="diverged" if diverged else "end")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    _label_map(ax, landscape)
    named = labels is not None or isinstance(trajectories, dict)     # labels the caller chose
    if legend or (legend is None and (len(paths) > 1 or named)):
        ax.legend(fontsize="small", loc="best")
    return ax


# ----------------------------------------------------------------------------- surface

def surface(landscape, ax=None, trajectories=None, resolution=60, cmap="viridis",
            window=None, alpha=0.85, elev=35, azim=-60):
    """3-D surface of a 2-D landscape over its window, with optional paths on it
    (drawn at their recorded losses). Returns the 3-D Axes."""
    _require_2d(landscape, "surface")
    ax = _new_axes(ax, figsize=(6, 5), projection="3d")
    X, Y, Z = landscape_grid(landscape, resolution, window)
    ax.plot_surface(X, Y, np.ma.masked_invalid(Z), cmap=cmap, alpha=alpha, linewidth=0,
                    antialiased=True, rstride=1, cstride=1)
    colors = _colors()
    for j, (lab, xy, _) in enumerate(_paths(trajectories)):
        z = _value(landscape, xy)
        ax.plot(xy[:, 0], xy[:, 1], z, "-o", color=colors[j % len(colors)], ms=2.5,
                label=lab, gid="trajectory", zorder=10)
    ax.view_init(elev=elev, azim=azim)
    _label_map(ax, landscape)
    ax.set_zlabel("$f(x)$")
    return ax


# ----------------------------------------------------------------------------- 1-D slice

def slice_1d(landscape, trajectory=None, *, point=None, direction=None, span=None, ax=None,
             label=None, resolution=400):
    """The function along a line, ``t -> f(point + t u)`` with ``u = direction/|direction|``,
    and a run's iterates placed on it at ``t_k = <x_k - point, u>``, height ``f(x_k)``
    (their recorded losses), joined in order so that overshooting shows as a zig-zag.

    point: default the landscape's first minimizer (else the origin).
    direction: default the first coordinate axis.
    span: half-width of the t range (default: reach every iterate, at least 1).
    Returns the Axes.
    """
    dim = getattr(landscape, "dim", None)
    xs = fs = None
    diverged = False
    if trajectory is not None:
        if _is_trajectory(trajectory):
            if trajectory.is_batched:
                raise ValueError("trajectory: slice_1d draws one run; pass traj.row(i)")
            xs, fs, diverged = trajectory.iterates, trajectory.losses, trajectory.diverged
            label = label or trajectory.label
        else:
            xs = np.asarray(trajectory, dtype=float)
            if xs.ndim == 1:
                xs = xs[:, None]
        xs = np.asarray(xs, dtype=float).reshape(len(xs), -1)
        dim = dim or xs.shape[1]
    if dim is None:
        raise ValueError("landscape: cannot tell its dimension; give it .dim or a trajectory")
    if point is None:
        mins = getattr(landscape, "minimizers", None)
        point = np.asarray(mins, float)[0] if mins is not None and len(mins) else np.zeros(dim)
    point = np.asarray(point, dtype=float).reshape(dim)
    u = np.eye(dim)[0] if direction is None else np.asarray(direction, float).reshape(dim)
    if not np.linalg.norm(u) > 0:
        raise ValueError("direction must be a non-zero vector")
    u = u / np.linalg.norm(u)
    ts = None if xs is None else (xs - point) @ u
    if span is None:
        span = max(1.0, 1.15 * float(np.max(np.abs(ts)))) if ts is not None and len(ts) else 1.0
    grid = np.linspace(-span, span, resolution)
    ax = _new_axes(ax, figsize=(5.5, 3.8))
    ax.plot(grid, _value(landscape, point + grid[:, None] * u), "-", color="0.3", lw=1.5,
            label="$f$ along the line", gid="slice")
    if ts is not None:
        fs = _value(landscape, xs) if fs is None else np.asarray(fs, float)
        ax.plot(ts, fs, "-o", color="C1", ms=4, lw=1, label=label or "iterates",
                gid="trajectory")
        ax.plot(ts[:1], fs[:1], "o", color="C1", mfc="white", ms=8, gid="start")
        if diverged:
            ax.plot(ts[-1:], fs[-1:], "x", color="tab:red", ms=9, mew=2, gid="diverged")
    ax.axvline(0.0, color="0.7", lw=0.8, ls=":")
    ax.set_xlabel("$t$ (position along the line)")
    ax.set_ylabel("$f$")
    ax.legend(fontsize="small", loc="upper center")
    return ax
