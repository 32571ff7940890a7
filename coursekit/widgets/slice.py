"""Gradient descent on a quadratic seen along its steepest direction: the 2/L story."""
from __future__ import annotations

import numpy as np

from .. import plots
from .explorer import Explorer, new_figure, widget_frontend
from .controls import Slider, outcome


class _LrExplorer(Explorer):
    """GD on a quadratic seen along its steepest eigen-direction, lr slider in units of 1/L."""

    def __init__(self, landscape, x0, steps, lr):
        A = np.asarray(landscape.A, dtype=float)
        evals, evecs = np.linalg.eigh(A)
        self.L = float(evals[-1])
        self.direction = evecs[:, -1]
        center = np.asarray(landscape.minimizers, dtype=float)[0]
        start = center + float(x0) * self.direction
        super().__init__(landscape, "sgd", x0=start, steps=steps,
                         sliders={"lr": Slider(0.01 / self.L, 2.5 / self.L,
                                               lr if lr is not None else 0.5 / self.L,
                                               0.01 / self.L)},
                         figsize=(10, 3.8))

    def draw(self, fig=None, **values):
        traj = self.run(**values)
        fig = new_figure(self.figsize) if fig is None else fig
        fig.clear()
        ax1, ax2 = fig.subplots(1, 2)
        plots.slice_1d(traj.landscape, traj, direction=self.direction, ax=ax1)
        lr = float(traj.hyperparameters["lr"])
        regime = ("approach the minimum monotonically (lr <= 1/L)" if lr <= 1 / self.L else
                  "oscillate around the minimum and converge (1/L < lr < 2/L)" if lr < 2 / self.L else
                  "oscillate and diverge (lr >= 2/L)")
        ax1.set_title(f"At lr = {lr * self.L:.2f}/L the iterates {regime}.", fontsize=9)
        plots.loss_curves({traj.label: traj}, ax=ax2, legend=False)
        ax2.set_title(outcome(traj), fontsize=9)
        fig.tight_layout()
        self.trajectory = traj
        return fig


def explore_lr_1d(landscape=None, x0=1.0, steps=12, lr=None):
    """Gradient descent on a quadratic seen along its steepest direction (eigenvalue L),
    with a learning-rate slider from 0.01/L to 2.5/L: below 1/L the iterates approach the
    minimum from one side, between 1/L and 2/L they jump across it and still converge,
    above 2/L they jump ever further (claim C3).

    landscape: a ``functions.Quadratic`` (default eigenvalues (1, 0.2)); x0: the start's
    distance from the minimizer along that direction; lr: the slider's first value
    (default 0.5/L). Returns the Figure without a widget front end, else an Explorer.
    """
    if landscape is None:
        from ..functions import Quadratic
        landscape = Quadratic([1.0, 0.2])
    if not hasattr(landscape, "A"):
        raise TypeError("landscape: explore_lr_1d needs a quadratic (with a Hessian .A)")
    ex = _LrExplorer(landscape, x0, steps, lr)
    if widget_frontend():
        return ex
    ex.figure = ex.draw()
    return ex.figure
