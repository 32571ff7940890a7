"""The replica-exchange explorer of chapter 4 (coursekit.widgets.tempering)."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from coursekit import functions, tuning
from coursekit.widgets.tempering import TemperingExplorer, explore_tempering


def test_runs_are_replica_exchange_and_cold_walkers_at_equal_budget():
    ex = TemperingExplorer(t_max=10.0, replicas=4, steps=50, seed=1)
    exchange, cold = ex.run().values()
    np.testing.assert_allclose(exchange.temperatures, np.geomspace(0.3, 10.0, 4))
    np.testing.assert_allclose(cold.temperatures, 0.3)
    assert exchange.evaluations == cold.evaluations == 4 * 51
    same = tuning.replica_exchange(functions.MultiModal(dim=2).value, np.array([3.0, 3.0]),
                                   temperatures=np.geomspace(0.3, 10.0, 4), steps=50,
                                   step_size=0.4 * np.sqrt(np.geomspace(0.3, 10.0, 4) / 0.3), seed=1)
    assert exchange.best_energy == same.best_energy


def test_a_slider_value_changes_the_figure():
    ex = TemperingExplorer(steps=60)
    fig = ex.draw()
    before = fig._suptitle.get_text()
    ex.draw(fig, t_max=0.5, seed=7)
    assert fig._suptitle.get_text() != before and fig._suptitle.get_text().endswith(".")
    assert len(fig.axes) >= 2 and all(ax.get_xlabel() for ax in fig.axes[:2])


def test_static_fallback_returns_a_figure(monkeypatch):
    monkeypatch.setenv("COURSEKIT_STATIC", "1")
    assert isinstance(explore_tempering(steps=20), matplotlib.figure.Figure)


@pytest.mark.parametrize("kwargs, name", [({"t_max": 0.2}, "t_max"), ({"replicas": 1}, "replicas"),
                                          ({"steps": 0}, "steps"), ({"seed": -1}, "seed")])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        TemperingExplorer(**kwargs)
