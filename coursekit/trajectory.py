"""Deprecated: moved to :mod:`coursekit.runs.trajectory`; this alias goes in the next release."""
import warnings

from coursekit.runs.trajectory import *  # noqa: F401,F403
from coursekit.runs.trajectory import __all__  # noqa: F401

warnings.warn("coursekit.trajectory moved to coursekit.runs.trajectory: import it from there",
              DeprecationWarning, stacklevel=2)
