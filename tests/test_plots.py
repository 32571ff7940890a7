"""Tests of coursekit.plots (Agg backend): what is drawn, and that it is the data given."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from coursekit import plots  # noqa: E402
from coursekit.functions import CubicSaddles, Quadratic, Rosenbrock  # noqa: E402
from coursekit.runs import minimize  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def bowl():
    return Quadratic((1.0, 10.0), angle=0.4)


def by_gid(ax, gid):
    return [a for a in list(ax.lines) + list(ax.collections) if a.get_gid() == gid]


# --- contour --------------------------------------------------------------------------------
def test_contour_draws_the_trajectory_through_its_iterates(bowl):
    traj = minimize(bowl, [2.0, 2.0], "sgd", 15, lr=0.05)
    ax = plots.contour(bowl, traj)
    (line,) = by_gid(ax, "trajectory")
    np.testing.assert_array_equal(line.get_xydata(), traj.iterates)
    np.testing.assert_array_equal(by_gid(ax, "start")[0].get_xydata(), traj.iterates[:1])
    np.testing.assert_array_equal(by_gid(ax, "end")[0].get_xydata(), traj.iterates[-1:])
    (stars,) = by_gid(ax, "minimizer")
    np.testing.assert_array_equal(stars.get_offsets(), bowl.minimizers)
    assert ax.get_xlim() == bowl.window[0] and ax.get_ylim() == bowl.window[1]
    assert any(isinstance(c, matplotlib.contour.ContourSet) for c in ax.collections)
    assert ax.get_legend() is None                # one unlabelled path: no legend
    plt.close(ax.figure)
    ax = plots.contour(bowl, {"gd (yours)": traj})   # one path the caller named: its name shows
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minimizer", "gd (yours)"]


def test_contour_several_trajectories_batched_and_arrays(bowl):
    a = minimize(bowl, [2.0, 2.0], "sgd", 10, lr=0.05)
    batch = minimize(bowl, np.array([[2.0, 2.0], [-2.0, 1.0], [1.0, -2.0]]), "sgd", 10,
                     lr=np.array([[0.02], [0.05], [0.1]]))
    raw = np.array([[0.0, 2.0], [0.5, 1.0], [0.0, 0.0]])
    ax = plots.contour(bowl, {"gd": a, "sweep": batch, "by hand": raw})
    lines = by_gid(ax, "trajectory")
    assert len(lines) == 1 + 3 + 1
    np.testing.assert_array_equal(lines[2].get_xydata(), batch.iterates[:, 1])
    np.testing.assert_array_equal(lines[4].get_xydata(), raw)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["minimizer", "gd", "sweep [0]", "sweep [1]", "sweep [2]", "by hand"]
    # a batch without a dict key is labelled by each run's own hyperparameters
    ax = plots.contour(bowl, batch, labels=None, legend=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == [
        "SGD(lr=0.02)", "SGD(lr=0.05)", "SGD(lr=0.1)"]
    ax = plots.contour(bowl, [a, raw], labels=["first", "second"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minimizer", "first", "second"]


def test_contour_marks_divergence_and_never_draws_nans(bowl):
    batch = minimize(bowl, np.tile([1.0, 1.0], (2, 1)), "sgd", 200, lr=np.array([[0.05], [0.25]]))
    assert list(batch.diverged) == [False, True]
    ax = plots.contour(bowl, batch)
    for line in by_gid(ax, "trajectory"):
        assert np.all(np.isfinite(line.get_xydata()))
    (cross,) = by_gid(ax, "diverged")
    np.testing.assert_array_equal(cross.get_xydata()[0], batch.row(1).iterates[-1])


def test_contour_stationary_points_and_levels():
    f = CubicSaddles()
    ax = plots.contour(f, mark_stationary=True)
    kinds = {c.get_label(): len(c.get_offsets()) for c in by_gid(ax, "stationary")}
    assert kinds == {"minimum": 1, "maximum": 1, "saddle": 2}
    Z = np.array([[1.0, 2.0], [5.0, 1001.0]])
    lev = plots.level_values(Z, levels=5, log_levels=True)
    ratios = np.diff(np.log(lev - 1.0))
    np.testing.assert_allclose(ratios, ratios[0])                 # geometric above the minimum
    np.testing.assert_allclose([lev[0], lev[-1]], [1.0 + 0.1, 1001.0])
    np.testing.assert_allclose(plots.level_values(Z, 3, log_levels=False), [251.0, 501.0, 751.0])


def test_contour_rejects_non_2d_landscapes_and_bad_paths():
    with pytest.raises(ValueError, match="landscape"):
        plots.contour(Quadratic((1.0, 2.0, 3.0)))
    with pytest.raises(ValueError, match="trajectories"):
        plots.contour(Quadratic((1.0, 2.0)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="labels"):
        plots.contour(Quadratic((1.0, 2.0)), np.zeros((4, 2)), labels=["a", "b"])


def test_trajectory_plot_methods(bowl):
    traj = minimize(bowl, [2.0, 2.0], "adam", 10, lr=0.1)
    ax = traj.plot("contour")
    np.testing.assert_array_equal(by_gid(ax, "trajectory")[0].get_xydata(), traj.iterates)
    ax = traj.plot("loss")
    np.testing.assert_array_equal(by_gid(ax, "trajectory")[0].get_ydata(), traj.losses)
    fig, ax0 = plt.subplots()
    assert traj.plot(ax=ax0) is ax0


# --- surface --------------------------------------------------------------------------------
def test_surface_is_3d_with_the_path_at_its_heights():
    f = Rosenbrock()
    traj = minimize(f, [-1.0, 1.5], "adam", 8, lr=0.05)
    ax = plots.surface(f, trajectories=traj, resolution=20)
    assert ax.name == "3d"
    assert any(type(c).__name__ == "Poly3DCollection" for c in ax.collections)
    (line,) = by_gid(ax, "trajectory")
    xs, ys, zs = line.get_data_3d()
    np.testing.assert_array_equal(np.c_[xs, ys], traj.iterates)
    np.testing.assert_allclose(zs, traj.losses, rtol=1e-12)


# --- loss curves ---------------------------------------------------------------------------------
class ShiftedBowl:
    """f(x) = |x|^2 / 2 + 2, minimum f* = 2 (value_and_grad only, as minimize needs)."""
    minimum = 2.0

    def value_and_grad(self, x):
        return 0.5 * np.sum(x * x, axis=-1) + 2.0, 1.0 * x


def test_loss_curves_log_scale_data_and_gap():
    f = ShiftedBowl()
    traj = minimize(f, [1.0, 1.0], "sgd", 20, lr=0.3)
    ax = plots.loss_curves({"gd": traj})
    assert ax.get_yscale() == "log"
    (line,) = by_gid(ax, "trajectory")
    np.testing.assert_array_equal(line.get_ydata(), traj.losses)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(21))
    ax = plots.loss_curves({"gd": traj}, gap=True)
    np.testing.assert_allclose(by_gid(ax, "trajectory")[0].get_ydata(), 0.7 ** (2 * np.arange(21)),
                               rtol=0, atol=1e-14)           # f - f* = |x0|^2/2 (1 - lr)^(2k)
    assert "f^*" in ax.get_ylabel()
    ax = plots.loss_curves([1.0, 0.1, 0.01], gap=0.01, log=False)
    np.testing.assert_allclose(by_gid(ax, "trajectory")[0].get_ydata(), [0.99, 0.09, 0.0])
    assert ax.get_yscale() == "linear"
    with pytest.raises(ValueError, match="gap"):
        plots.loss_curves({"raw": np.array([1.0, 0.5])}, gap=True)


def test_loss_curves_batched_diverged_and_negative_values():
    bowl = Quadratic((1.0, 10.0))
    batch = minimize(bowl, np.ones((3, 2)), "sgd", 300, lr=np.array([[0.01], [0.1], [0.25]]))
    ax = plots.loss_curves({"sweep": batch, "flat": np.ones(5)})
    lines = by_gid(ax, "trajectory")
    assert len(lines) == 4 and len(by_gid(ax, "diverged")) == 1
    assert all(np.all(np.isfinite(l.get_ydata())) for l in lines)
    assert len(lines[2].get_ydata()) == batch.row(2).losses.size
    assert ax.get_legend() is not None
    ax = plots.loss_curves(np.array([1.0, -1.0, -10.0]))
    assert ax.get_yscale() == "symlog"


# --- slice_1d -----------------------------------------------------------------------------------
@pytest.mark.parametrize("factor", [0.5, 1.6, 2.1])
def test_slice_1d_places_gd_iterates_on_the_parabola(factor):
    """Along the top eigenvector, GD's coordinate is t_k = (1 - lr L)^k t_0 (claim C3)."""
    f = Quadratic((1.0, 4.0), angle=0.7)
    u = np.array([-math.sin(0.7), math.cos(0.7)])          # eigenvector of L = 4
    lr = factor / f.L
    traj = minimize(f, 1.5 * u, "sgd", 8, lr=lr)
    ax = plots.slice_1d(f, traj, direction=u)
    (path,) = by_gid(ax, "trajectory")
    t = 1.5 * (1 - lr * f.L) ** np.arange(9)
    np.testing.assert_allclose(path.get_xdata(), t, atol=1e-12)
    np.testing.assert_allclose(path.get_ydata(), 0.5 * f.L * t ** 2, atol=1e-12)
    (curve,) = by_gid(ax, "slice")
    tt, ff = curve.get_data()
    np.testing.assert_allclose(ff, 0.5 * f.L * tt ** 2, atol=1e-12)
    assert tt.min() <= -np.abs(t).max() and tt.max() >= np.abs(t).max()


def test_slice_1d_of_a_one_dimensional_landscape():
    f = Quadratic((2.0,))
    traj = minimize(f, [1.0], "sgd", 5, lr=0.2)
    ax = plots.slice_1d(f, traj)
    np.testing.assert_allclose(by_gid(ax, "trajectory")[0].get_xdata(), 0.6 ** np.arange(6))
    with pytest.raises(ValueError, match="direction"):
        plots.slice_1d(f, traj, direction=[0.0])


# --- animation ---------------------------------------------------------------------------------
def test_animate_returns_html_with_the_requested_frames(bowl):
    a = minimize(bowl, [2.0, 2.0], "sgd", 12, lr=0.05)
    b = minimize(bowl, [-2.0, 2.0], "adam", 12, lr=0.2)
    html = plots.animate({"gd": a, "adam": b}, bowl, frames=4, resolution=40)
    text = html.data
    assert hasattr(html, "_repr_html_") and "<script" in text
    assert text.count("data:image/png;base64") == 4
    assert all(f"frames[{i}]" in text for i in range(4)) and "frames[4]" not in text
    assert plt.get_fignums() == []                      # the figure was closed
    with pytest.raises(ValueError, match="frames"):
        plots.animate(a, bowl, frames=0)


# --- heat map -------------------------------------------------------------------------------------
def test_heatmap_of_a_batched_sweep_marks_diverged_cells():
    bowl = Quadratic((1.0, 10.0))
    lrs, moms = np.array([0.01, 0.05, 0.15, 0.3]), np.array([0.0, 0.5, 0.9])
    x0 = np.broadcast_to([1.0, 1.0], (3, 4, 2))
    sweep = minimize(bowl, x0, "sgd", 60, lr=lrs[None, :, None], momentum=moms[:, None, None])
    final = np.where(sweep.diverged, np.nan, sweep.final_loss)
    ax = plots.heatmap(final, lrs, moms, xlabel="lr", ylabel="momentum", log_x=True)
    (mesh,) = by_gid(ax, "heatmap")
    np.testing.assert_array_equal(np.ma.getdata(mesh.get_array()).reshape(3, 4)[~sweep.diverged],
                                  final[~sweep.diverged])
    assert isinstance(mesh.norm, matplotlib.colors.LogNorm)
    (crosses,) = by_gid(ax, "diverged")
    rows, cols = np.nonzero(sweep.diverged)
    assert len(rows) >= 1                                   # lr = 0.3 > 2(1 + 0)/L diverges
    np.testing.assert_array_equal(crosses.get_xydata(), np.c_[cols, rows])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "0.5", "0.9"]
    with pytest.raises(ValueError, match="values"):
        plots.heatmap(final.T, lrs, moms)


def test_loss_curves_floor_keeps_a_log_axis_and_integer_step_ticks():
    """A gap that rounds to -5.6e-17 must not switch the axis to symlog (issue 12)."""
    gaps = np.array([1.0, 1e-3, 1e-9, -5.6e-17, 1e-17])
    ax = plots.loss_curves({"run": gaps}, floor=1e-16)
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(by_gid(ax, "trajectory")[0].get_ydata(), np.maximum(gaps, 1e-16))
    assert plots.loss_curves({"run": gaps}, ax=plt.figure().add_subplot()).get_yscale() == "symlog"
    ticks = ax.xaxis.get_major_locator()()
    assert np.all(ticks == np.round(ticks))


def test_landscape_titles_are_readable():
    assert plots.landscape_title(CubicSaddles()) == "A minimum, a maximum and two saddles"
    ax = plots.contour(CubicSaddles())
    assert ax.get_title() and "_" not in ax.get_title() and ax.get_xlabel() == "$x_1$"


def test_against_theory_draws_both_and_floors():
    x = np.arange(1, 6)
    ax = plots.against_theory(x, [1.0, 0.1, 0.0, -1e-17, 1e-5], 1.0 / x ** 2, floor=1e-16, steps=True,
                              xlabel="step", ylabel="gap", title="A sentence.")
    (measured,), (theory_line,) = by_gid(ax, "measured"), by_gid(ax, "theory")
    assert measured.get_ydata().min() == 1e-16 and ax.get_yscale() == "log"
    np.testing.assert_allclose(theory_line.get_ydata(), 1.0 / x ** 2)
    assert theory_line.get_linestyle() == "--" and ax.get_title() == "A sentence."
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["measured", "theory"]


def test_gradient_cloud_marks_the_full_gradient_and_the_mean_visibly():
    rng = np.random.default_rng(0)
    clouds = {1: rng.normal(size=(200, 3)), 64: 0.1 * rng.normal(size=(200, 3)) + 0.5}
    ax = plots.gradient_cloud(clouds, np.array([0.5, 0.5, 0.5]))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["B = 1", "B = 64", "full gradient", "mean of the B = 64 batches"]
    mean_marker = ax.lines[3]
    assert mean_marker.get_markerfacecolor() != "w" and mean_marker.get_markersize() >= 8
    np.testing.assert_allclose(mean_marker.get_xydata()[0], clouds[64].mean(axis=0)[:2])
