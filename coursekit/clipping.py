"""Deprecated alias of :mod:`coursekit.optim.clipping` (moved there; this path goes in the next release)."""
import warnings

from coursekit.optim.clipping import *  # noqa: F401,F403
from coursekit.optim.clipping import __all__  # noqa: F401

warnings.warn("coursekit.clipping moved to coursekit.optim.clipping; import it from there",
              DeprecationWarning, stacklevel=2)
