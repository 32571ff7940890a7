"""A race: several optimizers on one contour map, each with its own settings (ipywidgets).

``race()`` shows a landscape dropdown, an optimizer dropdown and sliders for the chosen
optimizer's lr and momentum (or betas); every racer keeps its own settings and all run
from the same start. Each landscape brings its own start, window, slider ranges and
default settings (stable ones, not all tuned: on the ravine Adam at lr 0.1 keeps circling);
switching the landscape resets them all. Each racer gets its own small contour map, so that
no path hides another. Without a widget front end it draws the defaults once and returns the Figure.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from .. import functions, plots
from ..runs import minimize
from .controls import Slider, slider_widget
from .explorer import new_figure, widget_frontend

__all__ = ["Track", "TRACKS", "RACERS", "Race", "race"]

#: racer -> (optimizer name, fixed hyperparameters)
RACERS = {
    "GD": ("sgd", {}),
    "momentum": ("sgd", {}),
    "Nesterov": ("sgd", {"nesterov": True}),
    "RMSProp": ("rmsprop", {}),
    "Adam": ("adam", {}),
}


@dataclass
class Track:
    """A landscape with what a race on it needs: start, steps, lr slider range, defaults per racer."""

    landscape: object
    start: tuple
    steps: int
    lr_range: dict                     # racer -> (min, max) of its log lr slider
    defaults: dict = field(default_factory=dict)   # racer -> {"lr": ..., "momentum"/"beta1"/"beta2": ...}


TRACKS = {
    "ravine": Track(functions.Ravine(condition_number=50.0), (-2.0, 1.6), 80,
                    {"GD": (1e-3, 0.1), "momentum": (1e-3, 0.1), "Nesterov": (1e-3, 0.1),
                     "RMSProp": (1e-3, 1.0), "Adam": (1e-3, 1.0)},
                    {"GD": {"lr": 0.035}, "momentum": {"lr": 0.02, "momentum": 0.7},
                     "Nesterov": {"lr": 0.02, "momentum": 0.7}, "RMSProp": {"lr": 0.05},
                     "Adam": {"lr": 0.1, "beta1": 0.9, "beta2": 0.999}}),
    "rosenbrock": Track(functions.Rosenbrock(), (-1.2, 1.0), 400,
                        {"GD": (1e-5, 3e-3), "momentum": (1e-5, 3e-3), "Nesterov": (1e-5, 3e-3),
                         "RMSProp": (1e-4, 0.1), "Adam": (1e-4, 0.3)},
                        {"GD": {"lr": 1.5e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9},
                         "Nesterov": {"lr": 1e-3, "momentum": 0.9}, "RMSProp": {"lr": 3e-3},
                         "Adam": {"lr": 0.03, "beta1": 0.9, "beta2": 0.999}}),
}


def _kwargs(racer, setting):
    name, fixed = RACERS[racer]
    kw = dict(fixed, lr=setting["lr"])
    if "momentum" in setting:
        kw["momentum"] = setting["momentum"]
    if "beta1" in setting:
        kw["betas"] = (setting["beta1"], setting["beta2"])
    return name, kw


class Race:
    """The state of a race: the track, and every racer's settings (``settings[racer]``)."""

    def __init__(self, track="ravine", racers=tuple(RACERS)):
        unknown = [r for r in racers if r not in RACERS]
        if unknown or not racers:
            raise ValueError(f"racers must be names of RACERS {list(RACERS)}, got {list(racers)}")
        self.racers = list(racers)
        self.select(track)

    def select(self, track):
        """Switch to ``track`` (a key of TRACKS): start, ranges and every racer's settings reset."""
        if track not in TRACKS:
            raise ValueError(f"track must be one of {list(TRACKS)}, got {track!r}")
        self.track_name, self.track = track, TRACKS[track]
        self.settings = {r: copy.deepcopy(self.track.defaults[r]) for r in self.racers}

    def sliders(self, racer) -> dict:
        """The sliders of ``racer`` on the current track, at its current settings."""
        lo, hi = self.track.lr_range[racer]
        s = self.settings[racer]
        out = {"lr": Slider(lo, hi, s["lr"], log=True)}
        if "momentum" in s:
            out["momentum"] = Slider(0.0, 0.99, s["momentum"], 0.01)
        if "beta1" in s:
            out["beta1"] = Slider(0.0, 0.99, s["beta1"], 0.01)
            out["beta2"] = Slider(0.9, 0.9999, s["beta2"], 0.0001)
        return out

    def run(self) -> dict:
        """Every racer's Trajectory from the track's start, {racer: Trajectory}."""
        out = {}
        for r in self.racers:
            name, kw = _kwargs(r, self.settings[r])
            out[r] = minimize(self.track.landscape, np.array(self.track.start, float), name,
                              self.track.steps, **kw)
        return out

    def draw(self, fig=None):
        """One contour map per racer (top row: no path hides another) and all loss curves
        (below); returns the Figure, whose suptitle names the racer that ends lowest."""
        n = len(self.racers)
        fig = new_figure((max(11, 2.6 * n), 7.2)) if fig is None else fig
        fig.clear()
        grid = fig.add_gridspec(2, n, height_ratios=[1, 1.1])
        runs = self.run()
        final = {r: float(t.final_loss) if not t.diverged and math.isfinite(t.final_loss) else math.inf
                 for r, t in runs.items()}
        for k, (r, traj) in enumerate(runs.items()):
            ax = fig.add_subplot(grid[0, k])
            plots.contour(self.track.landscape, {r: traj}, ax=ax, levels=25, legend=False,
                          markersize=2.0)
            lost = "diverges" if not math.isfinite(final[r]) else f"ends at {final[r]:.2g}"
            ax.set_title(f"{r}: {lost}", fontsize=9, color=f"C{k}")
            ax.set(xlabel="", ylabel="")
            for line in ax.get_lines():
                if line.get_gid() == "trajectory":
                    line.set_color(f"C{k}")
        best = min(final, key=final.get)
        fig.suptitle(f"{n} optimizers from one start on the {self.track_name}: "
                     f"{best} ends lowest" if math.isfinite(final[best]) else
                     f"Every optimizer diverges on the {self.track_name} at these settings", fontsize=10)
        ax2 = fig.add_subplot(grid[1, :])
        plots.loss_curves(runs, ax=ax2)
        ax2.set(title=f"{best} reaches loss {final[best]:.2g} in {self.track.steps} steps"
                if math.isfinite(final[best]) else "No run keeps a finite loss",
                xlabel="step", ylabel="loss")
        fig.tight_layout()
        return fig

    def _ipython_display_(self):
        import ipywidgets as w
        from IPython.display import display

        track = w.Dropdown(options=list(TRACKS), value=self.track_name, description="landscape")
        racer = w.Dropdown(options=self.racers, value=self.racers[0], description="optimizer")
        box = w.VBox([])
        self.figure = self.draw()
        handle = display(self.figure, display_id=True)

        def redraw(_=None):
            self.draw(self.figure)
            handle.update(self.figure)

        def rebuild(_=None):
            controls = []
            for name, s in self.sliders(racer.value).items():
                c = slider_widget(name, s)
                c.observe(lambda ch, n=name: (self.settings[racer.value].__setitem__(n, ch["new"]), redraw()),
                          names="value")
                controls.append(c)
            box.children = [track, racer] + controls

        def switch_track(change):
            self.select(change["new"])
            rebuild()
            redraw()

        track.observe(switch_track, names="value")
        racer.observe(rebuild, names="value")
        rebuild()
        display(box)


def race(track="ravine", racers=tuple(RACERS)):
    """The race explorer (put the call last in its cell); a static Figure without widgets."""
    r = Race(track, racers)
    if widget_frontend():
        return r
    return r.draw()
