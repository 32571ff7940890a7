"""Deprecated: moved to :mod:`coursekit.experiments.ch4`; this alias goes in the next release."""
import warnings

from coursekit.experiments.ch4 import *  # noqa: F401,F403
from coursekit.experiments.ch4 import __all__  # noqa: F401

warnings.warn("coursekit.tuning.experiments moved to coursekit.experiments.ch4: import it from there",
              DeprecationWarning, stacklevel=2)
