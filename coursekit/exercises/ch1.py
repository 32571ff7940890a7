"""Deprecated alias of :mod:`coursekit.exercises.checks.ch1` (kept for one release)."""
import warnings

from coursekit.exercises.checks.ch1 import *  # noqa: F401,F403

warnings.warn("coursekit.exercises.ch1 is deprecated: use coursekit.exercises.checks.ch1", DeprecationWarning,
              stacklevel=2)
