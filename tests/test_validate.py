"""coursekit._validate: one behaviour for bad input (ValueError naming the parameter for a bad
value, TypeError naming it for a wrong type)."""
import math

import numpy as np
import pytest

from coursekit import _validate as V

xps = pytest.importorskip("array_api_strict")


def test_count():
    assert V.count(3, "n") == 3 and type(V.count(np.int64(3), "n")) is int
    assert V.count(0, "n", minimum=0) == 0
    with pytest.raises(ValueError, match=r"^n must be >= 1, got 0$"):
        V.count(0, "n")
    for bad in (2.5, "3", None, True, np.float64(2.0)):
        with pytest.raises(TypeError, match="^n must be an integer"):
            V.count(bad, "n")


@pytest.mark.parametrize("good", [0.5, 1, np.float32(0.5), np.array(0.5), np.int64(2)])
def test_number_accepts_real_numbers_of_every_kind(good):
    assert V.number(good, "lr") == float(good) and type(V.number(good, "lr")) is float


@pytest.mark.parametrize("bad", ["0.5", None, True, np.bool_(True), 1 + 2j, np.ones(2), [0.5]])
def test_number_refuses_wrong_types(bad):
    with pytest.raises(TypeError, match="^lr must be a real number"):
        V.number(bad, "lr")


def test_number_ranges():
    assert V.nonnegative(0.0, "x") == 0.0 and V.positive(1e-300, "x") == 1e-300
    assert V.fraction(1.0, "gamma") == 1.0
    assert V.number(math.inf, "p", finite=False) == math.inf
    for call, message in [
        (lambda: V.nonnegative(-1, "x"), "x must be >= 0, got -1"),
        (lambda: V.positive(0, "x"), "x must be > 0, got 0"),
        (lambda: V.fraction(1.5, "gamma"), "gamma must be <= 1 and >= 0, got 1.5"),
        (lambda: V.number(math.nan, "x", finite=False), "x must be a finite number, got nan"),
        (lambda: V.nonnegative(math.inf, "x"), "x must be a finite number, got inf"),
        (lambda: V.number(2.0, "x", low=0, high=2, high_open=True), "x must be < 2 and >= 0, got 2"),
    ]:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message


def test_real_array_keeps_the_module_and_casts_integers():
    xp, a = V.real_array([1, 2], "x")
    assert xp is np and a.dtype == np.float64
    f32 = np.ones(2, dtype=np.float32)
    assert V.real_array(f32, "x")[1] is f32
    xp, s = V.real_array(xps.asarray([1, 2]), "x")
    assert xp is xps and s.dtype == xps.float64
    assert V.real_array(np.array([True]), "x", bools=True)[1].dtype == np.float64
    with pytest.raises(TypeError, match="^x must hold real numbers"):
        V.real_array(np.array([True]), "x")
    for bad in ("ab", None, {"a": 1}, np.array(["a"]), np.ones(2, dtype=complex), ["a", "b"]):
        with pytest.raises(TypeError, match="^x "):
            V.real_array(bad, "x")
    with pytest.raises(ValueError, match="^x must be a rectangular array"):
        V.real_array([[1.0, 2.0], [3.0]], "x")


def test_one_of_and_callable_or_none():
    assert V.one_of("auto", "progress", (True, False, "auto")) == "auto"
    assert V.one_of(True, "progress", (True, False, "auto")) is True
    with pytest.raises(ValueError, match="^progress must be one of True, False, 'auto', got 1$"):
        V.one_of(1, "progress", (True, False, "auto"))
    assert V.callable_or_none(None, "callback") is None
    with pytest.raises(TypeError, match="^callback must be a callable, got float"):
        V.callable_or_none(0.1, "callback")
