"""The explorers' controls: sliders, per-landscape setups, and how a run ended in words."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

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


def _grid(slider, value):
    """The control's (min, max, step) for ``slider`` at ``value``: exponents for a log
    slider, the range moved by less than one step so that ``value`` lies on the step grid.
    The front end snaps its handle to that grid; with ``value`` on it, the readout shows the
    number the kernel draws with, and a slider that reports while dragged has nothing to
    send on first render."""
    if slider.log:
        lo, hi, v = math.log10(slider.min), math.log10(slider.max), math.log10(value)
        step = (hi - lo) / 100
    else:
        lo, hi, v = slider.min, slider.max, value
        step = slider.step or (hi - lo) / 100
    lo = min(v, v - math.floor((v - lo) / step + 1e-9) * step)
    hi = max(v, lo + math.floor((hi - lo) / step + 1e-9) * step)
    return lo, hi, step


def slider_widget(name, slider, value=None):
    """The ipywidgets control for ``slider`` (a Slider), labelled ``name``, at ``value``
    (default its own): a log slider in powers of 10, an integer slider when its range
    and step are integers, else a float slider; it reports only when released."""
    import ipywidgets as w

    value = slider.value if value is None else value
    common = dict(description=name, continuous_update=False, style={"description_width": "initial"},
                  layout=w.Layout(width="380px"))
    if all(isinstance(v, numbers.Integral) for v in (slider.min, slider.max, slider.step)) and not slider.log:
        return w.IntSlider(value=value, min=slider.min, max=slider.max, step=slider.step, **common)
    lo, hi, step = _grid(slider, value)
    if slider.log:
        return w.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=step, readout_format=".3g", **common)
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, readout_format=".4g", **common)


def show_with_sliders(explorer):
    """Display ``explorer``'s figure (``explorer.draw()``) above one slider per entry of its
    ``sliders`` ({name: Slider}); moving one stores the value in ``explorer.values`` and
    redraws the figure in place. For explorers with a ``draw(fig=None)`` method."""
    import ipywidgets as w
    from IPython.display import display

    explorer.figure = explorer.draw()
    handle = display(explorer.figure, display_id=True)
    controls = []
    for name, s in explorer.sliders.items():
        c = slider_widget(name, s, explorer.values[name])

        def changed(change, name=name):
            explorer.values[name] = change["new"]
            explorer.draw(explorer.figure)
            handle.update(explorer.figure)
        c.observe(changed, names="value")
        controls.append(c)
    display(w.VBox(controls))


@dataclass(frozen=True)
class Setup:
    """How an explorer shows one landscape: its start ``x0``, plotting ``window``,
    learning-rate slider ``lr`` (a Slider) and number of ``steps``. What is left out
    comes from the landscape: its window, a start inside it, and a log slider from
    0.01/L0 to 2.5/L0 starting at the stable 0.5/L0, with L0 the largest curvature
    (Hessian eigenvalue) at the start."""
    landscape: object
    x0: tuple | None = None
    window: tuple | None = None
    lr: Slider | None = None
    steps: int | None = None


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
        from .. import functions
        return functions.get(landscape)
    return landscape


def _curvature_lr(landscape, x0):
    """A log lr slider around 0.5/L0, L0 = the largest |Hessian eigenvalue| at x0."""
    try:
        L0 = float(np.max(np.abs(np.linalg.eigvalsh(np.asarray(landscape.hessian(x0), dtype=float)))))
    except (AttributeError, NotImplementedError, np.linalg.LinAlgError, ValueError):
        L0 = 0.0
    if not (math.isfinite(L0) and L0 > 0):
        return DEFAULT_SLIDERS["sgd"]["lr"]
    return Slider(0.01 / L0, 2.5 / L0, 0.5 / L0, log=True)


def _complete(setup, x0=None, steps=50, lr=None):
    """A Setup with every field filled (explicit fields win, then x0/steps/lr, then defaults)."""
    if not isinstance(setup, Setup):
        setup = Setup(setup)
    landscape = _resolve_landscape(setup.landscape)
    start = setup.x0 if setup.x0 is not None else x0
    start = np.asarray(start if start is not None else _default_start(landscape), dtype=float)
    window = setup.window if setup.window is not None else getattr(landscape, "window", None)
    slider = setup.lr or (_as_slider("lr", lr) if lr is not None else _curvature_lr(landscape, start))
    return Setup(landscape, tuple(start.tolist()), window, slider, int(setup.steps or steps))


def outcome(traj) -> str:
    """A sentence saying how a run ended (for a title), not the run's log message."""
    if traj.diverged:
        return f"The run diverges at step {traj.diverged_at}."
    loss = float(traj.losses[-1])
    fstar = getattr(traj.landscape, "minimum", None)
    if fstar is not None and math.isfinite(fstar):
        return f"After {traj.steps} steps f - f* = {max(loss - fstar, 0.0):.2g}."
    return f"After {traj.steps} steps the loss is {loss:.3g}."


def _default_start(landscape):
    start = getattr(landscape, "start", None)
    if start is not None:
        return np.asarray(start, dtype=float)
    (x0, x1), (y0, y1) = landscape.window
    return np.array([x0 + 0.15 * (x1 - x0), y0 + 0.8 * (y1 - y0)])


def _set_range(control, slider, value):
    """Move a slider widget to a new range and value (log sliders take exponents)."""
    lo, hi, step = _grid(slider, value)
    control.min, control.max = min(lo, control.min), max(hi, control.max)
    control.value = value
    control.min, control.max, control.step = lo, hi, step
