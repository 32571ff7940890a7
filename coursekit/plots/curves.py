"""Results against steps or settings: loss curves of runs, and heat maps of a sweep.
"""
from __future__ import annotations

from numbers import Real

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import LogNorm
from matplotlib.ticker import MaxNLocator

from ._common import _colors, _is_trajectory, _new_axes, _runs_of


# ----------------------------------------------------------------------------- loss curves

def _finite_prefix(y):
    """y up to (not including) its first non-finite value."""
    finite = np.isfinite(y)
    return y if finite.all() else y[:np.argmin(finite)]


def _curves(curves):
    """Normalize to a list of (label, 1-D loss array, diverged, minimum or None)."""
    if isinstance(curves, dict):
        items = list(curves.items())
    elif _is_trajectory(curves) or isinstance(curves, np.ndarray) or (
            isinstance(curves, (list, tuple)) and all(isinstance(c, Real) for c in curves)):
        items = [(None, curves)]
    else:
        items = [(None, c) for c in curves]
    out = []
    for j, (key, c) in enumerate(items):
        if _is_trajectory(c):
            fstar = getattr(c.landscape, "minimum", None)
            out += [(lab, np.asarray(r.losses, float), bool(r.diverged), fstar)
                    for lab, r in _runs_of(key, c, j)]
            continue
        y = np.asarray(c, dtype=float)
        name = key if key is not None else f"run {j}"
        if y.ndim == 1:
            out.append((name, _finite_prefix(y), False, None))
        elif y.ndim == 2:   # (n, R)
            out += [(f"{name} [{i}]", _finite_prefix(y[:, i]), False, None)
                    for i in range(y.shape[1])]
        else:
            raise ValueError(f"curves: expected losses of shape (n,) or (n, R), got {y.shape}")
    return out


def loss_curves(curves, log=True, ax=None, gap=False, *, labels=None, xlabel="step",
                ylabel=None, legend=None, floor=None):
    """Loss per step for one or several runs.

    curves: ``{label: Trajectory or array of losses}`` (or one of them, or a list);
        a batched Trajectory gives one curve per run; diverged runs end with a red cross.
    log: logarithmic y axis (symlog when some plotted value is negative).
    gap: ``False`` plots f(x_k); ``True`` plots f(x_k) - f* with f* the landscape's
        known minimum; a number is used as f*.
    floor: plot ``max(value, floor)``: a gap that rounding makes 0 or slightly negative
        (-5e-17) then stays on a log axis, so the axis type never depends on rounding.
    The step axis has integer ticks. Returns the Axes.
    """
    ax = _new_axes(ax, figsize=(5.5, 3.8))
    items = _curves(curves)
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(items):
            raise ValueError(f"labels: {len(labels)} labels for {len(items)} curves")
        items = [(lab,) + rest[1:] for lab, rest in zip(labels, items)]
    colors = _colors()
    gap_on = gap is not False and gap is not None
    lowest = np.inf
    for j, (lab, y, diverged, fstar) in enumerate(items):
        if gap_on:
            if gap is True:
                if fstar is None:
                    raise ValueError(f"gap: the minimum f* of {lab!r} is unknown; pass gap=f*")
                y = y - float(fstar)
            else:
                y = y - float(gap)
        if floor is not None:
            y = np.maximum(y, float(floor))
        c = colors[j % len(colors)]
        ax.plot(np.arange(len(y)), y, "-", color=c, lw=1.5, label=lab, gid="trajectory")
        if diverged and len(y):
            ax.plot([len(y) - 1], [y[-1]], "x", color="tab:red", ms=9, mew=2, gid="diverged")
        if len(y):
            lowest = min(lowest, float(np.min(y)))
    if log:
        if lowest < 0:
            ax.set_yscale("symlog", linthresh=1e-8)
        else:
            ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or ("$f(x_k) - f^*$" if gap_on else "loss $f(x_k)$"))
    if legend or (legend is None and len(items) > 1):
        ax.legend(fontsize="small")
    return ax


# ----------------------------------------------------------------------------- heat map

def heatmap(values, xs, ys, *, xlabel="", ylabel="", log=True, ax=None, cmap="viridis_r",
            colorbar_label="final loss", log_x=False, log_y=False):
    """A grid of results, e.g. the final loss of a batched (lr, momentum) sweep.

    values: shape ``(len(ys), len(xs))``; NaN / inf / None cells (diverged runs) are shown
        gray and marked with a cross. ``log``: logarithmic color scale. ``log_x``/``log_y``:
        the axes' values are spaced geometrically. Returns the Axes.
    """
    v = np.array(values, dtype=float)
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    if v.shape != (len(ys), len(xs)):
        raise ValueError(f"values: expected shape (len(ys), len(xs)) = {(len(ys), len(xs))}, "
                         f"got {v.shape}")
    ax = _new_axes(ax, figsize=(5.5, 4.2))
    bad = ~np.isfinite(v)
    ok = v[~bad]
    norm = LogNorm(ok[ok > 0].min(), ok.max()) if log and np.any(ok > 0) else None
    cm = plt.get_cmap(cmap).with_extremes(bad="0.75")
    mesh = ax.pcolormesh(np.arange(len(xs) + 1) - 0.5, np.arange(len(ys) + 1) - 0.5,
                         np.ma.masked_array(v, bad), cmap=cm, norm=norm, gid="heatmap")
    ax.figure.colorbar(mesh, ax=ax, label=colorbar_label)
    r, c = np.nonzero(bad)
    if len(r):
        ax.plot(c, r, "x", color="tab:red", ms=7, mew=1.5, gid="diverged", ls="none")
    fmt = (lambda a, lg: [f"{t:.1e}" if lg else f"{t:.3g}" for t in a])
    ax.set_xticks(np.arange(len(xs)), fmt(xs, log_x), rotation=45, ha="right")
    ax.set_yticks(np.arange(len(ys)), fmt(ys, log_y))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


# ----------------------------------------------------------------------------- measurement and theory

def integer_steps(ax, axis="x"):
    """Integer ticks on a step axis (no "12.5 steps"). Returns the Axes."""
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    return ax


def against_theory(x, measured, theory=None, *, ax=None, label="measured", theory_label="theory",
                   log="y", floor=None, style="o-", color=None, xlabel="", ylabel="", title=None,
                   steps=False):
    """A measurement with the curve theory predicts drawn over it (black, dashed).

    x, measured: the measured points; theory: values at ``x`` (or None). ``log``: "y", "x",
    "both" or "" for the axes' scales. ``floor``: plot ``max(value, floor)``, so that values
    that rounding makes 0 or slightly negative never switch the axis type. ``steps``: x counts
    steps (integer ticks). Returns the Axes.
    """
    ax = _new_axes(ax, figsize=(5.5, 3.8))
    clip = (lambda v: np.maximum(np.asarray(v, dtype=float), floor)) if floor is not None else \
        (lambda v: np.asarray(v, dtype=float))
    ax.plot(x, clip(measured), style, ms=4, lw=1.3, color=color, label=label, gid="measured")
    if theory is not None:
        ax.plot(x, clip(theory), "--", color="k" if color is None else color, lw=1.2, label=theory_label,
                gid="theory", zorder=4)
    if log in ("x", "both"):
        ax.set_xscale("log")
    if log in ("y", "both"):
        ax.set_yscale("log")
    if steps:
        integer_steps(ax)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def gradient_cloud(clouds, full_gradient, ax=None, coords=(0, 1), clip_percent=3):
    """Mini-batch gradients as point clouds (two coordinates), the full gradient and the
    mean of the largest batch's cloud marked. ``clouds``: ``{batch size: (k, d) array}``.
    The view is cut to the central ``100 - 2 clip_percent`` % of the smallest batch's cloud."""
    ax = _new_axes(ax, figsize=(5.5, 4.2))
    i, j = coords
    for B, cloud in clouds.items():
        ax.plot(cloud[:, i], cloud[:, j], ".", ms=3, alpha=0.5, label=f"B = {B}")
    ax.plot(full_gradient[i], full_gradient[j], "k*", ms=14, zorder=5, label="full gradient")
    B_max = max(clouds)
    mean = np.asarray(clouds[B_max]).mean(axis=0)
    ax.plot(mean[i], mean[j], "X", color="tab:red", mec="k", ms=10, zorder=6, label=f"mean of the B = {B_max} batches")
    smallest = np.asarray(clouds[min(clouds)])
    lo, hi = np.percentile(smallest[:, [i, j]], [clip_percent, 100 - clip_percent], axis=0)
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel=f"$g_{i + 1}$", ylabel=f"$g_{j + 1}$")
    ax.legend(fontsize="small")
    return ax
