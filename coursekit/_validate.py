"""Argument checks shared by the math modules: bad input raises an error naming the parameter."""
from __future__ import annotations

import math
import operator


def count(value, name, minimum=1) -> int:
    """``value`` as an int >= ``minimum``, or TypeError / ValueError naming ``name``."""
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def nonnegative(value, name) -> float:
    """``value`` as a finite float >= 0, or TypeError / ValueError naming ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number >= 0, got {value!r}") from None
    if not (number >= 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number
