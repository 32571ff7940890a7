"""The explorer behind ``widgets.explore``: sliders, a contour map with the path, a loss curve;
and the probe for a widget front end (static figures without one)."""
from __future__ import annotations

import math
import numbers
import os

import numpy as np

from .. import plots
from ..runs import minimize
from .controls import (DEFAULT_SLIDERS, Setup, Slider, _RESERVED, _as_slider, _complete, _lr, slider_widget,  # noqa: F401
                       _optimizer_name, _resolve_landscape, _set_range, outcome)

__all__ = ["Explorer", "widget_frontend", "new_figure"]


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


def new_figure(figsize):
    """A new Figure. Inside a kernel it is closed in pyplot right away, so that it is shown
    exactly once (as the cell's result or through its display handle), not again by the
    inline backend at the end of the cell; creating it through pyplot still loads that
    backend, which teaches IPython to render figures as PNG."""
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=figsize)
    if _in_kernel():
        plt.close(fig)
    return fig


class Explorer:
    """An optimizer's path on a landscape as a function of slider values.

    ``run(**values)`` computes the path (a Trajectory) for given slider values,
    ``draw(**values)`` draws it (contour map with the path, and the loss curve), and
    displaying the explorer in a kernel shows the controls and the figure.
    """

    def __init__(self, landscape, optimizer="sgd", x0=None, steps=50, sliders=None,
                 landscapes=None, start_sliders=False, show_loss=True, figsize=None, **fixed):
        self.landscapes, self.setups = None, None
        if landscapes is not None:
            items = landscapes.items() if isinstance(landscapes, dict) else [
                (n if isinstance(n, str) else getattr(getattr(n, "landscape", n), "name", repr(n)), n)
                for n in landscapes]
            raw = {k: v if isinstance(v, Setup) else Setup(v) for k, v in items}
            self.setups = {k: Setup(_resolve_landscape(v.landscape), v.x0, v.window, v.lr, v.steps)
                           for k, v in raw.items()}
            self.landscapes = {k: v.landscape for k, v in self.setups.items()}
            if landscape is None:
                landscape = next(iter(self.landscapes))
        if isinstance(landscape, Setup):
            landscape = landscape.landscape
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
        given_lr = sliders.get("lr") if isinstance(sliders, dict) else None
        if sliders is None:
            name = _optimizer_name(optimizer)
            if name not in DEFAULT_SLIDERS:
                raise ValueError(f"sliders: no default sliders for optimizer {name!r}; pass "
                                 f"sliders={{'lr': Slider(...), ...}}")
            sliders = {k: v for k, v in DEFAULT_SLIDERS[name].items() if k not in fixed}
        self.sliders = {k: _as_slider(k, v) for k, v in sliders.items()}
        if self.setups is not None:    # every landscape its own start, window, lr slider, steps
            first = self._name_of(self.landscape)
            self.setups = {k: _complete(v, *((self.x0, self.steps, given_lr) if k == first else (None, self.steps)))
                           for k, v in self.setups.items()}
            if "lr" in self.sliders and first is not None:
                self.sliders["lr"] = self.setups[first].lr
        self.start_sliders = bool(start_sliders)
        if start_sliders:
            self.sliders.update(self._start_sliders(self._setup(self.landscape)))
        self.figure = None
        self._handle = None

    def _name_of(self, landscape):
        return next((k for k, v in (self.landscapes or {}).items() if v is landscape), None)

    def _setup(self, landscape):
        """The complete Setup of a landscape (its own with ``landscapes``, else from the explorer)."""
        name = self._name_of(landscape)
        if name is not None:
            return self.setups[name]
        return _complete(Setup(landscape), self.x0, self.steps, self.sliders.get("lr", _lr(1e-3, 1.0, 0.05)))

    @staticmethod
    def _start_sliders(setup):
        (a0, a1), (b0, b1) = setup.window
        s = setup.x0
        return {"x0_1": Slider(a0, a1, float(np.clip(s[0], a0, a1)), (a1 - a0) / 100),
                "x0_2": Slider(b0, b1, float(np.clip(s[1], b0, b1)), (b1 - b0) / 100)}

    # -- the computation behind a redraw (testable without a front end)
    @property
    def defaults(self) -> dict:
        """The starting value of every control (for the landscape shown first)."""
        vals = {k: s.value for k, s in self.sliders.items()}
        if self.landscapes is not None:
            vals["landscape"] = self._name_of(self.landscape) or next(iter(self.landscapes))
        return vals

    def defaults_for(self, name) -> dict:
        """The controls' starting values once landscape ``name`` is chosen: its own start and lr."""
        vals = {**self.defaults, "landscape": name}
        setup = self.setups[name]
        if "lr" in vals:
            vals["lr"] = setup.lr.value
        if self.start_sliders:
            vals.update({k: v.value for k, v in self._start_sliders(setup).items()})
        return vals

    def _start(self, landscape):
        return np.asarray(self._setup(landscape).x0, dtype=float)

    def config(self, **values):
        """(landscape, x0, steps, optimizer kwargs) for the given control values
        (missing ones take the chosen landscape's defaults; beta1/beta2 become ``betas``)."""
        unknown = set(values) - set(self.sliders) - set(_RESERVED)
        if unknown:
            raise ValueError(f"values: unknown control(s) {sorted(unknown)}; the controls "
                             f"are {sorted(self.defaults)}")
        chosen = values.get("landscape")
        if isinstance(chosen, str) and self.setups and chosen in self.setups:
            vals = {**self.defaults_for(chosen), **values}
        else:
            vals = {**self.defaults, **values}
        landscape = vals.pop("landscape", None)
        landscape = self.landscape if landscape is None else (
            self.landscapes[landscape] if isinstance(landscape, str) and self.landscapes
            and landscape in self.landscapes else _resolve_landscape(landscape))
        x0 = self._start(landscape)
        if "x0_1" in vals or "x0_2" in vals:
            x0 = np.array([vals.pop("x0_1", x0[0]), vals.pop("x0_2", x0[1])], dtype=float)
        steps = int(vals.pop("steps", self._setup(landscape).steps))
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
        fig = new_figure(self.figsize) if fig is None else fig
        fig.clear()
        axes = fig.subplots(1, 2) if self.show_loss else [fig.add_subplot()]
        setup = self._setup(traj.landscape)
        plots.contour(traj.landscape, traj, ax=axes[0], legend=False, window=setup.window)
        name = self._name_of(traj.landscape) or plots.landscape_title(traj.landscape)
        axes[0].set_title(f"{name}: the path of {traj.label}.", fontsize=9)
        if self.show_loss:
            fstar = getattr(traj.landscape, "minimum", None)
            gap = fstar is not None and math.isfinite(fstar)
            plots.loss_curves({traj.label: traj}, ax=axes[1], gap=gap, legend=False,
                              floor=1e-16 if gap else None)
            axes[1].set_title(outcome(traj), fontsize=9)
        fig.tight_layout()
        self.trajectory = traj
        return fig

    # -- the front end
    def _controls(self):
        import ipywidgets as w
        controls = {}
        if self.landscapes is not None:
            controls["landscape"] = w.Dropdown(options=list(self.landscapes),
                                               value=self.defaults["landscape"],
                                               description="landscape")
        for name, s in self.sliders.items():
            controls[name] = slider_widget(name, s)
        return controls

    def _ipython_display_(self):
        from IPython.display import display
        import ipywidgets as w
        controls = self._controls()
        self.figure = self.draw()
        self.controls = controls

        busy = []

        def redraw(_change=None):
            if busy:
                return
            values = {k: c.value for k, c in controls.items()}
            try:
                self.draw(fig=self.figure, **values)
            except Exception as exc:   # a bad combination: say so on the figure
                self.figure.clear()
                self.figure.text(0.5, 0.5, f"{type(exc).__name__}: {exc}", ha="center",
                                 wrap=True)
            if self._handle is not None:
                self._handle.update(self.figure)

        def switch(change):            # a new landscape brings its own start, lr range and default lr
            busy.append(1)
            try:
                setup = self.setups[change["new"]]
                specs = {"lr": setup.lr, **(self._start_sliders(setup) if self.start_sliders else {})}
                for k, spec in specs.items():
                    if k in controls:
                        _set_range(controls[k], spec, spec.value)
            finally:
                busy.clear()
            redraw()

        for k, c in controls.items():
            c.observe(switch if k == "landscape" else redraw, names="value")
        display(w.VBox(list(controls.values())))
        self._handle = display(self.figure, display_id=True)

    def __repr__(self):
        return (f"Explorer({getattr(self.landscape, 'name', '')}, {_optimizer_name(self.optimizer)}, "
                f"sliders={list(self.sliders)})")
