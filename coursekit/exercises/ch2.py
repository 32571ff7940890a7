"""Deprecated alias of :mod:`coursekit.exercises.checks.ch2` (kept for one release)."""
import warnings

from coursekit.exercises.checks.ch2 import *  # noqa: F401,F403

warnings.warn("coursekit.exercises.ch2 is deprecated: use coursekit.exercises.checks.ch2", DeprecationWarning,
              stacklevel=2)
