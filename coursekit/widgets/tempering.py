"""Replica exchange explorer (chapter 4): how the temperature ladder decides what the cold replica finds.

``explore_tempering()`` shows sliders for the hottest temperature, the number of replicas
and the seed. Every move reruns replica exchange on Rastrigin's function (from the corner
(3, 3), coldest temperature 0.3, proposal step 0.4 sqrt(T / 0.3), as in the chapter) and,
at the same budget, the same number of walkers all at the coldest temperature; it redraws
the lowest energy found per sweep and the final states on the contour map. Without a widget
front end it draws the defaults once and returns the Figure.
"""
from __future__ import annotations

import numpy as np

from .. import functions, plots
from .._validate import count, number
from ..tuning import replica_exchange
from ..plots import tuning as tuning_plots
from .controls import Slider, show_with_sliders
from .explorer import new_figure, widget_frontend

__all__ = ["TemperingExplorer", "explore_tempering"]

T_COLD, START, GLOBAL_BASIN = 0.3, (3.0, 3.0), 0.5


class TemperingExplorer:
    """Replica exchange against cold walkers at equal budget, as a function of the ladder."""

    sliders = {"t_max": Slider(0.5, 100.0, 10.0, log=True), "replicas": Slider(2, 12, 6, 1),
               "seed": Slider(0, 20, 3, 1)}

    def __init__(self, t_max=10.0, replicas=6, steps=300, seed=3):
        self.values = {"t_max": number(t_max, "t_max", low=T_COLD, low_open=True),
                       "replicas": count(replicas, "replicas", minimum=2), "seed": count(seed, "seed", minimum=0)}
        self.steps = count(steps, "steps")
        self.landscape = functions.MultiModal(dim=2)

    def run(self, **values) -> dict:
        """{label: Tempering}: replica exchange over a geometric ladder, and cold walkers without swaps."""
        v = {**self.values, **values}
        T = np.geomspace(T_COLD, float(v["t_max"]), int(v["replicas"]))
        x0, seed = np.array(START), int(v["seed"])
        return {f"replica exchange, T = 0.3 .. {v['t_max']:.3g}":
                replica_exchange(self.landscape.value, x0, temperatures=T, steps=self.steps,
                                 step_size=0.4 * np.sqrt(T / T_COLD), seed=seed),
                f"{int(v['replicas'])} walkers at T = 0.3, no swaps":
                replica_exchange(self.landscape.value, x0, temperatures=np.full(T.size, T_COLD),
                                 steps=self.steps, step_size=0.4, seed=seed, exchange=False)}

    def draw(self, fig=None, **values):
        """Lowest energy per sweep (left), final states on the contour map (right); returns the Figure."""
        fig = new_figure((10.5, 4.0)) if fig is None else fig
        fig.clear()
        ax1, ax2 = fig.subplots(1, 2)
        runs = self.run(**values)
        tuning_plots.tempering(runs, ax=ax1, threshold=GLOBAL_BASIN, title="Lowest energy found so far")
        plots.contour(self.landscape, ax=ax2, levels=20)
        for (label, run), marker in zip(runs.items(), ("o", "x")):
            ax2.plot(*run.states.T, marker, ms=6, label=f"final states: {label.split(',')[0]}")
        ax2.legend(fontsize="small", loc="lower left")
        ax2.set(title="Where the walkers ended", xlabel="$x_1$", ylabel="$x_2$")
        exchange = next(iter(runs.values()))
        where = "in the global basin" if exchange.best_energy < GLOBAL_BASIN else "in a local minimum"
        fig.suptitle(f"Replica exchange's best energy is {exchange.best_energy:.2g} ({where}); "
                     f"the cold walkers' best is {list(runs.values())[1].best_energy:.2g}.", fontsize=10)
        fig.tight_layout()
        return fig

    def _ipython_display_(self):
        show_with_sliders(self)


def explore_tempering(t_max=10.0, replicas=6, steps=300, seed=3):
    """The replica-exchange explorer (put the call last in its cell); a static Figure without widgets."""
    ex = TemperingExplorer(t_max, replicas, steps, seed)
    if widget_frontend():
        return ex
    return ex.draw()
