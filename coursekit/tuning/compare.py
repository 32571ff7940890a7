"""Deprecated: moved to :mod:`coursekit.experiments.ch4_compare`; this alias goes in the next release."""
import warnings

from coursekit.experiments.ch4_compare import *  # noqa: F401,F403
from coursekit.experiments.ch4_compare import __all__  # noqa: F401

warnings.warn("coursekit.tuning.compare moved to coursekit.experiments.ch4_compare: import it from there",
              DeprecationWarning, stacklevel=2)
