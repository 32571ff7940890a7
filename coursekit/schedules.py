"""Deprecated alias of :mod:`coursekit.optim.schedules` (moved there; this path goes in the next release)."""
import warnings

from coursekit.optim.schedules import *  # noqa: F401,F403
from coursekit.optim.schedules import __all__  # noqa: F401

warnings.warn("coursekit.schedules moved to coursekit.optim.schedules; import it from there",
              DeprecationWarning, stacklevel=2)
