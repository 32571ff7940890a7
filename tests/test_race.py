"""coursekit.widgets.race: every track's defaults converge, switching tracks resets everything."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from coursekit.widgets import race  # noqa: E402


@pytest.mark.parametrize("track", list(race.TRACKS))
def test_every_default_racer_makes_progress_and_stays_finite(track):
    runs = race.Race(track).run()
    assert set(runs) == set(race.RACERS)
    for name, run in runs.items():
        assert not run.diverged, name
        assert run.losses[-1] < 0.2 * run.losses[0], name


def test_switching_track_resets_start_ranges_and_settings():
    r = race.Race("ravine")
    r.settings["GD"]["lr"] = 0.09
    ravine_range = r.sliders("GD")["lr"]
    r.select("rosenbrock")
    assert r.settings["GD"] == race.TRACKS["rosenbrock"].defaults["GD"]
    assert r.sliders("GD")["lr"].max < ravine_range.max
    assert r.track.start == (-1.2, 1.0)
    assert race.TRACKS["ravine"].defaults["GD"]["lr"] != 0.09     # the defaults themselves untouched
    assert set(r.sliders("Adam")) == {"lr", "beta1", "beta2"} and set(r.sliders("momentum")) == {"lr", "momentum"}


def test_static_race_draws_a_figure_and_bad_names_raise(monkeypatch):
    monkeypatch.setenv("COURSEKIT_STATIC", "1")
    fig = race.race("rosenbrock")
    assert len(fig.axes) == 6 and fig._suptitle.get_text().startswith("5 optimizers")
    assert [ax.get_title().split(":")[0] for ax in fig.axes[:5]] == list(race.RACERS)   # one map per racer
    with pytest.raises(ValueError, match="track"):
        race.Race("moon")
    with pytest.raises(ValueError, match="racers"):
        race.Race("ravine", racers=("Lion",))


def test_widgets_switch_racer_and_track(captured_display):
    """The widget path without a front end: capture what is displayed, move the controls."""
    shown, updates = captured_display
    r = race.Race("ravine")
    r._ipython_display_()
    fig, box = shown
    track, racer, lr = box.children[:3]
    assert lr.description == "lr" and lr.value == pytest.approx(race.TRACKS["ravine"].defaults["GD"]["lr"])
    lr.value = 0.01
    assert r.settings["GD"]["lr"] == pytest.approx(0.01) and updates == [fig]
    racer.value = "Adam"
    assert [c.description for c in box.children[2:]] == ["lr", "beta1", "beta2"]
    track.value = "rosenbrock"
    assert r.settings["GD"] == race.TRACKS["rosenbrock"].defaults["GD"]
    top, lr = np.log10(race.TRACKS["rosenbrock"].lr_range["Adam"][1]), box.children[2]
    assert top - lr.step < lr.max <= top + 1e-12              # the range, moved onto the default lr's grid
