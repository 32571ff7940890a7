"""Tests of coursekit.widgets without a widget front end: the static figure, the redraw
computation for given slider values, and the controls wired to it."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from coursekit import optim, widgets  # noqa: E402
from coursekit.functions import Quadratic, Rosenbrock  # noqa: E402
from coursekit.runs import minimize  # noqa: E402


@pytest.fixture(autouse=True)
def static_and_closed(monkeypatch):
    monkeypatch.setenv("COURSEKIT_STATIC", "1")
    yield
    plt.close("all")


@pytest.fixture
def bowl():
    return Quadratic((1.0, 10.0), angle=0.4)


def trajectory_line(ax):
    (line,) = [l for l in ax.lines if l.get_gid() == "trajectory"]
    return line


def heavy_ball(A, x0, lr, momentum, steps):
    """torch's SGD with momentum, written out: b_1 = g_0, b_k = mu b_{k-1} + g, x -= lr b."""
    x, b, xs = np.array(x0, float), None, [np.array(x0, float)]
    for _ in range(steps):
        g = A @ x
        b = g if b is None else momentum * b + g
        x = x - lr * b
        xs.append(x.copy())
    return np.array(xs)


def test_no_widget_frontend_outside_a_kernel(monkeypatch):
    assert widgets.widget_frontend() is False
    monkeypatch.delenv("COURSEKIT_STATIC")
    assert widgets.widget_frontend() is False          # pytest is not an IPython kernel


def test_static_explore_returns_a_figure_with_the_default_path(bowl):
    fig = widgets.explore(bowl, "sgd", x0=[2.0, 2.0], steps=20)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    contour_ax, loss_ax = fig.axes
    expected = heavy_ball(bowl.A, [2.0, 2.0], lr=0.05, momentum=0.0, steps=20)   # default lr 0.05
    np.testing.assert_allclose(trajectory_line(contour_ax).get_xydata(), expected, atol=1e-12)
    assert loss_ax.get_yscale() == "log"
    assert "SGD(lr=0.05, momentum=0)" in contour_ax.get_title()
    assert loss_ax.get_title().startswith("After 20 steps f - f* = ")      # a sentence, not a log message
    assert "finished" not in loss_ax.get_title() and contour_ax.get_title().startswith("A quadratic bowl: ")


def test_redraw_computes_the_path_for_given_slider_values(bowl):
    ex = widgets.Explorer(bowl, "sgd", x0=[2.0, -1.0], steps=25)
    assert ex.defaults == {"lr": 0.05, "momentum": 0.0}
    traj = ex.run(lr=0.1, momentum=0.5)
    np.testing.assert_allclose(traj.iterates, heavy_ball(bowl.A, [2.0, -1.0], 0.1, 0.5, 25), atol=1e-12)
    fig = ex.draw(lr=0.02, momentum=0.9)
    np.testing.assert_allclose(trajectory_line(fig.axes[0]).get_xydata(),
                               heavy_ball(bowl.A, [2.0, -1.0], 0.02, 0.9, 25), atol=1e-12)
    with pytest.raises(ValueError, match="beta1"):
        ex.run(beta1=0.5)                                  # not a control of SGD


def test_adam_sliders_set_betas_and_fixed_values_pass_through(bowl):
    ex = widgets.Explorer(bowl, "adam", x0=[1.0, 1.0], steps=5, amsgrad=True)
    assert set(ex.sliders) == {"lr", "beta1", "beta2"} and ex.sliders["lr"].log
    _, _, _, kwargs = ex.config(beta1=0.5)
    assert kwargs == {"amsgrad": True, "lr": 0.05, "betas": (0.5, 0.999)}
    traj = ex.run(lr=0.2, beta1=0.5)
    ref = minimize(bowl, [1.0, 1.0], optim.Adam, 5, lr=0.2, betas=(0.5, 0.999), amsgrad=True)
    np.testing.assert_array_equal(traj.iterates, ref.iterates)
    x0 = np.array([1.0, 1.0])                               # first Adam step: lr per coordinate
    np.testing.assert_allclose(traj.iterates[1], x0 - 0.2 * np.sign(bowl.A @ x0), rtol=1e-7)


def test_landscape_choice_start_sliders_and_custom_sliders():
    ex = widgets.Explorer("quadratic", optim.SGD, landscapes=["quadratic", "rosenbrock"],
                          start_sliders=True, sliders={"lr": (1e-4, 0.1, 1e-3, None, True)})
    assert set(ex.defaults) == {"lr", "x0_1", "x0_2", "landscape"} and ex.defaults["lr"] == 1e-3
    landscape, x0, steps, kwargs = ex.config(landscape="rosenbrock", x0_1=-1.0, x0_2=2.0)
    assert isinstance(landscape, Rosenbrock) and x0.tolist() == [-1.0, 2.0] and steps == 50
    traj = ex.run(landscape="rosenbrock", x0_1=-1.0, x0_2=2.0, lr=1e-3)
    ref = minimize(Rosenbrock(), [-1.0, 2.0], "sgd", 50, lr=1e-3)
    np.testing.assert_array_equal(traj.iterates, ref.iterates)
    with pytest.raises(ValueError, match="sliders"):
        widgets.Explorer("quadratic", lambda p: optim.SGD(p))
    with pytest.raises(ValueError, match="sliders"):
        widgets.Explorer("quadratic", "sgd", sliders={"lr": "fast"})
    with pytest.raises(ValueError, match="outside"):
        widgets.Slider(0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="log"):
        widgets.Slider(0.0, 1.0, 0.5, log=True)


def test_controls_redraw_the_displayed_figure(bowl, captured_display):
    """The widget path without a front end: capture what is displayed, move a slider."""
    shown, updates = captured_display
    ex = widgets.Explorer(bowl, "sgd", x0=[2.0, 2.0], steps=10)
    ex._ipython_display_()
    box, fig = shown
    assert type(box).__name__ == "VBox" and fig is ex.figure
    lr = ex.controls["lr"]
    assert type(lr).__name__ == "FloatLogSlider"
    assert -3.0 <= lr.min < -3.0 + lr.step and -lr.step < lr.max <= 0.0   # 1e-3..1, moved onto 0.05's grid
    assert lr.value == pytest.approx(0.05) and not lr.continuous_update
    lr.value = 0.1
    assert updates == [fig]
    np.testing.assert_allclose(trajectory_line(fig.axes[0]).get_xydata(),
                               heavy_ball(bowl.A, [2.0, 2.0], 0.1, 0.0, 10), atol=1e-12)
    ex.controls["momentum"].value = 0.5
    assert len(updates) == 2
    np.testing.assert_allclose(trajectory_line(fig.axes[0]).get_xydata(),
                               heavy_ball(bowl.A, [2.0, 2.0], 0.1, 0.5, 10), atol=1e-12)


@pytest.mark.parametrize("factor, regime", [(0.5, "monotonically"), (1.6, "and converge"),
                                            (2.2, "and diverge")])
def test_explore_lr_1d_static_figure(factor, regime):
    """Along the steepest direction GD's coordinate is t_k = (1 - lr L)^k t_0 (claim C3)."""
    f = Quadratic((4.0, 1.0), angle=0.3)
    fig = widgets.explore_lr_1d(f, x0=1.0, steps=6, lr=factor / f.L)
    slice_ax, loss_ax = fig.axes
    t = (1 - factor) ** np.arange(7)
    np.testing.assert_allclose(np.abs(trajectory_line(slice_ax).get_xdata()), np.abs(t), atol=1e-12)
    assert regime in slice_ax.get_title()
    assert loss_ax.get_yscale() == "log"
    with pytest.raises(TypeError, match="quadratic"):
        widgets.explore_lr_1d(Rosenbrock())


def test_default_explore_lr_1d_and_start_point():
    fig = widgets.explore_lr_1d()
    assert isinstance(fig, Figure)
    start = widgets._default_start(Rosenbrock())
    (x0, x1), (y0, y1) = Rosenbrock().window
    assert x0 < start[0] < x1 and y0 < start[1] < y1
    assert math.isfinite(Rosenbrock().value(start))


def test_each_landscape_brings_its_own_start_window_and_stable_lr():
    """Switching landscape must not keep the quadratic's start, window, lr range or lr (issue 12)."""
    from coursekit.functions import Himmelblau
    bowl = Quadratic((1.0, 10.0), angle=0.5)
    ex = widgets.Explorer(bowl, "sgd", x0=[-2.5, 2.0], steps=60, start_sliders=True,
                          landscapes={"bowl": bowl,
                                      "banana": widgets.Setup(Rosenbrock(), x0=(-1.2, 1.0), steps=300),
                                      "four minima": Himmelblau()},
                          sliders={"lr": widgets.Slider(1e-3, 0.3, 0.1, log=True)})
    assert ex.defaults["lr"] == 0.1 and (ex.defaults["x0_1"], ex.defaults["x0_2"]) == (-2.5, 2.0)
    rosen = ex.defaults_for("banana")
    assert (rosen["x0_1"], rosen["x0_2"]) == (-1.2, 1.0)
    L0 = np.linalg.eigvalsh(Rosenbrock().hessian(np.array([-1.2, 1.0]))).max()
    assert rosen["lr"] == pytest.approx(0.5 / L0)                  # stable: half of 1/L at the start
    run = ex.run(landscape="banana")
    assert not run.diverged and run.steps == 300 and run.losses[-1] < run.losses[0]
    (a0, a1), (b0, b1) = Himmelblau().window                        # start sliders span its window...
    himmel = widgets.Setup(Himmelblau())
    sliders = ex._start_sliders(ex.setups["four minima"])
    assert (sliders["x0_1"].min, sliders["x0_1"].max, sliders["x0_2"].min, sliders["x0_2"].max) == (a0, a1, b0, b1)
    for m in Himmelblau().MINIMIZERS:                              # ...so every minimum is in reach
        assert a0 <= m[0] <= a1 and b0 <= m[1] <= b1
    assert not ex.run(landscape="four minima").diverged
    assert himmel.lr is None                                        # Setup itself stays as given
    fig = ex.draw(landscape="banana")
    assert fig.axes[0].get_xlim() == Rosenbrock().window[0]
    assert fig.axes[0].get_title().startswith("banana: ")


def test_switching_landscape_moves_the_slider_widgets(monkeypatch):
    pytest.importorskip("ipywidgets")
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, display_id=False: None)
    ex = widgets.Explorer("quadratic", "sgd", landscapes=["quadratic", "rosenbrock"], start_sliders=True)
    ex._ipython_display_()
    ex.controls["landscape"].value = "rosenbrock"
    lr, x1 = ex.controls["lr"], ex.controls["x0_1"]
    setup = ex.setups["rosenbrock"]
    assert setup.lr.min <= 10 ** lr.min < setup.lr.min * 10 ** lr.step      # within one step of the range
    assert lr.value == pytest.approx(setup.lr.value, rel=1e-6)
    (a0, a1) = Rosenbrock().window[0]
    assert a0 <= x1.min < a0 + x1.step and a1 - x1.step < x1.max <= a1
    assert ex.trajectory.landscape is ex.landscapes["rosenbrock"] and not ex.trajectory.diverged


def test_slider_widget_picks_log_integer_or_float_controls():
    ipywidgets = pytest.importorskip("ipywidgets")
    from coursekit.widgets.controls import slider_widget

    log = slider_widget("lr", widgets.Slider(1e-4, 1.0, 1e-2, log=True))
    assert isinstance(log, ipywidgets.FloatLogSlider) and (log.min, log.max) == (-4.0, 0.0)
    assert log.value == pytest.approx(1e-2) and not log.continuous_update
    whole = slider_widget("replicas", widgets.Slider(2, 12, 6, 1), value=4)
    assert isinstance(whole, ipywidgets.IntSlider) and whole.value == 4
    real = slider_widget("momentum", widgets.Slider(0.0, 0.99, 0.9, 0.01))
    assert isinstance(real, ipywidgets.FloatSlider) and real.step == 0.01


@settings(max_examples=200, deadline=None)
@given(lo=st.floats(1e-6, 1.0), decades=st.floats(0.5, 6.0), where=st.floats(0.0, 1.0), log=st.booleans())
def test_slider_values_lie_on_the_grid_the_front_end_snaps_to(lo, decades, where, log):
    """The front end snaps the handle to min + k * step; the kernel's value must be such a
    point (else the readout shows another number than the figure uses), inside the range."""
    pytest.importorskip("ipywidgets")
    from coursekit.widgets.controls import _grid, slider_widget

    hi = lo * 10 ** decades if log else lo + decades
    value = lo * (hi / lo) ** where if log else lo + where * (hi - lo)
    slider = widgets.Slider(lo, hi, value, None if log else (hi - lo) / 37, log=log)
    control = slider_widget("x", slider)
    ends = (math.log10(lo), math.log10(hi)) if log else (lo, hi)
    v = math.log10(value) if log else value
    assert control.value == pytest.approx(value, rel=1e-9)
    assert control.min <= v <= control.max
    k = (v - control.min) / control.step
    assert k == pytest.approx(round(k), abs=1e-6)
    assert ends[0] - 1e-9 <= control.min < ends[0] + control.step
    assert ends[1] - control.step < control.max <= ends[1] + 1e-9 * max(1.0, abs(ends[1]))
    assert _grid(slider, value)[2] == control.step
