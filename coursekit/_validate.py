"""Argument checks shared by every module: one behaviour for bad input.

Each check returns the value in the form the caller needs (an int, a float, an array) or
raises an error whose message starts with the parameter's name:

- ``TypeError`` when the value has the wrong type: a string or ``None`` where a number is
  needed, ``2.5`` or ``True`` where a count is, an array of complex numbers or strings
  where real numbers are;
- ``ValueError`` when the type is right but the value is not allowed: negative, nan or
  inf, out of its range, or an array of the wrong shape.

The math modules call these at their public entry points, so a learner sees
``ValueError: lr must be a finite number >= 0, got -0.1`` instead of a deep NumPy traceback.
"""
from __future__ import annotations

import math
import numbers
import operator

import numpy

from . import backend

__all__ = ["count", "number", "nonnegative", "positive", "fraction", "one_of",
           "callable_or_none", "real_array"]


def _is_number(value) -> bool:
    """A real number of any kind (Python, NumPy scalar, 0-d array), not a bool or a string."""
    if isinstance(value, (bool, numpy.bool_, str, bytes)) or value is None:
        return False
    if isinstance(value, numbers.Real):
        return True
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is None or tuple(shape) != () or dtype is None:
        return False
    xp = backend.get_namespace(value)
    return bool(xp.isdtype(dtype, ("real floating", "integral")))


def count(value, name, minimum=1) -> int:
    """``value`` as an int >= ``minimum`` (TypeError for a non-integer, bools included)."""
    if isinstance(value, (bool, numpy.bool_)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def number(value, name, *, low=None, high=None, low_open=False, high_open=False,
           finite=True) -> float:
    """``value`` as a float in the interval from ``low`` to ``high`` (either may be None).

    ``low_open`` / ``high_open`` exclude the end points; nan is always refused, inf unless
    ``finite=False``.
    """
    if not _is_number(value):
        raise TypeError(f"{name} must be a real number, got {_show(value)}")
    v = float(value)
    if math.isnan(v) or (finite and math.isinf(v)):
        raise ValueError(f"{name} must be a finite number, got {v}")
    if low is not None and (v < low or (low_open and v == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low:g}"
                         f"{_upper(high, high_open)}, got {v:g}")
    if high is not None and (v > high or (high_open and v == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high:g}"
                         f"{_lower(low, low_open)}, got {v:g}")
    return v


def nonnegative(value, name) -> float:
    """``value`` as a finite float >= 0."""
    return number(value, name, low=0.0)


def positive(value, name) -> float:
    """``value`` as a finite float > 0."""
    return number(value, name, low=0.0, low_open=True)


def fraction(value, name) -> float:
    """``value`` as a float in [0, 1] (a decay factor, a probability)."""
    return number(value, name, low=0.0, high=1.0)


def one_of(value, name, choices):
    """``value`` itself when it is one of ``choices`` (compared with ==)."""
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def callable_or_none(value, name, what="a callable"):
    """``value`` when it is callable or None."""
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def real_array(x, name, *, bools=False):
    """``(xp, x)``: ``x`` as a real floating-point array of its own module.

    NumPy, CuPy and other Array API arrays keep their module; numbers, lists and tuples
    become NumPy float64 arrays; integer arrays (and bool arrays with ``bools=True``) are
    cast to float64. Strings, complex numbers and other dtypes raise TypeError, ragged
    lists ValueError.
    """
    if not backend.is_array(x):
        if isinstance(x, (str, bytes, bool)) or not isinstance(x, (numbers.Real, list, tuple)):
            raise TypeError(f"{name} must be an array of real numbers, got {_show(x)}")
        try:
            x = numpy.asarray(x)
        except ValueError as exc:      # ragged nesting: a shape problem
            raise ValueError(f"{name} must be a rectangular array of numbers ({exc})") from None
    xp = backend.get_namespace(x)
    kinds = ("integral", "bool") if bools else "integral"
    if xp.isdtype(x.dtype, "real floating"):
        return xp, x
    if xp.isdtype(x.dtype, kinds):
        return xp, xp.astype(x, xp.float64)
    raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")


def _show(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _upper(high, high_open) -> str:
    return "" if high is None else f" and {'<' if high_open else '<='} {high:g}"


def _lower(low, low_open) -> str:
    return "" if low is None else f" and {'>' if low_open else '>='} {low:g}"
