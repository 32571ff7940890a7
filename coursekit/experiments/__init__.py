"""The measurements behind the chapters' figures, one module per chapter (layer 'experiments').

- :mod:`~coursekit.experiments.ch1`: mini-batch cost and the timing of gradient descent; its
  names are this package's names, as ``coursekit.experiments`` was one module before;
- :mod:`~coursekit.experiments.ch1_conditioning`: curvature constants of chapter 1's convex
  models and what they cost gradient descent;
- :mod:`~coursekit.experiments.ch2`: batched (lr, momentum) sweeps and their timing;
- :mod:`~coursekit.experiments.ch3`: first- against second-order methods, steps and time to
  tolerance as the dimension grows;
- :mod:`~coursekit.experiments.ch4`: grid against random search, phantom improvements,
  tempering's success; :mod:`~coursekit.experiments.ch4_compare`: the strategies compared
  on one budget.
"""
from __future__ import annotations

from .ch1 import *  # noqa: F401,F403
from .ch1 import __all__  # noqa: F401
