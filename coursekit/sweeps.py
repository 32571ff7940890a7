"""Deprecated: moved to :mod:`coursekit.experiments.ch2`; this alias goes in the next release."""
import warnings

from coursekit.experiments.ch2 import *  # noqa: F401,F403
from coursekit.experiments.ch2 import __all__  # noqa: F401

warnings.warn("coursekit.sweeps moved to coursekit.experiments.ch2: import it from there",
              DeprecationWarning, stacklevel=2)
