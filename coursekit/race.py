"""Deprecated: moved to :mod:`coursekit.widgets.race`; this alias goes in the next release."""
import warnings

from coursekit.widgets.race import *  # noqa: F401,F403
from coursekit.widgets.race import __all__  # noqa: F401

warnings.warn("coursekit.race moved to coursekit.widgets.race: import it from there",
              DeprecationWarning, stacklevel=2)
