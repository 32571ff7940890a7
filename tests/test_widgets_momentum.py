"""The eigen-picture explorer of chapter 2 (coursekit.widgets.momentum) and its plots."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from coursekit import plots, widgets
from coursekit.theory import momentum
from coursekit.widgets.momentum import MomentumExplorer


def test_static_explorer_draws_the_three_views_at_polyaks_setting(monkeypatch):
    monkeypatch.setenv("COURSEKIT_STATIC", "1")
    fig = widgets.explore_momentum(eigenvalues=[1.0, 10.0, 100.0])
    assert len(fig.axes) >= 3
    lr, mu = momentum.optimal(1.0, 100.0)
    assert f"{lr:.3g}" in fig._suptitle.get_text() and f"{momentum.optimal_rate(1, 100):.3f}" in fig._suptitle.get_text()
    gids = {line.get_gid() for ax in fig.axes for line in ax.get_lines()}
    assert {"gd", "heavy ball", "component", "damping", "edge"} <= gids


def test_run_gives_the_components_and_sliders_move_the_figure(captured_display):
    shown, updates = captured_display
    ex = MomentumExplorer([1.0, 4.0], lr=0.1, momentum=0.5, steps=20)
    errs = ex.run()
    np.testing.assert_allclose(errs["heavy ball"], momentum.eigen_components([1.0, 4.0], 0.1, 0.5, 20))
    np.testing.assert_allclose(errs["GD"][:, 1], 0.6 ** np.arange(21))
    ex._ipython_display_()
    box = shown[-1]
    before = ex.figure._suptitle.get_text()
    box.children[1].value = 0.9                                  # the momentum slider
    assert updates and ex.figure._suptitle.get_text() != before
    with pytest.raises(ValueError, match="eigenvalues"):
        MomentumExplorer([0.0, 1.0])


def test_contraction_plot_draws_the_closed_forms():
    ax = plots.eigen.contraction([1.0, 9.0], 0.1, 0.25, gd_lr=0.2)
    gd = next(l for l in ax.get_lines() if l.get_gid() == "gd")
    x, y = gd.get_data()
    np.testing.assert_allclose(y, np.abs(1 - 0.2 * x))
    hb = next(l for l in ax.get_lines() if l.get_gid() == "heavy ball")
    x, y = hb.get_data()
    np.testing.assert_allclose(y, momentum.rate(0.1 * x, 0.25))
    with pytest.raises(ValueError, match="errors"):
        plots.eigen.components(np.ones((5, 3)), [1.0, 2.0])
