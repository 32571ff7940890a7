"""Interactive explorers for the notebooks (ipywidgets), with a static fallback.

``explore(landscape, optimizer)`` shows sliders for the optimizer's hyperparameters
(a log slider for the learning rate) and redraws the contour map with the path, next
to the loss curve, whenever a slider moves. ``explore_lr_1d()`` shows gradient descent
on a 1-D slice of a quadratic with a learning-rate slider (the 2/L story);
``explore_momentum()`` ties lr and momentum sliders to heavy ball's eigen-picture.

Without a widget front end (not in an IPython kernel, ipywidgets missing, or the
environment variable ``COURSEKIT_STATIC=1``, which ``make test`` sets) each explorer
draws one static figure for the default values and returns it. In a kernel the
explorer's figure is an ordinary image output, updated in place when a slider moves,
so a notebook executed headless still shows it (on GitHub too).

Put the call last in its cell: the returned object (Figure or Explorer) displays itself.
"""
from __future__ import annotations

from .controls import DEFAULT_SLIDERS, Setup, Slider, _default_start, outcome  # noqa: F401
from .explorer import Explorer, widget_frontend
from .slice import explore_lr_1d
from .momentum import explore_momentum

__all__ = ["explore", "explore_lr_1d", "explore_momentum", "Explorer", "Slider", "Setup", "DEFAULT_SLIDERS",
           "widget_frontend", "outcome"]


def explore(landscape, optimizer="sgd", x0=None, steps=50, sliders=None, *, landscapes=None,
            start_sliders=False, show_loss=True, **fixed):
    """Explore an optimizer on a landscape with sliders for its hyperparameters.

    landscape: a landscape object or name (``functions.get``); ``landscapes`` (a list
        of names or a dict ``{label: landscape or Setup}``) adds a dropdown to switch
        between them; each landscape then has its own start, window, lr slider and steps
        (:class:`Setup`; unset ones from the landscape, with a stable default lr).
    optimizer: a name of ``optim.OPTIMIZERS`` or an optimizer class.
    x0: starting point (default: the landscape's ``start`` or a corner of its window);
        ``start_sliders=True`` adds sliders for it.
    sliders: ``{name: Slider(min, max, value, step, log)}`` (tuples accepted); default
        :data:`DEFAULT_SLIDERS` for the optimizer (``beta1``/``beta2`` set ``betas``).
    fixed: hyperparameters held fixed (``nesterov=True``, ...).

    With a widget front end: returns an :class:`Explorer` that shows its controls and
    figure when displayed (put the call last in the cell). Without: draws the default
    values once and returns the matplotlib Figure.
    """
    ex = Explorer(landscape, optimizer, x0=x0, steps=steps, sliders=sliders,
                  landscapes=landscapes, start_sliders=start_sliders, show_loss=show_loss,
                  **fixed)
    if widget_frontend():
        return ex
    ex.figure = ex.draw()
    return ex.figure
