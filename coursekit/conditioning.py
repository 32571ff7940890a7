"""Deprecated: moved to :mod:`coursekit.experiments.ch1_conditioning`; this alias goes in the next release."""
import warnings

from coursekit.experiments.ch1_conditioning import *  # noqa: F401,F403
from coursekit.experiments.ch1_conditioning import __all__  # noqa: F401

warnings.warn("coursekit.conditioning moved to coursekit.experiments.ch1_conditioning: import it from there",
              DeprecationWarning, stacklevel=2)
