"""The run loop and its record (layer 'runs' of docs/architecture.md).

- :mod:`~coursekit.runs.loop`: :func:`minimize`, any optimizer on any function;
- :mod:`~coursekit.runs.trajectory`: :class:`Trajectory`, the record it returns (and plots);
- :mod:`~coursekit.runs.training`: the training loop of the models (fit, learning-rate tuning).
"""
from __future__ import annotations

from .loop import minimize
from .trajectory import Trajectory

__all__ = ["minimize", "Trajectory"]
