"""Deprecated: moved to :mod:`coursekit.experiments.ch3`; this alias goes in the next release."""
import warnings

from coursekit.experiments.ch3 import *  # noqa: F401,F403
from coursekit.experiments.ch3 import __all__  # noqa: F401
from coursekit.experiments.ch3 import fitted_exponent  # noqa: F401

warnings.warn("coursekit.convex.compare moved to coursekit.experiments.ch3: import it from there",
              DeprecationWarning, stacklevel=2)
