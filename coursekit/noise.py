"""Deprecated: moved to :mod:`coursekit.theory.gradient_noise`; this alias goes in the next release."""
import warnings

from coursekit.theory.gradient_noise import *  # noqa: F401,F403
from coursekit.theory.gradient_noise import __all__  # noqa: F401

warnings.warn("coursekit.noise moved to coursekit.theory.gradient_noise: import it from there",
              DeprecationWarning, stacklevel=2)
