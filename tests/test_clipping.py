"""Tests of coursekit.optim.clipping: torch parity, the promises of clipping, array modules."""
import math

import array_api_strict as xps
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from coursekit import backend
from coursekit.optim.clipping import clip_by_norm, clip_by_value, global_norm

FAST = settings(max_examples=80, deadline=None,   # a busy CI machine is no failure
                suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, st.integers(1, 12), elements=finite)
thresholds = st.floats(1e-3, 1e3)


def random_grads(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype(dtype) for s in [(3,), (2, 4), (5, 1, 2)]]


# --- closed forms -----------------------------------------------------------------------------
def test_global_norm_is_the_norm_of_everything_concatenated():
    grads = random_grads(1)
    flat = np.concatenate([g.ravel() for g in grads])
    for p in (1.0, 2.0, 3.0, math.inf):
        assert global_norm(grads, p) == pytest.approx(np.linalg.norm(flat, ord=p), rel=1e-13)
    assert global_norm([]) == 0.0


def test_clip_by_norm_closed_form():
    clipped, total = clip_by_norm([np.array([3.0, 0.0]), np.array([[4.0]])], max_norm=1.0)
    assert total == 5.0
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(clipped[0], [3.0 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped[1], [[4.0 * scale]], rtol=1e-15)
    small, total = clip_by_norm(np.array([0.3, 0.4]), max_norm=1.0)          # already short: unchanged
    assert total == pytest.approx(0.5) and np.array_equal(small, [0.3, 0.4])


def test_clip_by_value_closed_form():
    g = [np.array([-3.0, 0.5, 2.0]), np.array([[-0.1, 7.0]])]
    out = clip_by_value(g, 1.0)
    np.testing.assert_array_equal(out[0], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(out[1], [[-0.1, 1.0]])
    single = clip_by_value(np.array([2.0, -2.0]), 0.5)
    assert isinstance(single, np.ndarray) and single.tolist() == [0.5, -0.5]


def test_inputs_are_not_modified_and_structure_is_kept():
    grads = random_grads(2)
    before = [g.copy() for g in grads]
    clipped, _ = clip_by_norm(grads, 0.1)
    by_value = clip_by_value(tuple(grads), 0.1)
    assert isinstance(clipped, list) and isinstance(by_value, list) and len(clipped) == 3
    for g, b, c, v in zip(grads, before, clipped, by_value):
        np.testing.assert_array_equal(g, b)
        assert c.shape == g.shape and v.shape == g.shape and c.dtype == g.dtype
        assert not np.shares_memory(c, g) and not np.shares_memory(v, g)
    one, _ = clip_by_norm(grads[0], 0.1)
    assert isinstance(one, np.ndarray) and one.shape == (3,)


def test_nonfinite_norm():
    out, total = clip_by_norm([np.array([np.nan, 1.0])], 1.0)
    assert math.isnan(total) and np.isnan(out[0]).all()
    with pytest.raises(FloatingPointError):
        clip_by_norm([np.array([np.inf, 1.0])], 1.0, error_if_nonfinite=True)


# --- torch.nn.utils ---------------------------------------------------------------------------
@pytest.mark.parametrize("max_norm", [0.0, 0.5, 3.0, 100.0])
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
def test_clip_by_norm_matches_torch(max_norm, norm_type):
    torch = pytest.importorskip("torch")
    grads = random_grads(3)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    expected_total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    clipped, total = clip_by_norm(grads, max_norm, norm_type=norm_type)
    assert total == pytest.approx(float(expected_total), rel=1e-14)
    for c, p in zip(clipped, params):
        np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-14, atol=1e-300)


def test_clip_by_norm_matches_torch_in_float32():
    torch = pytest.importorskip("torch")
    grads = random_grads(4, np.float32)
    params = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    expected_total = torch.nn.utils.clip_grad_norm_(params, 0.7)
    clipped, total = clip_by_norm(grads, 0.7)
    assert total == pytest.approx(float(expected_total), rel=1e-6)
    for c, p in zip(clipped, params):
        assert c.dtype == np.float32
        np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-6)


def test_clip_by_value_matches_torch():
    torch = pytest.importorskip("torch")
    grads = random_grads(5)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(params, 0.4)
    for c, p in zip(clip_by_value(grads, 0.4), params):
        np.testing.assert_array_equal(c, p.grad.numpy())


# --- properties (claim C21) -------------------------------------------------------------------
@pytest.mark.claim("C21")
@FAST
@given(g=vectors, max_norm=thresholds)
def test_clipping_by_norm_caps_the_length_and_keeps_the_direction(g, max_norm):
    (clipped,), total = clip_by_norm([g], max_norm)
    n, m = np.linalg.norm(g), np.linalg.norm(clipped)
    assert total == pytest.approx(n, rel=1e-12, abs=1e-300)
    assert m <= n * (1 + 1e-15)                                  # never lengthens
    assert m <= max_norm * (1 + 1e-12)                           # capped
    if n > max_norm + 1e-6:
        assert m == pytest.approx(max_norm * n / (n + 1e-6), rel=1e-12)
    if m > 0:                                                    # direction unchanged: cosine 1
        assert float(g @ clipped) / (n * m) == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(clipped * (n / m), g, rtol=1e-10, atol=1e-10 * n)


@pytest.mark.claim("C21")
@FAST
@given(a=vectors, b=vectors, max_norm=thresholds)
def test_one_global_scale_for_all_arrays(a, b, max_norm):
    (ca, cb), total = clip_by_norm([a, b], max_norm)
    both = np.concatenate([ca, cb])
    assert np.linalg.norm(both) <= max_norm * (1 + 1e-12)
    assert np.linalg.norm(both) <= total * (1 + 1e-15)
    scale = min(1.0, max_norm / (total + 1e-6))
    np.testing.assert_allclose(ca, a * scale, rtol=1e-15)
    np.testing.assert_allclose(cb, b * scale, rtol=1e-15)


@FAST
@given(g=vectors, c=thresholds)
def test_clipping_by_value_never_lengthens_and_bounds_entries(g, c):
    out = clip_by_value(g, c)
    assert np.all(np.abs(out) <= c) and np.linalg.norm(out) <= np.linalg.norm(g)
    assert np.all(np.sign(out) == np.sign(g))


# --- array modules ------------------------------------------------------------------------------
def test_array_api_strict_matches_numpy():
    grads = random_grads(6) + [random_grads(7, np.float32)[1]]
    strict = [xps.asarray(g) for g in grads]
    for p in (2.0, 1.0, math.inf):
        clipped, total = clip_by_norm(strict, 0.3, norm_type=p)
        expected, expected_total = clip_by_norm(grads, 0.3, norm_type=p)
        assert total == pytest.approx(expected_total, rel=1e-12)
        for c, e in zip(clipped, expected):
            assert isinstance(c, type(strict[0])) and c.dtype == xps.asarray(e).dtype
            np.testing.assert_allclose(backend.to_numpy(c), e, rtol=1e-6)
    for c, e in zip(clip_by_value(strict, 0.3), clip_by_value(grads, 0.3)):
        np.testing.assert_array_equal(backend.to_numpy(c), e)


# --- bad arguments --------------------------------------------------------------------------------
@pytest.mark.parametrize("call, name", [
    (lambda: clip_by_norm([np.ones(2)], -1.0), "max_norm"),
    (lambda: clip_by_norm([np.ones(2)], math.nan), "max_norm"),
    (lambda: clip_by_norm([np.ones(2)], 1.0, norm_type=0), "norm_type"),
    (lambda: clip_by_norm([np.ones(2)], 1.0, norm_type=math.nan), "norm_type"),
    (lambda: clip_by_norm([[[1.0, 2.0], [3.0]]], 1.0), "grads"),
    (lambda: clip_by_value([np.ones(2)], -0.5), "clip_value"),
])
def test_bad_values_raise_value_error_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: clip_by_norm([np.ones(2)], "a"), "max_norm"), (lambda: clip_by_norm([np.ones(2)], None), "max_norm"),
    (lambda: clip_by_norm([np.ones(2)], 1.0, norm_type="fro"), "norm_type"),
    (lambda: clip_by_norm(["abc"], 1.0), "grads"), (lambda: clip_by_norm(np.array(["a"]), 1.0), "grads"),
    (lambda: clip_by_value([np.ones(2, dtype=complex)], 0.5), "grads"),
    (lambda: clip_by_value(None, 0.5), "grads"),
])
def test_wrong_types_raise_type_error_naming_the_parameter(call, name):
    with pytest.raises(TypeError, match=rf"^{name}\b"):
        call()


# --- one clip per run of a batch (axis) -----------------------------------------------------------
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, math.inf])
def test_axis_clips_each_slice_like_a_separate_call(p):
    rng = np.random.default_rng(5)
    g = rng.normal(size=(4, 3)) * np.array([[0.1], [1.0], [10.0], [100.0]])
    clipped, norms = clip_by_norm(g, 1.5, norm_type=p, axis=1)
    assert norms.shape == (4,)
    for i in range(4):
        row, total = clip_by_norm(g[i], 1.5, norm_type=p)
        np.testing.assert_allclose(clipped[i], row, rtol=1e-15)
        assert norms[i] == pytest.approx(total, rel=1e-15)
    whole, total = clip_by_norm(g, 1.5, norm_type=p)           # all axes: the global clip
    np.testing.assert_allclose(clip_by_norm(g, 1.5, norm_type=p, axis=(0, 1))[0], whole, rtol=1e-15)


def test_axis_needs_one_array_and_real_axes():
    with pytest.raises(TypeError, match="^axis"):
        clip_by_norm([np.ones(2), np.ones(2)], 1.0, axis=0)
    with pytest.raises(ValueError, match="^axis"):
        clip_by_norm(np.ones((2, 2)), 1.0, axis=2)
