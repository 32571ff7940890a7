"""Tests of coursekit.optim.schedules: closed forms, torch's schedulers, and their promises."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from coursekit.optim import schedules as S

rates = st.floats(1e-6, 10.0)
factors = st.floats(0.0, 1.0)
steps = st.integers(1, 500)
FAST = settings(max_examples=60, deadline=None,   # a busy CI machine is no failure
                suppress_health_check=[HealthCheck.too_slow])


def values(schedule, n):
    return np.array([schedule(t) for t in range(n)])


# --- closed forms ---------------------------------------------------------------------------
def test_constant():
    assert values(S.constant(0.05), 5).tolist() == [0.05] * 5


def test_step_decay_closed_form():
    s = S.step_decay(0.4, step_size=3, gamma=0.5)
    assert values(s, 10).tolist() == [0.4] * 3 + [0.2] * 3 + [0.1] * 3 + [0.05]
    assert S.step_decay(1.0, 10)(25) == pytest.approx(0.01)         # default gamma = 0.1


def test_exponential_decay_closed_form():
    s = S.exponential_decay(2.0, 0.9)
    np.testing.assert_allclose(values(s, 30), 2.0 * 0.9 ** np.arange(30), rtol=1e-15)


def test_cosine_annealing_closed_form():
    s = S.cosine_annealing(0.5, T=40, lr_min=0.1)
    t = np.arange(60)
    expected = 0.1 + 0.4 * (1 + np.cos(np.pi * np.minimum(t, 40) / 40)) / 2
    np.testing.assert_allclose(values(s, 60), expected, rtol=1e-14)
    assert s(20) == pytest.approx(0.3, rel=1e-15)                    # halfway: the mean


def test_linear_warmup_closed_form():
    s = S.linear_warmup(0.8, warmup_steps=4, start=0.0)
    np.testing.assert_allclose(values(s, 7), [0.0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.8], rtol=1e-15)
    assert S.linear_warmup(0.3, 0)(0) == 0.3                          # no warmup at all


def test_chain_counts_steps_from_each_start():
    """Like optax.join_schedules: the second schedule sees t - boundary."""
    warm, cos = S.linear_warmup(1.0, 10), S.cosine_annealing(1.0, 20, 0.1)
    s = S.chain([warm, cos, S.constant(0.05)], boundaries=[10, 30])
    for t in range(40):
        expected = warm(t) if t < 10 else cos(t - 10) if t < 30 else 0.05
        assert s(t) == expected
    assert s(10) == 1.0 and s(29) > 0.1 and s(30) == 0.05
    assert S.chain([S.constant(0.2)], [])(7) == 0.2


# --- torch.optim.lr_scheduler -------------------------------------------------------------
def torch_lrs(make_scheduler, lr, n):
    """The learning rate torch uses at steps 0..n-1 (read before each optimizer step)."""
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(opt, torch.optim.lr_scheduler)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


@pytest.mark.parametrize("ours, make, lr, n", [
    (S.step_decay(0.3, 7, 0.5), lambda o, L: L.StepLR(o, step_size=7, gamma=0.5), 0.3, 60),
    (S.step_decay(0.1, 1), lambda o, L: L.StepLR(o, step_size=1), 0.1, 20),
    (S.exponential_decay(0.3, 0.97), lambda o, L: L.ExponentialLR(o, gamma=0.97), 0.3, 150),
    (S.cosine_annealing(0.3, 50, 0.01), lambda o, L: L.CosineAnnealingLR(o, T_max=50, eta_min=0.01), 0.3, 51),
    (S.cosine_annealing(1.0, 7), lambda o, L: L.CosineAnnealingLR(o, T_max=7), 1.0, 8),
    (S.linear_warmup(0.3, 20, start=0.03),
     lambda o, L: L.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=20), 0.3, 40),
    (S.chain([S.linear_warmup(0.3, 20, start=0.03), S.cosine_annealing(0.3, 50, 0.01)], [20]),
     lambda o, L: L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 20), L.CosineAnnealingLR(o, 50, 0.01)], [20]),
     0.3, 71),
], ids=["StepLR", "StepLR-default", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingLR-0",
        "LinearLR", "SequentialLR"])
def test_matches_torch_schedulers(ours, make, lr, n):
    expected = torch_lrs(make, lr, n)
    np.testing.assert_allclose(values(ours, n), expected, rtol=1e-12, atol=1e-15)


# --- properties (claim C20) -----------------------------------------------------------------
def _nonincreasing(v):
    return bool(np.all(np.diff(v) <= 0))


@pytest.mark.claim("C20")
@FAST
@given(lr_max=rates, frac=factors, T=steps)
def test_cosine_endpoints_exact_bounds_and_monotone(lr_max, frac, T):
    lr_min = lr_max * frac
    s = S.cosine_annealing(lr_max, T, lr_min)
    v = values(s, T + 5)
    assert v[0] == lr_max and v[T] == lr_min and np.all(v[T:] == lr_min)
    assert np.all((lr_min <= v) & (v <= lr_max))
    assert _nonincreasing(v)


@pytest.mark.claim("C20")
@FAST
@given(lr=rates, gamma=factors, step_size=st.integers(1, 20))
def test_step_decay_starts_at_lr_and_never_increases(lr, gamma, step_size):
    v = values(S.step_decay(lr, step_size, gamma), 6 * step_size)
    assert v[0] == lr and np.all(v[:step_size] == lr)
    assert np.all((0 <= v) & (v <= lr)) and _nonincreasing(v)
    assert v[step_size] == pytest.approx(lr * gamma, rel=1e-15)


@pytest.mark.claim("C20")
@FAST
@given(lr=rates, gamma=factors, n=st.integers(1, 300))
def test_exponential_decay_starts_at_lr_and_never_increases(lr, gamma, n):
    v = values(S.exponential_decay(lr, gamma), n)
    assert v[0] == lr and np.all((0 <= v) & (v <= lr)) and _nonincreasing(v)


@pytest.mark.claim("C20")
@FAST
@given(lr=rates, start_frac=factors, W=st.integers(0, 300))
def test_linear_warmup_endpoints_exact_bounds_and_monotone(lr, start_frac, W):
    start = lr * start_frac
    v = values(S.linear_warmup(lr, W, start), W + 5)
    assert v[0] == (start if W > 0 else lr) and np.all(v[W:] == lr)
    assert np.all((start <= v) & (v <= lr))
    assert bool(np.all(np.diff(v) >= 0))                   # non-decreasing


@pytest.mark.claim("C20")
@FAST
@given(lr=rates, W=st.integers(1, 50), T=st.integers(1, 200), frac=factors)
def test_warmup_then_cosine_peaks_at_the_boundary(lr, W, T, frac):
    s = S.chain([S.linear_warmup(lr, W), S.cosine_annealing(lr, T, lr * frac)], [W])
    v = values(s, W + T + 3)
    assert v[0] == 0.0 and v[W] == lr and v.max() == lr and v[W + T] == lr * frac
    assert bool(np.all(np.diff(v[: W + 1]) >= 0)) and _nonincreasing(v[W:])


# --- bad arguments ----------------------------------------------------------------------------
@pytest.mark.parametrize("make, name", [
    (lambda: S.constant(-1.0), "lr"), (lambda: S.constant(math.nan), "lr"),
    (lambda: S.constant(math.inf), "lr"),
    (lambda: S.step_decay(0.1, 0), "step_size"),
    (lambda: S.step_decay(0.1, 2, gamma=1.5), "gamma"), (lambda: S.exponential_decay(0.1, -0.1), "gamma"),
    (lambda: S.cosine_annealing(0.1, 0), "T"), (lambda: S.cosine_annealing(-0.1, 10), "lr_max"),
    (lambda: S.cosine_annealing(0.1, 10, lr_min=0.2), "lr_min"),
    (lambda: S.linear_warmup(0.1, -1), "warmup_steps"), (lambda: S.linear_warmup(0.1, 5, start=-1), "start"),
    (lambda: S.chain([S.constant(0.1), S.constant(0.2)], []), "boundaries"),
    (lambda: S.chain([S.constant(0.1), S.constant(0.2)], [0]), "boundaries"),
    (lambda: S.chain([S.constant(0.1)] * 3, [5, 5]), "boundaries"),
    (lambda: S.chain([], []), "schedules"), (lambda: S.constant(0.1)(-1), "step"),
])
def test_bad_values_raise_value_error_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        make()


@pytest.mark.parametrize("make, name", [
    (lambda: S.constant("a"), "lr"), (lambda: S.constant(None), "lr"), (lambda: S.constant(True), "lr"),
    (lambda: S.step_decay(0.1, 2.5), "step_size"), (lambda: S.chain([0.1], []), "schedules"),
    (lambda: S.chain([S.constant(0.1)], 5), "boundaries"), (lambda: S.constant(0.1)(1.5), "step"),
])
def test_wrong_types_raise_type_error_naming_the_parameter(make, name):
    with pytest.raises(TypeError, match=rf"^{name}\b"):
        make()


def test_schedules_are_pure_and_return_floats():
    s = S.chain([S.linear_warmup(0.1, 5), S.step_decay(0.1, 3)], [5])
    assert [s(t) for t in (7, 2, 7)] == [s(7), s(2), s(7)]
    assert type(s(np.int64(3))) is float
    assert "cosine_annealing(lr_max=0.1, T=10, lr_min=0.0)" == repr(S.cosine_annealing(0.1, 10))
