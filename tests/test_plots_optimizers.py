"""coursekit.plots.optimizers: the pictures draw what they are given."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from coursekit import plots  # noqa: E402


def test_frequency_response_marks_both_limits():
    ax = plots.frequency_response([0.9])
    line = [l for l in ax.lines if l.get_gid() == "gain"][0]
    y = line.get_ydata()
    assert y[0] == pytest.approx(10.0) and y[-1] == pytest.approx(1 / 1.9)
    assert ax.get_yscale() == "log" and ax.get_xlabel()


def test_stability_region_draws_the_edge():
    ax = plots.stability_region()
    edge = [l for l in ax.lines if l.get_gid() == "edge"][0]
    assert np.allclose(edge.get_xdata(), 2 + 2 * edge.get_ydata())
    # the computed rate = 1 contour lies on the formula, drawn wider so the dashes do not hide it
    computed = [c for c in ax.collections if c.get_gid() == "computed_edge"][0]
    assert computed.get_linewidths()[0] > edge.get_linewidth()
    xy = np.vstack([path.vertices for path in computed.get_paths()])
    inner = (xy[:, 0] > 1) & (xy[:, 1] > 0.05) & (xy[:, 1] < 0.95)   # (at lr * lambda = 0 the rate is 1 too)
    assert inner.sum() > 20 and np.allclose(xy[inner, 0], 2 + 2 * xy[inner, 1], atol=0.03)


def test_sweep_heatmap_shape_check_and_edge():
    v = np.ones((3, 4))
    v[0, 0] = np.nan
    ax = plots.sweep_heatmap(v, np.geomspace(1e-4, 1e-1, 4), np.linspace(0, 0.9, 3), edge_L=100.0)
    assert ax.get_xscale() == "log" and any(l.get_gid() == "edge" for l in ax.lines)
    with pytest.raises(ValueError, match="final_loss"):
        plots.sweep_heatmap(np.ones((4, 3)), [1, 2, 3, 4], [0, 1, 2])


def test_decision_regions_colors_the_plane():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    ax = plots.decision_regions(lambda Z: (Z[:, 0] > 0.5).astype(int), X, np.array([0, 1]), title="t")
    assert ax.get_title() == "t" and ax.collections
