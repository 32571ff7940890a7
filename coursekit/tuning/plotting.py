"""Deprecated: moved to :mod:`coursekit.plots.tuning`; this alias goes in the next release."""
import warnings

from coursekit.plots.tuning import *  # noqa: F401,F403
from coursekit.plots.tuning import __all__  # noqa: F401

warnings.warn("coursekit.tuning.plotting moved to coursekit.plots.tuning: import it from there",
              DeprecationWarning, stacklevel=2)
