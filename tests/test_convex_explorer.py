"""coursekit.widgets.convex and coursekit.plots.convex: the four paths and the static pictures."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from coursekit.widgets import convex as convex_explorer
from coursekit.experiments import ch3 as compare
from coursekit.plots import convex as cplots


@pytest.mark.parametrize("kappa, angle", [(1.0, 0.0), (30.0, 30.0), (500.0, 120.0)])
def test_quadratic_paths_newton_one_step_cg_two_steps(kappa, angle):
    q, paths = convex_explorer.quadratic_paths(kappa, angle, steps=40)
    assert q.condition_number == pytest.approx(kappa)
    assert paths["Newton"].steps == 1 and np.allclose(paths["Newton"].final, 0, atol=1e-12)
    assert paths["CG"].steps <= 2 and np.allclose(paths["CG"].final, 0, atol=1e-9)
    gd = paths["GD (lr = 1/L)"]
    assert np.all(np.diff(gd.losses) <= 1e-15)                   # lr = 1/L never increases f
    rate = (1 - 1 / kappa) ** 2                                  # f contracts by (1 - mu/L)^2 per step at worst
    assert gd.losses[-1] <= gd.losses[0] * rate ** 40 * (1 + 1e-9) + 1e-300


def test_heavy_ball_beats_gd_on_an_ill_conditioned_quadratic():
    _, paths = convex_explorer.quadratic_paths(400.0, 45.0, steps=200)
    assert paths["heavy ball (tuned)"].losses[-1] < 1e-6 * paths["GD (lr = 1/L)"].losses[-1]


def test_explorer_static_figure_and_bad_kappa(monkeypatch):
    monkeypatch.setenv("COURSEKIT_STATIC", "1")
    fig = convex_explorer.explore_conditioning(kappa=10.0, angle=20.0)
    left, right = fig.axes[:2]
    assert len([l for l in left.get_lines() if l.get_gid() == "trajectory"]) == 4
    assert right.get_yscale() == "log"
    with pytest.raises(ValueError, match="kappa"):
        convex_explorer.quadratic_paths(0.5, 0.0)


def test_plot_helpers_draw_measurement_and_theory():
    k = np.arange(1, 50)
    ax = cplots.rates({"measured": (k, 1 / k ** 2)}, {"bound": (k, 2 / k ** 2)}, ylabel="gap")
    styles = [l.get_linestyle() for l in ax.get_lines()]
    assert styles == ["-", "--"] and ax.get_xscale() == "log" and ax.get_ylabel() == "gap"
    dims = [8, 16]
    fig = cplots.cost_vs_dimension(dims, {"A": {"steps": [3, 3], "seconds": [1e-3, 8e-3]},
                                          "B": {"steps": [9, 9], "seconds": [2e-3, 4e-3]}},
                                   crossover={"A slower than B": compare.crossover(dims, [1e-3, 8e-3], [2e-3, 4e-3])})
    assert all(a.get_xlabel() == "dimension d" for a in fig.axes)
    ax = cplots.chord(lambda x: np.sum(x ** 2, -1), np.array([1.0]), np.array([-1.0]), t=0.3)
    assert len(ax.get_lines()) == 3
    ax = cplots.lasso_path(np.geomspace(1, 0.01, 5), np.zeros((5, 3)), reference=np.zeros((5, 3)))
    assert ax.get_xscale() == "log" and len(ax.get_lines()) == 6


def test_explorer_sliders_report_on_release_and_start_on_their_grid(captured_display):
    """A slider that reports while dragged sends its snapped value as soon as the front end
    draws it; off its step grid, that redraws the figure unasked (the browser test saw it)."""
    shown, updates = captured_display
    ex = convex_explorer.ConditioningExplorer(kappa=30.0, angle=30.0)
    ex._ipython_display_()
    box, figure = shown
    kappa, angle = box.children
    assert figure is ex.figure and not updates
    assert not kappa.continuous_update and not angle.continuous_update
    assert (kappa.value, angle.value) == (pytest.approx(30.0), 30.0)
    steps_from_min = (np.log10(kappa.value) - kappa.min) / kappa.step
    assert steps_from_min == pytest.approx(round(steps_from_min), abs=1e-6)
    assert 10 ** kappa.min <= 1.0 * 10 ** kappa.step and 10 ** kappa.max >= 1000 / 10 ** kappa.step
    angle.value = 60.0
    assert updates == [ex.figure]
    with pytest.raises(ValueError, match="angle"):
        convex_explorer.ConditioningExplorer(angle=270.0)
    with pytest.raises(ValueError, match="kappa"):
        convex_explorer.ConditioningExplorer(kappa=0.5)
