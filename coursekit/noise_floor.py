"""Deprecated: moved to :mod:`coursekit.theory.noise_floor`; this alias goes in the next release."""
import warnings

from coursekit.theory.noise_floor import *  # noqa: F401,F403
from coursekit.theory.noise_floor import __all__  # noqa: F401

warnings.warn("coursekit.noise_floor moved to coursekit.theory.noise_floor: import it from there",
              DeprecationWarning, stacklevel=2)
