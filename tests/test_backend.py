"""coursekit.backend: choosing NumPy or CuPy, and asking arrays for their module."""
import subprocess
import sys
import types

import numpy as np
import pytest

from coursekit import backend


@pytest.fixture(autouse=True)
def fresh_backend(monkeypatch):
    """Each test starts on NumPy with no cached GPU probe, and leaves it so."""
    monkeypatch.setattr(backend, "_probe", None)
    backend.use("numpy")
    yield
    backend._probe = None
    backend.use("numpy")


def fake_cupy(monkeypatch, *, count=1, count_error=None, alloc_error=None):
    """Install a stand-in `cupy` module that fails the way a real install can."""
    class CUDARuntimeError(RuntimeError):
        pass

    def get_device_count():
        if count_error:
            raise CUDARuntimeError(count_error)
        return count

    def arange(*a, **k):
        if alloc_error:
            raise CUDARuntimeError(alloc_error)
        return np.arange(*a, **k)

    runtime = types.SimpleNamespace(getDeviceCount=get_device_count)
    mod = types.ModuleType("cupy")
    mod.__version__ = "13.0.0-fake"
    mod.cuda = types.SimpleNamespace(runtime=runtime)
    mod.arange, mod.float64 = arange, np.float64
    monkeypatch.setitem(sys.modules, "cupy", mod)
    return mod


def test_default_is_numpy():
    assert backend.xp is np and backend.name == "numpy"
    assert isinstance(backend.asarray([1.0, 2.0]), np.ndarray)


def test_unknown_backend_names_the_parameter():
    with pytest.raises(ValueError, match="backend"):
        backend.use("torch")


def test_missing_cupy_is_reported_not_raised(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)          # import cupy -> ImportError
    assert backend.gpu_available() is False
    assert "CuPy is not installed" in backend.gpu_unavailable_reason()
    assert "no GPU: CuPy is not installed" in backend.describe()


def test_cupy_without_driver_is_not_usable(monkeypatch):
    fake_cupy(monkeypatch, count_error="cudaErrorInsufficientDriver")
    assert backend.gpu_available() is False
    assert "no CUDA driver" in backend.gpu_unavailable_reason()
    with pytest.raises(RuntimeError, match="cudaErrorInsufficientDriver"):
        backend.use("cupy")
    assert backend.xp is np


def test_cupy_whose_first_allocation_fails_is_not_usable(monkeypatch):
    fake_cupy(monkeypatch, alloc_error="cudaErrorNoDevice")
    assert backend.gpu_available() is False
    assert "could not allocate" in backend.gpu_unavailable_reason()


def test_cupy_with_zero_devices_is_not_usable(monkeypatch):
    fake_cupy(monkeypatch, count=0)
    assert not backend.gpu_available()
    assert "no CUDA device" in backend.gpu_unavailable_reason()


def test_auto_falls_back_to_numpy_and_says_why(monkeypatch):
    fake_cupy(monkeypatch, count_error="no driver")
    monkeypatch.setattr(backend, "_auto_warned", False)
    with pytest.warns(UserWarning, match="no usable GPU.*no driver"):
        backend.use("auto")
    assert backend.xp is np and backend.name == "numpy"


def test_get_namespace_follows_the_data():
    xps = pytest.importorskip("array_api_strict")
    a = np.ones(3)
    s = xps.asarray([1.0, 2.0])
    assert backend.get_namespace(a) is np
    assert backend.get_namespace(s) is xps
    assert backend.get_namespace(1.0, None, s) is xps         # scalars and None are ignored
    assert backend.get_namespace([s, s]) is xps               # lists of arrays
    assert backend.get_namespace(2.0) is np                   # nothing to go by: numpy
    with pytest.raises(TypeError, match="mixed"):
        backend.get_namespace(a, s)


def test_to_numpy_brings_any_array_home():
    xps = pytest.importorskip("array_api_strict")
    s = xps.asarray([[1.0, 2.0], [3.0, 4.0]])
    out = backend.to_numpy(s)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [[1.0, 2.0], [3.0, 4.0]])
    a, b = backend.to_numpy([np.zeros(2), s])
    assert isinstance(b, np.ndarray) and b.shape == (2, 2)


def test_environment_variable_selects_the_backend():
    code = "from coursekit import backend; print(backend.name)"
    env_auto = {"COURSEKIT_BACKEND": "auto", "PATH": "", "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, "-c", code], env=env_auto, capture_output=True, text=True)
    expected = "cupy" if backend.gpu_available() else "numpy"
    assert out.stdout.strip() == expected, out.stderr
    if not backend.gpu_available():
        bad = subprocess.run([sys.executable, "-c", code], env={"COURSEKIT_BACKEND": "cupy"},
                             capture_output=True, text=True)
        assert bad.returncode != 0 and "backend 'cupy' is not usable" in bad.stderr


@pytest.mark.gpu
@pytest.mark.skipif(not backend.gpu_available(), reason=backend.gpu_unavailable_reason() or "GPU")
def test_cupy_round_trip():
    import cupy
    backend.use("cupy")
    x = backend.asarray([1.0, 2.0, 3.0])
    assert backend.get_namespace(x) is cupy
    np.testing.assert_array_equal(backend.to_numpy(x * 2), [2.0, 4.0, 6.0])
    assert "GPU 0" in backend.describe()
