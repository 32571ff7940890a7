"""Deprecated: moved to :mod:`coursekit.runs.training`; this alias goes in the next release."""
import warnings

from coursekit.runs.training import *  # noqa: F401,F403
from coursekit.runs.training import __all__  # noqa: F401

warnings.warn("coursekit.training moved to coursekit.runs.training: import it from there",
              DeprecationWarning, stacklevel=2)
