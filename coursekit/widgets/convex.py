"""Chapter 3's explorer: GD, heavy ball, Newton and CG on one 2-D quadratic.

``quadratic_paths(kappa, angle)`` runs the four methods (the computation; no plotting) on
f(x) = 1/2 x^T A x with eigenvalues (1, kappa) rotated by ``angle`` degrees, each with its
textbook step: GD with lr = 1/L, heavy ball with Polyak's tuned lr and momentum, pure
Newton, and CG. ``explore_conditioning()`` shows them on one contour map with sliders for
kappa (log scale) and the rotation; without a widget front end (``COURSEKIT_STATIC=1``,
no kernel, no ipywidgets) it draws the default picture once and returns the Figure.
"""
from __future__ import annotations

import math

import numpy as np

from .. import convex, functions, optim
from ..runs import minimize

__all__ = ["quadratic_paths", "explore_conditioning", "ConditioningExplorer"]


def quadratic_paths(kappa=30.0, angle=30.0, x0=(-2.5, 2.0), steps=30):
    """{method: Trajectory} on the quadratic with eigenvalues (1, kappa) rotated by ``angle`` degrees.

    Returns (landscape, paths). Heavy ball uses lr = 4 / (sqrt L + sqrt mu)^2 and momentum
    ((sqrt kappa - 1) / (sqrt kappa + 1))^2, the tuned values for a quadratic (Polyak 1964).
    """
    kappa = float(kappa)
    if not kappa >= 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    q = functions.Quadratic([1.0, kappa], angle=math.radians(float(angle)))
    x0 = np.asarray(x0, dtype=float)
    root = math.sqrt(kappa)
    paths = {
        "GD (lr = 1/L)": minimize(q, x0, optim.SGD, steps, lr=1.0 / kappa),
        "heavy ball (tuned)": minimize(q, x0, optim.SGD, steps, lr=4.0 / (root + 1) ** 2,
                                       momentum=((root - 1) / (root + 1)) ** 2),
        "Newton": convex.newton(q, x0, steps=steps, line_search=False),
        "CG": convex.conjugate_gradient(q.A, np.zeros(2), x0, tol=1e-12),
    }
    return q, paths


def _draw(fig, kappa, angle, steps=30):
    from ..plots.convex import method_paths
    fig.clear()
    q, paths = quadratic_paths(kappa, angle, steps=steps)
    method_paths(q, paths, fig=fig)
    return fig


class ConditioningExplorer:
    """Sliders for kappa and the rotation; the contour map with the four paths redraws."""

    def __init__(self, kappa=30.0, angle=30.0, steps=30):
        if not 1 <= float(kappa) <= 1000:
            raise ValueError(f"kappa must be in [1, 1000] (the slider's range), got {kappa}")
        if not 0 <= float(angle) <= 180:
            raise ValueError(f"angle must be in [0, 180] degrees (the slider's range), got {angle}")
        self.kappa, self.angle, self.steps = kappa, angle, steps
        self.figure, self._handle = None, None

    def _ipython_display_(self):
        import ipywidgets as w
        import matplotlib.pyplot as plt
        from IPython.display import display

        from .controls import Slider, slider_widget
        kappa = slider_widget("kappa", Slider(1.0, 1000.0, float(self.kappa), log=True))
        angle = slider_widget("angle (deg)", Slider(0.0, 180.0, float(self.angle), 5.0))
        self.figure = plt.figure(figsize=(10, 4.2))
        plt.close(self.figure)
        _draw(self.figure, kappa.value, angle.value, self.steps)

        def redraw(_change=None):
            _draw(self.figure, kappa.value, angle.value, self.steps)
            self._handle.update(self.figure)

        kappa.observe(redraw, names="value")
        angle.observe(redraw, names="value")
        display(w.HBox([kappa, angle]))
        self._handle = display(self.figure, display_id=True)


def explore_conditioning(kappa=30.0, angle=30.0, steps=30):
    """The explorer in a kernel with ipywidgets; otherwise one static Figure for these values."""
    from .explorer import widget_frontend
    if widget_frontend():
        return ConditioningExplorer(kappa, angle, steps)
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(10, 4.2))
    plt.close(fig)          # shown once, as the cell's result (not again by the inline backend)
    return _draw(fig, kappa, angle, steps)
