"""The two places the fused CuPy kernels differ from NumPy (docs/gpu.md), stated as tests.

- float32 subnormals: CuPy compiles every kernel with ``-ftz=true``, so a float32 value below
  ~1.18e-38 is read and written as 0 on the GPU; NumPy (and the reference path) keep it.
- AMSGrad's ``max(v_max, v)`` drops a NaN (CUDA ``max`` returns the other operand) where
  ``numpy.maximum`` keeps it, so after a NaN gradient the GPU's v_max keeps its old value. The
  parameters are NaN either way (m is NaN).

Without a GPU the NumPy side runs here and the PTX side in tests/test_cupy_kernels.py
(.ci/cupy-api); the tests marked gpu check the device itself.
"""
import numpy as np
import pytest

from coursekit import backend, optim

SUBNORMAL = np.float32(1e-39)          # below float32's smallest normal, 1.1754944e-38


def _cupy_or_skip():
    if not backend.gpu_available():
        pytest.skip(backend.gpu_unavailable_reason())
    import cupy
    return cupy


def _sgd_on_subnormals(xp):
    p = xp.asarray(np.full(8, SUBNORMAL, np.float32))
    optim.SGD(p, lr=0.5, fast="cupy" if backend.is_cupy(xp) else None).step(xp.zeros_like(p))
    return backend.to_numpy(p)


def _amsgrad_after_a_nan(xp):
    p = xp.asarray(np.ones(4))
    opt = optim.Adam(p, lr=0.1, amsgrad=True, fast="cupy" if backend.is_cupy(xp) else False)
    opt.step(xp.asarray(np.full(4, 2.0)))
    opt.step(xp.asarray(np.array([np.nan, 1.0, 1.0, 1.0])))
    return backend.to_numpy(opt.state[0].v_max), backend.to_numpy(p)


def test_numpy_keeps_float32_subnormals():
    assert 0 < SUBNORMAL < np.finfo(np.float32).smallest_normal
    np.testing.assert_array_equal(_sgd_on_subnormals(np), SUBNORMAL)


def test_numpy_amsgrad_max_keeps_a_nan():
    v_max, p = _amsgrad_after_a_nan(np)
    assert np.isnan(v_max[0]) and np.all(np.isfinite(v_max[1:])) and np.isnan(p[0])


@pytest.mark.gpu
def test_gpu_kernels_flush_float32_subnormals():
    cupy = _cupy_or_skip()
    np.testing.assert_array_equal(_sgd_on_subnormals(cupy), 0.0)


@pytest.mark.gpu
def test_gpu_amsgrad_max_drops_a_nan():
    cupy = _cupy_or_skip()
    v_max, p = _amsgrad_after_a_nan(cupy)
    assert v_max[0] == pytest.approx((1 - 0.999) * 2.0 ** 2, rel=1e-12)   # v after step 1, kept
    assert np.isnan(p[0])
