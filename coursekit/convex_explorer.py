"""Deprecated: moved to :mod:`coursekit.widgets.convex`; this alias goes in the next release."""
import warnings

from coursekit.widgets.convex import *  # noqa: F401,F403
from coursekit.widgets.convex import __all__  # noqa: F401

warnings.warn("coursekit.convex_explorer moved to coursekit.widgets.convex: import it from there",
              DeprecationWarning, stacklevel=2)
