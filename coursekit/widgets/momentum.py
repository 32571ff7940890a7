r"""The eigen-picture explorer (chapter 2): learning-rate and momentum sliders tied to each eigen-direction.

``explore_momentum()`` shows sliders for :math:`\eta` and :math:`\mu` and redraws three
panels for a quadratic with the given eigenvalues: the contraction per step of gradient
descent and heavy ball against the eigenvalue, the error of each eigen-component over the
steps, and the (:math:`\eta\lambda`, :math:`\mu`) stability map with the problem's
eigenvalues as a row of dots at the current setting (Goh, Distill 2017). Without a widget
front end it draws the defaults once and returns the Figure.
"""
from __future__ import annotations

import numpy as np

from ..theory import momentum as hb
from .. import plots
from .._validate import count
from .controls import Slider, show_with_sliders
from .explorer import new_figure, widget_frontend

__all__ = ["MomentumExplorer", "explore_momentum"]


class MomentumExplorer:
    """Heavy ball and gradient descent on a diagonal quadratic, one eigen-direction at a time."""

    def __init__(self, eigenvalues=(1.0, 3.0, 10.0, 30.0, 100.0), lr=None, momentum=None, steps=100):
        lam = np.sort(np.atleast_1d(np.asarray(eigenvalues, float)))
        if lam.size == 0 or not np.all(np.isfinite(lam)) or lam[0] <= 0:
            raise ValueError(f"eigenvalues must be positive and finite, got {eigenvalues!r}")
        self.eigenvalues, self.steps = lam, count(steps, "steps")
        best_lr, best_mu = hb.optimal(lam[0], lam[-1])
        lr = best_lr if lr is None else float(lr)
        mu = best_mu if momentum is None else float(momentum)
        L = lam[-1]
        self.sliders = {"lr": Slider(0.01 / L, 4.0 / L, lr, log=True), "momentum": Slider(0.0, 0.99, mu, 0.01)}
        self.values = {"lr": lr, "momentum": mu}

    def run(self, **values) -> dict:
        """{"GD": errors, "heavy ball": errors}: the signed eigen-components, (steps + 1, d) each."""
        v = {**self.values, **values}
        return {"GD": hb.eigen_components(self.eigenvalues, v["lr"], 0.0, self.steps),
                "heavy ball": hb.eigen_components(self.eigenvalues, v["lr"], v["momentum"], self.steps)}

    def draw(self, fig=None, **values):
        """Contraction per eigenvalue, heavy ball's components over the steps, the stability map."""
        v = {**self.values, **values}
        lr, mu, lam = float(v["lr"]), float(v["momentum"]), self.eigenvalues
        fig = new_figure((13, 3.9)) if fig is None else fig
        fig.clear()
        a1, a2, a3 = fig.subplots(1, 3)
        plots.eigen.contraction(lam, lr, mu, ax=a1)
        a1.set_title("Contraction per step along each eigenvalue", fontsize=9)
        errs = self.run(lr=lr, momentum=mu)
        plots.eigen.components(errs["heavy ball"], lam, ax=a2,
                               title="Heavy ball: error of each eigen-component")
        a2.plot(np.linalg.norm(errs["GD"], axis=1), "k--", lw=1, label="GD, same lr: total error")
        a2.set_ylim(1e-12, 1e3)
        a2.legend(fontsize="x-small", ncol=2)
        a2.title.set_fontsize(9)
        plots.stability_region(ax=a3, h_max=max(4.5, 1.1 * lr * lam[-1]))
        a3.plot(lr * lam, np.full(lam.size, mu), "wo", ms=5, mec="k", label="the eigenvalues at this setting")
        a3.legend(loc="lower right", fontsize="x-small")
        a3.set_title("Where each eigenvalue sits on the map", fontsize=9)
        r_hb = float(np.max(hb.rate(lr * lam, mu)))
        r_gd = float(np.max(np.abs(1 - lr * lam)))
        verdict = lambda r: f"{r:.3f}" + (" (diverges)" if r >= 1 else "")
        fig.suptitle(f"At lr = {lr:.3g}, momentum = {mu:.2f} the slowest component shrinks by "
                     f"{verdict(r_hb)} per step with momentum, {verdict(r_gd)} without.", fontsize=10)
        fig.tight_layout()
        return fig

    def _ipython_display_(self):
        show_with_sliders(self)


def explore_momentum(eigenvalues=(1.0, 3.0, 10.0, 30.0, 100.0), lr=None, momentum=None, steps=100):
    """The eigen-picture explorer (put the call last in its cell): lr and momentum sliders
    (default Polyak's best for the eigenvalues' range); a static Figure without widgets."""
    ex = MomentumExplorer(eigenvalues, lr, momentum, steps)
    if widget_frontend():
        return ex
    return ex.draw()
