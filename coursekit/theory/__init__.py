"""Theory: closed forms, and the numbers that test them (layer 'theory' of docs/architecture.md).

- :mod:`~coursekit.theory.rates`: what the theory of gradient descent predicts (rates, step
  limits, convex bounds, mini-batch variance); its names are this package's names, as
  ``coursekit.theory`` was one module before;
- :mod:`~coursekit.theory.momentum`: heavy ball on quadratics (rates, stability, filters);
- :mod:`~coursekit.theory.gradcheck`: finite-difference gradient checks;
- :mod:`~coursekit.theory.noise_floor`: the noise floor of constant-step SGD on least squares
  (chapter 1);
- :mod:`~coursekit.theory.gradient_noise`: optimizers fed noisy gradients, SGD's floor on a
  quadratic and Adam's step sizes (chapter 2).
"""
from __future__ import annotations

from .rates import *  # noqa: F401,F403
from .rates import __all__  # noqa: F401
