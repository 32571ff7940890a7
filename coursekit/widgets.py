"""Interactive explorers for the notebooks (ipywidgets), with a static fallback.

``explore(landscape, optimizer)`` shows sliders for the optimizer's hyperparameters
(a log slider for the learning rate) and redraws the contour map with the path, next
to the loss curve, whenever a slider moves. ``explore_lr_1d()`` shows gradient descent
on a 1-D slice of a quadratic with a learning-rate slider (the 2/L story).

Without a widget front end (not in an IPython kernel, ipywidgets missing, or the
environment variable ``COURSEKIT_STATIC=1``, which ``make test`` sets) each explorer
draws one static figure for the default values and returns it. In a kernel the
explorer's figure is an ordinary image output, updated in place when a slider moves,
so a notebook executed headless still shows it (on GitHub too).

Put the call last in its cell: the returned object (Figure or Explorer) displays itself.
"""
from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass

import numpy as np

from . import plots
from .runs import minimize

__all__ = ["explore", "explore_lr_1d", "Explorer", "Slider", "DEFAULT_SLIDERS",
           "widget_frontend"]


@dataclass(frozen=True)
class Slider:
    """A hyperparameter's slider: range ``[min, max]``, starting ``value``; ``log``
    spaces it logarithmically (learning rates); ``step`` is the linear step."""
    min: float
    max: float
    value: float
    step: float | None = None
    log: bool = False

    def __post_init__(self):
        if not self.min <= self.value <= self.max:
            raise ValueError(f"Slider: value {self.value} outside [{self.min}, {self.max}]")
        if self.log and not self.min > 0:
            raise ValueError(f"Slider: a log slider needs min > 0, got {self.min}")


def _lr(lo, hi, value):
    return Slider(lo, hi, value, log=True)


#: default sliders per optimizer name (lower case)
DEFAULT_SLIDERS = {
    "sgd": {"lr": _lr(1e-3, 1.0, 0.05), "momentum": Slider(0.0, 0.99, 0.0, 0.01)},
    "adagrad": {"lr": _lr(1e-3, 10.0, 0.5)},
    "rmsprop": {"lr": _lr(1e-4, 1.0, 0.01), "alpha": Slider(0.5, 0.999, 0.99, 0.001),
                "momentum": Slider(0.0, 0.99, 0.0, 0.01)},
    "adam": {"lr": _lr(1e-4, 1.0, 0.05), "beta1": Slider(0.0, 0.999, 0.9, 0.001),
             "beta2": Slider(0.5, 0.9999, 0.999, 0.0001)},
    "adamw": {"lr": _lr(1e-4, 1.0, 0.05), "beta1": Slider(0.0, 0.999, 0.9, 0.001),
              "beta2": Slider(0.5, 0.9999, 0.999, 0.0001),
              "weight_decay": Slider(0.0, 0.5, 0.01, 0.01)},
}

_RESERVED = ("landscape", "x0_1", "x0_2", "steps")


def widget_frontend() -> bool:
    """True when interactive widgets can be shown: inside an IPython kernel, with
    ipywidgets importable, and ``COURSEKIT_STATIC`` unset (or 0)."""
    if os.environ.get("COURSEKIT_STATIC", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    return _in_kernel() and _has_ipywidgets()


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _has_ipywidgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def _new_figure(figsize):
    """A new Figure. Inside a kernel it is closed in pyplot right away, so that it is shown
    exactly once (as the cell's result or through its display handle), not again by the
    inline backend at the end of the cell; creating it through pyplot still loads that
    backend, which teaches IPython to render figures as PNG."""
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=figsize)
    if _in_kernel():
        plt.close(fig)
    return fig


def _as_slider(name, spec):
    if isinstance(spec, Slider):
        return spec
    if isinstance(spec, (list, tuple)) and 3 <= len(spec) <= 5 and all(
            isinstance(v, numbers.Real) for v in spec[:3]):
        return Slider(*spec)
    raise ValueError(f"sliders[{name!r}]: expected a Slider or (min, max, value[, step[, log]]), "
                     f"got {spec!r}")


def _optimizer_name(optimizer) -> str:
    if isinstance(optimizer, str):
        return optimizer.lower()
    return getattr(optimizer, "__name__", type(optimizer).__name__).lower()


def _resolve_landscape(landscape):
    if isinstance(landscape, str):
        from . import functions
        return functions.get(landscape)
    return landscape


def _default_start(landscape):
    start = getattr(landscape, "start", None)
    if start is not None:
        return np.asarray(start, dtype=float)
    (x0, x1), (y0, y1) = landscape.window
    return np.array([x0 + 0.15 * (x1 - x0), y0 + 0.8 * (y1 - y0)])


class Explorer:
    """An optimizer's path on a landscape as a function of slider values.

    ``run(**values)`` computes the path (a Trajectory) for given slider values,
    ``draw(**values)`` draws it (contour map with the path, and the loss curve), and
    displaying the explorer in a kernel shows the controls and the figure.
    """

    def __init__(self, landscape, optimizer="sgd", x0=None, steps=50, sliders=None,
                 landscapes=None, start_sliders=False, show_loss=True, figsize=None, **fixed):
        self.landscapes = None
        if landscapes is not None:
            items = landscapes.items() if isinstance(landscapes, dict) else \
                [(n if isinstance(n, str) else getattr(n, "name", repr(n)), n) for n in landscapes]
            self.landscapes = {k: _resolve_landscape(v) for k, v in items}
            if landscape is None:
                landscape = next(iter(self.landscapes))
        if isinstance(landscape, str) and self.landscapes and landscape in self.landscapes:
            landscape = self.landscapes[landscape]
        self.landscape = _resolve_landscape(landscape)
        if not hasattr(self.landscape, "value_and_grad"):
            raise TypeError("landscape must be a landscape object (with .value_and_grad and "
                            f".window) or its name, got {type(self.landscape).__name__}")
        self.optimizer = optimizer
        self.x0 = None if x0 is None else np.asarray(x0, dtype=float)
        if not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        self.steps = int(steps)
        self.fixed = fixed
        self.show_loss = show_loss
        self.figsize = figsize or ((10, 4) if show_loss else (5.5, 4.5))
        if sliders is None:
            name = _optimizer_name(optimizer)
            if name not in DEFAULT_SLIDERS:
                raise ValueError(f"sliders: no default sliders for optimizer {name!r}; pass "
                                 f"sliders={{'lr': Slider(...), ...}}")
            sliders = {k: v for k, v in DEFAULT_SLIDERS[name].items() if k not in fixed}
        self.sliders = {k: _as_slider(k, v) for k, v in sliders.items()}
        if start_sliders:
            (a0, a1), (b0, b1) = self.landscape.window
            s = self._start(self.landscape)
            self.sliders["x0_1"] = Slider(a0, a1, float(np.clip(s[0], a0, a1)), (a1 - a0) / 100)
            self.sliders["x0_2"] = Slider(b0, b1, float(np.clip(s[1], b0, b1)), (b1 - b0) / 100)
        self.figure = None
        self._handle = None

    # -- the computation behind a redraw (testable without a front end)
    @property
    def defaults(self) -> dict:
        """The starting value of every control."""
        vals = {k: s.value for k, s in self.sliders.items()}
        if self.landscapes is not None:
            vals["landscape"] = next(k for k, v in self.landscapes.items() if v is self.landscape) \
                if any(v is self.landscape for v in self.landscapes.values()) else \
                next(iter(self.landscapes))
        return vals

    def _start(self, landscape):
        return self.x0 if self.x0 is not None else _default_start(landscape)

    def config(self, **values):
        """(landscape, x0, steps, optimizer kwargs) for the given control values
        (missing ones take their defaults; beta1/beta2 become ``betas``)."""
        unknown = set(values) - set(self.sliders) - set(_RESERVED)
        if unknown:
            raise ValueError(f"values: unknown control(s) {sorted(unknown)}; the controls "
                             f"are {sorted(self.defaults)}")
        vals = {**self.defaults, **values}
        landscape = vals.pop("landscape", None)
        landscape = self.landscape if landscape is None else (
            self.landscapes[landscape] if isinstance(landscape, str) and self.landscapes
            and landscape in self.landscapes else _resolve_landscape(landscape))
        x0 = self._start(landscape)
        if "x0_1" in vals or "x0_2" in vals:
            x0 = np.array([vals.pop("x0_1", x0[0]), vals.pop("x0_2", x0[1])], dtype=float)
        steps = int(vals.pop("steps", self.steps))
        kwargs = {**self.fixed, **vals}
        if "beta1" in kwargs or "beta2" in kwargs:
            b1, b2 = kwargs.get("betas", (0.9, 0.999))
            kwargs["betas"] = (float(kwargs.pop("beta1", b1)), float(kwargs.pop("beta2", b2)))
        return landscape, x0, steps, kwargs

    def run(self, **values):
        """The optimizer's Trajectory for these control values."""
        landscape, x0, steps, kwargs = self.config(**values)
        return minimize(landscape, x0, self.optimizer, steps, **kwargs)

    def draw(self, fig=None, **values):
        """Draw the path (and loss curve) for these control values; returns the Figure."""
        traj = self.run(**values)
        fig = _new_figure(self.figsize) if fig is None else fig
        fig.clear()
        axes = fig.subplots(1, 2) if self.show_loss else [fig.add_subplot()]
        plots.contour(traj.landscape, traj, ax=axes[0], legend=False)
        axes[0].set_title(f"{getattr(traj.landscape, 'name', '')}: {traj.label}", fontsize=9)
        if self.show_loss:
            fstar = getattr(traj.landscape, "minimum", None)
            plots.loss_curves({traj.label: traj}, ax=axes[1], gap=fstar is not None,
                              legend=False)
            axes[1].set_title(traj.message, fontsize=9)
        fig.tight_layout()
        self.trajectory = traj
        return fig

    # -- the front end
    def _controls(self):
        import ipywidgets as w
        style = {"description_width": "initial"}
        controls = {}
        if self.landscapes is not None:
            controls["landscape"] = w.Dropdown(options=list(self.landscapes),
                                               value=self.defaults["landscape"],
                                               description="landscape")
        for name, s in self.sliders.items():
            common = dict(description=name, continuous_update=False, style=style,
                          layout=w.Layout(width="380px"))
            if s.log:
                lo, hi = math.log10(s.min), math.log10(s.max)
                controls[name] = w.FloatLogSlider(value=s.value, base=10, min=lo, max=hi,
                                                  step=(hi - lo) / 100, readout_format=".2e",
                                                  **common)
            else:
                step = s.step or (s.max - s.min) / 100
                controls[name] = w.FloatSlider(value=s.value, min=s.min, max=s.max, step=step,
                                               readout_format=".4g", **common)
        return controls

    def _ipython_display_(self):
        from IPython.display import display
        import ipywidgets as w
        controls = self._controls()
        self.figure = self.draw()
        self.controls = controls

        def redraw(_change=None):
            values = {k: c.value for k, c in controls.items()}
            try:
                self.draw(fig=self.figure, **values)
            except Exception as exc:   # a bad combination: say so on the figure
                self.figure.clear()
                self.figure.text(0.5, 0.5, f"{type(exc).__name__}: {exc}", ha="center",
                                 wrap=True)
            if self._handle is not None:
                self._handle.update(self.figure)

        for c in controls.values():
            c.observe(redraw, names="value")
        display(w.VBox(list(controls.values())))
        self._handle = display(self.figure, display_id=True)

    def __repr__(self):
        return (f"Explorer({getattr(self.landscape, 'name', '')}, {_optimizer_name(self.optimizer)}, "
                f"sliders={list(self.sliders)})")


def explore(landscape, optimizer="sgd", x0=None, steps=50, sliders=None, *, landscapes=None,
            start_sliders=False, show_loss=True, **fixed):
    """Explore an optimizer on a landscape with sliders for its hyperparameters.

    landscape: a landscape object or name (``functions.get``); ``landscapes`` (a list
        of names or a dict) adds a dropdown to switch between them.
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


# ----------------------------------------------------------------------------- 1-D slice

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
        fig = _new_figure(self.figsize) if fig is None else fig
        fig.clear()
        ax1, ax2 = fig.subplots(1, 2)
        plots.slice_1d(traj.landscape, traj, direction=self.direction, ax=ax1)
        lr = float(traj.hyperparameters["lr"])
        regime = ("monotone (lr <= 1/L)" if lr <= 1 / self.L else
                  "oscillating, converging (1/L < lr < 2/L)" if lr < 2 / self.L else
                  "diverging (lr >= 2/L)")
        ax1.set_title(f"lr = {lr * self.L:.2f}/L: {regime}", fontsize=9)
        plots.loss_curves({traj.label: traj}, ax=ax2, legend=False)
        ax2.set_title(traj.message, fontsize=9)
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
        from .functions import Quadratic
        landscape = Quadratic([1.0, 0.2])
    if not hasattr(landscape, "A"):
        raise TypeError("landscape: explore_lr_1d needs a quadratic (with a Hessian .A)")
    ex = _LrExplorer(landscape, x0, steps, lr)
    if widget_frontend():
        return ex
    ex.figure = ex.draw()
    return ex.figure
