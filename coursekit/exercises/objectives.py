"""Deprecated alias: chapter 1's objectives are in :mod:`coursekit.exercises.checks.ch1.objectives`,
``flaky_search`` in :mod:`coursekit.exercises.checks.ch4.objectives` (kept for one release)."""
import warnings

from coursekit.exercises.checks.ch1.objectives import *  # noqa: F401,F403
from coursekit.exercises.checks.ch4.objectives import flaky_search  # noqa: F401

warnings.warn("coursekit.exercises.objectives is deprecated: use coursekit.exercises.checks.ch1.objectives "
              "(flaky_search: coursekit.exercises.checks.ch4.objectives)", DeprecationWarning, stacklevel=2)
