"""Deprecated: moved to :mod:`coursekit.theory.momentum`; this alias goes in the next release."""
import warnings

from coursekit.theory.momentum import *  # noqa: F401,F403
from coursekit.theory.momentum import __all__  # noqa: F401

warnings.warn("coursekit.momentum moved to coursekit.theory.momentum: import it from there",
              DeprecationWarning, stacklevel=2)
