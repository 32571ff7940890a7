"""coursekit.tuning.space: samplers held against scipy.stats, grids, quasi-random sequences, bad input."""
import math

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from coursekit import tuning


def test_log_uniform_samples_follow_scipy_loguniform():
    space = tuning.Space(lr=tuning.LogUniform(1e-4, 1.0))
    lrs = [c["lr"] for c in space.sample(4000, np.random.default_rng(0))]
    assert min(lrs) >= 1e-4 and max(lrs) < 1.0
    assert stats.kstest(lrs, stats.loguniform(1e-4, 1.0).cdf).pvalue > 0.01
    # a decade is a decade: as many draws in [1e-4, 1e-3] as in [1e-1, 1]
    low, high = np.mean(np.array(lrs) < 1e-3), np.mean(np.array(lrs) > 1e-1)
    assert abs(low - 0.25) < 0.03 and abs(high - 0.25) < 0.03
    assert stats.kstest(lrs, stats.uniform(1e-4, 1.0).cdf).pvalue < 1e-10     # not uniform


def test_uniform_integer_and_choice_are_uniform():
    space = tuning.Space(m=tuning.Uniform(-1.0, 3.0), w=tuning.Integer(8, 11), a=tuning.Choice(["relu", "tanh", "id"]))
    configs = space.sample(6000, np.random.default_rng(1))
    assert stats.kstest([c["m"] for c in configs], stats.uniform(-1, 4).cdf).pvalue > 0.01
    counts = np.bincount([c["w"] - 8 for c in configs], minlength=4)
    assert stats.chisquare(counts).pvalue > 0.01 and set(c["w"] for c in configs) == {8, 9, 10, 11}
    labels = [c["a"] for c in configs]
    assert stats.chisquare([labels.count(x) for x in ("relu", "tanh", "id")]).pvalue > 0.01
    assert all(isinstance(c["w"], int) for c in configs)


def test_same_generator_seed_same_configs():
    space = tuning.Space(lr=tuning.LogUniform(1e-4, 1.0), m=tuning.Uniform(0, 1))
    a = space.sample(5, np.random.default_rng(3))
    b = space.sample(5, np.random.default_rng(3))
    assert a == b


@pytest.mark.parametrize("sampler,engine", [("sobol", qmc.Sobol), ("halton", qmc.Halton)])
def test_quasi_random_samplers_are_scipy_sequences(sampler, engine):
    space = tuning.Space(x=tuning.Uniform(0, 1), y=tuning.Uniform(0, 1))
    U = space.unit_sample(16, np.random.default_rng(5), sampler)
    expected = engine(d=2, scramble=True, seed=np.random.default_rng(5)).random(16)
    np.testing.assert_allclose(U, expected)
    # lower discrepancy than uniform random points, as the sequences promise
    rand = np.random.default_rng(5).random((16, 2))
    assert qmc.discrepancy(U) < qmc.discrepancy(rand)


def test_grid_midpoints_and_choices():
    space = tuning.Space(lr=tuning.LogUniform(1e-4, 1.0), m=tuning.Uniform(0.0, 1.0), a=tuning.Choice(["relu", "tanh"]))
    grid = space.grid(2)
    assert len(grid) == 2 * 2 * 2
    np.testing.assert_allclose(sorted({c["lr"] for c in grid}), [1e-3, 1e-1])          # 10^(-4 + 4 (i + 1/2)/2)
    np.testing.assert_allclose(sorted({c["m"] for c in grid}), [0.25, 0.75])
    assert {c["a"] for c in grid} == {"relu", "tanh"}
    per_axis = space.grid({"lr": 4, "m": 1})
    assert len(per_axis) == 4 * 1 * 2
    assert len(tuning.Space(w=tuning.Integer(1, 3)).grid(10)) == 3                      # no duplicate integers


def test_unit_cube_round_trip():
    space = tuning.Space(lr=tuning.LogUniform(1e-5, 10.0), m=tuning.Uniform(-2, 2))
    U = np.random.default_rng(0).random((20, 2))
    back = np.array([space.to_unit(c) for c in space.from_unit(U)])
    np.testing.assert_allclose(back, U, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make,name", [
    (lambda: tuning.Space(), "dimensions"),
    (lambda: tuning.Uniform(1.0, 1.0), "low"),
    (lambda: tuning.Uniform(2.0, 1.0), "low"),
    (lambda: tuning.LogUniform(0.0, 1.0), "low"),
    (lambda: tuning.LogUniform(-1e-3, 1.0), "low"),
    (lambda: tuning.Integer(5, 5), "low"),
    (lambda: tuning.Choice([]), "options"),
    (lambda: tuning.Space(x=tuning.Uniform(0, 1)).sample(0, np.random.default_rng(0)), "n"),
    (lambda: tuning.Space(x=tuning.Uniform(0, 1)).sample(2, np.random.default_rng(0), "lhs"), "sampler"),
    (lambda: tuning.Space(x=tuning.Uniform(0, 1)).grid(0), "points_per_axis"),
])
def test_bad_input_names_the_parameter(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError, match="x"):
        tuning.Space(x=(0, 1))
    with pytest.raises(TypeError, match="integers"):
        tuning.Integer(0.5, 3)
    assert math.isfinite(tuning.Uniform(0, 1).from_unit([0.5])[0])
