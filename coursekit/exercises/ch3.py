"""Deprecated alias of :mod:`coursekit.exercises.checks.ch3` (kept for one release)."""
import warnings

from coursekit.exercises.checks.ch3 import *  # noqa: F401,F403

warnings.warn("coursekit.exercises.ch3 is deprecated: use coursekit.exercises.checks.ch3", DeprecationWarning,
              stacklevel=2)
