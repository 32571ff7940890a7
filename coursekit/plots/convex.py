"""Chapter 3's pictures: chords, paths of several methods, rates with their theory, cost as d grows.

Like the rest of ``coursekit.plots`` these take results and draw them; they compute nothing
but what a picture needs (a function on a grid). Each returns the Axes (or the Figure).
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from ._common import _colors, _new_axes
from .landscape import contour

__all__ = ["chord", "method_paths", "rates", "cost_vs_dimension", "lasso_path", "sandwich"]


def chord(f, x, y, *, t=None, span=None, ax=None, title=None):
    """f on the segment through x and y (1-D or n-D points), with the chord from (x, f(x)) to
    (y, f(y)); ``t`` marks the point t x + (1-t) y where the chord is tested."""
    ax = _new_axes(ax, figsize=(4.5, 3.4))
    x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
    lo, hi = span or (-0.25, 1.25)
    s = np.linspace(lo, hi, 300)                          # s = 0 at y, s = 1 at x
    pts = y + s[:, None] * (x - y)
    ax.plot(s, f(pts), label="f on the line", lw=1.8)
    ax.plot([0, 1], [f(y[None])[0], f(x[None])[0]], "k--", lw=1.2, label="chord")
    if t is not None:
        mid = f((t * x + (1 - t) * y)[None])[0]
        ax.plot([t, t], [mid, t * f(x[None])[0] + (1 - t) * f(y[None])[0]], color="tab:red", lw=2,
                label="gap at t")
    ax.set(xlabel="position s on the line (0: y, 1: x)", ylabel="f", title=title or "")
    ax.legend(fontsize="small")
    return ax


def method_paths(landscape, paths, *, fig=None):
    """Contour map with one path per method (left) and |grad| per step on a log axis (right)."""
    fig = fig or plt.figure(figsize=(10, 4.2))
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    contour(landscape, paths, ax=left, legend=True)
    k = getattr(landscape, "condition_number", None)
    short = {name: name.split(" (")[0] for name in paths}
    done = [short[n] for n, run in paths.items() if run.grad_norms[-1] <= 1e-6 * run.grad_norms[0]]
    going = [short[n] for n in paths if short[n] not in done]
    said = ([f"{', '.join(done)} reach{'es' if len(done) == 1 else ''} the minimum"] if done else []) + (
        [f"{', '.join(going)} still on the way"] if going else [])
    left.set_title((f"kappa = {k:.3g}: " if k else "") + "; ".join(said), fontsize=10)
    for j, (name, run) in enumerate(paths.items()):
        g = np.maximum(np.asarray(run.grad_norms, float), 1e-16)
        right.semilogy(np.arange(len(g)), g, "-o", ms=3, color=_colors()[j % 10], label=name)
    right.set(xlabel="step k", ylabel="gradient norm |grad f(x_k)|",
              title="Newton and CG finish in at most 2 steps")
    right.title.set_fontsize(10)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.legend(fontsize="small")
    fig.tight_layout()
    return fig


def rates(curves, guides=None, *, ax=None, loglog=True, xlabel="step k", ylabel="error", title=""):
    """Measured curves {label: (k, values)} solid, theory {label: (k, values)} dashed, on log axes."""
    ax = _new_axes(ax, figsize=(5.5, 3.8))
    colors = _colors()
    for j, (label, (k, v)) in enumerate(curves.items()):
        ax.plot(k, np.maximum(v, 1e-300), "-", lw=1.8, color=colors[j % 10], label=label)
    for j, (label, (k, v)) in enumerate((guides or {}).items()):
        ax.plot(k, v, "--", lw=1.2, color="0.35" if j == 0 else "0.6", label=label)
    ax.set_yscale("log")
    if loglog:
        ax.set_xscale("log")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.title.set_fontsize(10)
    ax.legend(fontsize="small")
    return ax


def cost_vs_dimension(dims, results, *, crossover=None, guides=None, exponents=None, fig=None):
    """Two log-log panels: steps to tolerance and seconds to tolerance against d, per method.

    guides: exponents p (e.g. (2, 3)) drawn as dashed gray lines ~ d^p through the slowest
    method's last point, to read slopes against. exponents: {method: fitted exponent}, shown
    in the legend.
    """
    fig = fig or plt.figure(figsize=(10, 3.8))
    a, b = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for j, (name, r) in enumerate(results.items()):
        a.loglog(dims, r["steps"], "-o", color=_colors()[j], label=name)
        fit = f" (fitted slope {exponents[name]:.1f})" if exponents and name in exponents else ""
        b.loglog(dims, r["seconds"], "-o", color=_colors()[j], label=name + fit)
    if guides:
        d = np.asarray(dims, float)
        top = max(float(r["seconds"][-1]) for r in results.values())
        for p, ls in zip(guides, ["--", "-.", ":"]):
            b.loglog(d, top * (d / d[-1]) ** p, ls, color="0.45", lw=1, label=f"guide: slope {p:g} (d^{p:g})",
                     gid="guide")
    if crossover:
        for i, (label, d) in enumerate((k, v) for k, v in crossover.items() if v):
            b.axvline(d, color="0.5", ls=":", lw=1)
            b.text(d, 0.97 - 0.14 * i, f" {label}\n d = {d:.0f}", va="top", fontsize=8,
                   transform=b.get_xaxis_transform())
    a.set(xlabel="dimension d", ylabel="steps to |grad| <= tol", title="Newton needs the fewest steps at every d")
    b.set(xlabel="dimension d", ylabel="wall time to tolerance (s)",
          title="Time to tolerance, with d^2 and d^3 guides" if guides else "Time to tolerance")
    for ax in (a, b):
        ax.title.set_fontsize(10)
        ax.set_xticks(dims, [str(d) for d in dims])
        ax.minorticks_off()
        ax.legend(fontsize="x-small" if ax is b else "small", loc="upper left" if ax is b else "best")
    fig.tight_layout()
    return fig


def lasso_path(lams, path, reference=None, *, ax=None):
    """Coefficients against lam (log x axis), with an optional reference path drawn as dots."""
    ax = _new_axes(ax, figsize=(6, 3.8))
    path = np.asarray(path)
    for j in range(path.shape[1]):
        ax.plot(lams, path[:, j], "-", color=_colors()[j % 10], lw=1.5)
        if reference is not None:
            ax.plot(lams, np.asarray(reference)[:, j], "o", ms=3, mfc="none", color=_colors()[j % 10])
    ax.set_xscale("log")
    ax.set(xlabel="regularization lam (log scale)", ylabel="coefficient x_j",
           title="The Lasso path: coefficients leave zero one by one as lam falls")
    ax.title.set_fontsize(10)
    return ax


def sandwich(f, grad, x, *, mu, L, window, ax=None, n=400, title=None):
    r"""A 1-D function with, at the point ``x``, its tangent and the two quadratics
    :math:`f(x) + f'(x)(y-x) + \tfrac{m}{2}(y-x)^2` for m = ``mu`` (below the graph when f is
    mu-strongly convex) and m = ``L`` (above it when f' is L-Lipschitz). Returns the Axes."""
    ax = _new_axes(ax, figsize=(5.5, 3.8))
    y = np.linspace(*window, n)
    fx, gx = float(f(np.array(x))), float(grad(np.array(x)))
    ax.plot(y, [f(v) for v in y], color="k", lw=2, label="f", gid="graph")
    ax.plot(y, fx + gx * (y - x), color="C0", label="tangent at x (below a convex graph)", gid="tangent")
    if mu is not None:
        ax.plot(y, fx + gx * (y - x) + mu / 2 * (y - x) ** 2, "--", color="C2",
                label=f"lower quadratic, curvature mu = {mu:g}", gid="lower")
    if L is not None:
        ax.plot(y, fx + gx * (y - x) + L / 2 * (y - x) ** 2, "--", color="C3",
                label=f"upper quadratic, curvature L = {L:g}", gid="upper")
    ax.plot([x], [fx], "o", color="C0")
    ax.set(xlabel="y", ylabel="value")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize="x-small")
    return ax
