"""Deprecated alias of :mod:`coursekit.exercises.checks.ch4` (kept for one release)."""
import warnings

from coursekit.exercises.checks.ch4 import *  # noqa: F401,F403

warnings.warn("coursekit.exercises.ch4 is deprecated: use coursekit.exercises.checks.ch4", DeprecationWarning,
              stacklevel=2)
