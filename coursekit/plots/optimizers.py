"""Chapter 2's pictures: momentum's filter and stability region, a sweep's heat map, decision regions.

Each function draws results it is given (or closed forms of :mod:`coursekit.theory.momentum`)
and returns the Axes; none runs an optimizer.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import LogNorm

from ._common import _new_axes

__all__ = ["frequency_response", "stability_region", "sweep_heatmap", "decision_regions"]


def frequency_response(momenta=(0.0, 0.5, 0.9), ax=None, n=400):
    """Gain of b <- mu b + g against the frequency of the gradient (log y), with 1/(1-mu) and 1/(1+mu) marked."""
    from ..theory.momentum import gain

    ax = _new_axes(ax, figsize=(5.5, 3.8))
    w = np.linspace(0, np.pi, n)
    for j, mu in enumerate(momenta):
        line, = ax.plot(w / np.pi, gain(mu, w), label=f"momentum {mu:g}", gid="gain")
        ax.plot([0, 1], [1 / (1 - mu), 1 / (1 + mu)], "o", color=line.get_color(), ms=5)
    ax.set_yscale("log")
    ax.set(xlabel=r"frequency of the gradient $\omega/\pi$ (0: constant, 1: sign flips every step)",
           ylabel="gain of the buffer $|b| / |g|$",
           title="Momentum amplifies slow gradients and damps fast ones")
    ax.legend(fontsize="small")
    return ax


def stability_region(ax=None, h_max=4.5, n=300, damping=True):
    """Heavy ball's rate over the (lr * lambda, momentum) plane, with the edge lr * lambda = 2 + 2 mu;
    ``damping`` adds the critical-damping curves lr * lambda = (1 -+ sqrt(mu))^2 (complex roots between them)."""
    from ..theory.momentum import critical_damping, rate

    ax = _new_axes(ax, figsize=(5.5, 4.2))
    h = np.linspace(0, h_max, n)
    mu = np.linspace(0, 0.999, n)
    H, MU = np.meshgrid(h, mu)
    r = np.minimum(rate(H, MU), 1.5)
    mesh = ax.pcolormesh(H, MU, r, cmap="viridis", vmin=0, vmax=1.5, shading="auto", gid="rate")
    ax.figure.colorbar(mesh, ax=ax, label="contraction per step (capped at 1.5)")
    # the computed edge (rate = 1) is drawn wide, the formula thin and dashed on top: both stay visible
    computed = ax.contour(H, MU, r, levels=[1.0], colors="w", linewidths=4)
    computed.set_gid("computed_edge")
    ax.plot([], [], "w-", lw=4, label="computed: rate = 1")
    ax.plot(2 + 2 * mu, mu, "r--", lw=1.5, label=r"formula $\eta\lambda = 2 + 2\mu$", gid="edge")
    if damping:
        low, high = critical_damping(mu)
        ax.plot(low, mu, ":", color="orange", lw=1.8, gid="damping",
                label=r"critical damping $\eta\lambda = (1 \mp \sqrt{\mu})^2$")
        ax.plot(high, mu, ":", color="orange", lw=1.8)
    ax.set(xlabel=r"$\eta\lambda$ (learning rate times curvature)", ylabel=r"momentum $\mu$",
           title="Heavy ball converges left of the dashed line")
    ax.legend(loc="lower right", fontsize="small", facecolor="0.75")
    return ax


def sweep_heatmap(final_loss, lrs, momenta, *, edge_L=None, ax=None):
    """Final loss over a (momentum, lr) grid: log lr on x, log color scale, diverged runs gray.

    final_loss: (len(momenta), len(lrs)), NaN for diverged runs. ``edge_L``: draw the
    stability edge lr = (2 + 2 mu) / L of a quadratic with top curvature L.
    """
    v = np.asarray(final_loss, float)
    lrs, momenta = np.asarray(lrs, float), np.asarray(momenta, float)
    if v.shape != (momenta.size, lrs.size):
        raise ValueError(f"final_loss must have shape (len(momenta), len(lrs)) = "
                         f"{(momenta.size, lrs.size)}, got {v.shape}")
    ax = _new_axes(ax, figsize=(6.5, 4.5))
    ok = v[np.isfinite(v) & (v > 0)]
    cmap = plt.get_cmap("viridis_r").with_extremes(bad="0.6")
    mesh = ax.pcolormesh(lrs, momenta, np.ma.masked_invalid(v), cmap=cmap, shading="nearest",
                         norm=LogNorm(max(ok.min(), 1e-12), ok.max()) if ok.size else None, gid="heatmap")
    ax.figure.colorbar(mesh, ax=ax, label="final loss (gray: diverged)")
    if edge_L is not None:
        mu = np.linspace(momenta.min(), momenta.max(), 200)
        edge = (2 + 2 * mu) / edge_L
        inside = (edge >= lrs.min()) & (edge <= lrs.max())
        ax.plot(edge[inside], mu[inside], "r--", lw=1.5, gid="edge",
                label=f"edge $(2+2\\mu)/L$, L = {edge_L:.0f} at the minimum")
        ax.legend(loc="lower left", fontsize="small")
    ax.set_xscale("log")
    ax.set(xlabel="learning rate", ylabel="momentum")
    return ax


def decision_regions(predict, X, y, ax=None, resolution=150, title=""):
    """Predicted classes of ``predict`` (a function X -> labels) over the data's box, with the data on top."""
    ax = _new_axes(ax, figsize=(4, 4))
    pad = 0.3
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = np.asarray(predict(np.c_[gx.ravel(), gy.ravel()])).reshape(gx.shape)
    k = int(max(y.max(), Z.max())) + 1
    ax.contourf(gx, gy, Z, levels=np.arange(k + 1) - 0.5, cmap="Pastel1", alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Set1", s=8, vmin=0, vmax=8)
    ax.set(xticks=[], yticks=[], title=title)
    return ax
