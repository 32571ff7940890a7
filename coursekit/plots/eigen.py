r"""Momentum seen one eigen-direction at a time (Goh, "Why Momentum Really Works", Distill 2017).

On a quadratic with eigenvalues :math:`\lambda_i`, gradient descent and heavy ball act on
each eigen-component separately: GD multiplies it by :math:`1 - \eta\lambda` per step, heavy
ball by the larger root of :math:`z^2 - (1 + \mu - \eta\lambda) z + \mu` (in modulus).
:func:`contraction` draws those factors against :math:`\lambda` with the problem's
eigenvalues marked; :func:`components` draws each component's error over the steps.
The numbers come from :mod:`coursekit.theory.momentum`; nothing here runs an optimizer.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from ._common import _new_axes

__all__ = ["contraction", "components"]


def contraction(eigenvalues, lr, momentum, ax=None, n=400, gd_lr=None):
    """Per-step contraction against the eigenvalue: GD at ``gd_lr`` (default ``lr``;
    |1 - lr lambda|) and heavy ball at (``lr``, ``momentum``), the eigenvalues as dots, the
    band of complex roots (between the two critical-damping values) shaded. Returns the Axes."""
    from ..theory.momentum import critical_damping, rate

    lam = np.asarray(eigenvalues, float)
    ax = _new_axes(ax, figsize=(5.5, 3.8))
    top = 1.15 * lam.max()
    grid = np.linspace(0, top, n)
    gd_lr = lr if gd_lr is None else float(gd_lr)
    ax.plot(grid, np.abs(1 - gd_lr * grid), color="C0", label=f"GD, lr {gd_lr:.3g}", gid="gd")
    ax.plot(grid, rate(lr * grid, momentum), color="C1", label=f"heavy ball, lr {lr:.3g}, momentum {momentum:.2f}",
            gid="heavy ball")
    ax.plot(lam, np.abs(1 - gd_lr * lam), "o", color="C0", ms=5)
    ax.plot(lam, rate(lr * lam, momentum), "o", color="C1", ms=5, label="the problem's eigenvalues")
    if momentum > 0:
        low, high = critical_damping(momentum)
        ax.axvspan(low / lr, min(high / lr, top), color="C1", alpha=0.12, lw=0,
                   label=r"complex roots: rate $\sqrt{\mu}$")
    ax.axhline(1.0, color="k", lw=0.8, ls=":")
    ax.set(xlim=(0, top), ylim=(0, 1.5), xlabel=r"eigenvalue $\lambda$",
           ylabel="contraction per step (1 = no progress)")
    ax.legend(fontsize="x-small", loc="upper right")
    return ax


def components(errors, eigenvalues, ax=None, title=None, floor=1e-16):
    """Each eigen-component's |error| over the steps (log y), one line per eigenvalue
    (colour from small to large); zeros drawn at ``floor``. ``errors``: (steps + 1, d)."""
    e = np.abs(np.asarray(errors, float))
    lam = np.asarray(eigenvalues, float)
    if e.ndim != 2 or e.shape[1] != lam.size:
        raise ValueError(f"errors must have shape (steps + 1, {lam.size}), got {e.shape}")
    ax = _new_axes(ax, figsize=(5.5, 3.8))
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, lam.size))
    for j in range(lam.size):
        ax.plot(np.maximum(e[:, j], floor), color=colors[j], label=rf"$\lambda$ = {lam[j]:.3g}", gid="component")
    ax.set(yscale="log", xlabel="step k", ylabel="|error| along the eigen-direction")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="x-small", ncol=2)
    return ax
