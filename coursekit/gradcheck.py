"""Deprecated: moved to :mod:`coursekit.theory.gradcheck`; this alias goes in the next release."""
import warnings

from coursekit.theory.gradcheck import *  # noqa: F401,F403
from coursekit.theory.gradcheck import __all__  # noqa: F401

warnings.warn("coursekit.gradcheck moved to coursekit.theory.gradcheck: import it from there",
              DeprecationWarning, stacklevel=2)
