"""Search spaces: each hyperparameter is a map from the unit interval to its values.

A dimension's ``from_unit(u)`` turns numbers u in [0, 1) into values, so one idea
serves every sampler: random search draws u uniformly, quasi-random search takes u
from a Sobol or Halton sequence (``scipy.stats.qmc``), grid search takes the
midpoints of equal cells, and evolution mutates u and maps it back.

- :class:`Uniform` ``(low, high)``: low + u (high - low).
- :class:`LogUniform` ``(low, high)``: exp(log low + u (log high - log low)), uniform
  in the exponent (a learning rate is as likely in [1e-4, 1e-3] as in [1e-1, 1]).
- :class:`Integer` ``(low, high)``: low + floor(u (high - low + 1)), both ends included.
- :class:`Choice` ``(options)``: options[floor(u k)].
"""
from __future__ import annotations

import math

import numpy as np

from .._validate import count

__all__ = ["Space", "Uniform", "LogUniform", "Integer", "Choice", "SAMPLERS"]

SAMPLERS = ("random", "sobol", "halton")


def _bounds(low, high, log=False):
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise TypeError(f"low and high must be numbers, got {low!r}, {high!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"low and high must be finite, got {low}, {high}")
    if log and low <= 0:
        raise ValueError(f"low must be > 0 for a log scale, got {low}")
    if low >= high:
        raise ValueError(f"low must be < high, got low={low}, high={high}")
    return low, high


class Uniform:
    """A real number uniform in [low, high)."""

    def __init__(self, low, high):
        self.low, self.high = _bounds(low, high)

    def from_unit(self, u):
        return [float(self.low + v * (self.high - self.low)) for v in np.asarray(u, float)]

    def to_unit(self, value) -> float:
        return (float(value) - self.low) / (self.high - self.low)

    def __repr__(self):
        return f"{type(self).__name__}({self.low:g}, {self.high:g})"


class LogUniform(Uniform):
    """A positive real number whose logarithm is uniform in [log low, log high)."""

    def __init__(self, low, high):
        self.low, self.high = _bounds(low, high, log=True)

    def from_unit(self, u):
        a, b = math.log(self.low), math.log(self.high)
        return [float(math.exp(a + v * (b - a))) for v in np.asarray(u, float)]

    def to_unit(self, value) -> float:
        a, b = math.log(self.low), math.log(self.high)
        return (math.log(float(value)) - a) / (b - a)


class Integer:
    """An integer uniform in {low, ..., high} (both included)."""

    def __init__(self, low, high):
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (low, high)):
            raise TypeError(f"low and high must be integers, got {low!r}, {high!r}")
        if low >= high:
            raise ValueError(f"low must be < high, got low={low}, high={high}")
        self.low, self.high = int(low), int(high)

    def from_unit(self, u):
        k = self.high - self.low + 1
        return [self.low + min(int(v * k), k - 1) for v in np.asarray(u, float)]

    def to_unit(self, value) -> float:
        return (int(value) - self.low + 0.5) / (self.high - self.low + 1)

    def __repr__(self):
        return f"Integer({self.low}, {self.high})"


class Choice:
    """One of a list of options, each equally likely."""

    def __init__(self, options):
        self.options = list(options)
        if not self.options:
            raise ValueError("options must not be empty")

    def from_unit(self, u):
        k = len(self.options)
        return [self.options[min(int(v * k), k - 1)] for v in np.asarray(u, float)]

    def to_unit(self, value) -> float:
        return (self.options.index(value) + 0.5) / len(self.options)

    def __repr__(self):
        return f"Choice({self.options!r})"


class Space:
    """Named hyperparameters: ``Space(lr=LogUniform(1e-4, 1.0), width=Integer(8, 64))``."""

    def __init__(self, **dimensions):
        if not dimensions:
            raise ValueError("dimensions: a Space needs at least one hyperparameter")
        for name, dim in dimensions.items():
            if not hasattr(dim, "from_unit"):
                raise TypeError(f"{name} must be Uniform, LogUniform, Integer or Choice, got {dim!r}")
        self.dimensions = dict(dimensions)

    @property
    def names(self) -> list:
        return list(self.dimensions)

    def __len__(self):
        return len(self.dimensions)

    def __repr__(self):
        return "Space(" + ", ".join(f"{k}={v!r}" for k, v in self.dimensions.items()) + ")"

    def from_unit(self, U) -> list:
        """Configs from points of the unit cube, ``U`` of shape (n, len(space))."""
        U = np.atleast_2d(np.asarray(U, dtype=float))
        columns = [dim.from_unit(U[:, j]) for j, dim in enumerate(self.dimensions.values())]
        return [dict(zip(self.names, row)) for row in zip(*columns)]

    def to_unit(self, config) -> np.ndarray:
        """The point of the unit cube of ``config`` (cell centres for Integer and Choice)."""
        return np.array([dim.to_unit(config[name]) for name, dim in self.dimensions.items()])

    def unit_sample(self, n, rng, sampler="random") -> np.ndarray:
        """n points of the unit cube: uniform draws, or a scrambled Sobol / Halton sequence."""
        n = count(n, "n")
        if sampler == "random":
            return rng.random((n, len(self)))
        if sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
        from scipy.stats import qmc
        engine = (qmc.Sobol if sampler == "sobol" else qmc.Halton)(d=len(self), scramble=True, seed=rng)
        if sampler == "sobol" and n & (n - 1) == 0:
            return engine.random_base2(int(math.log2(n)))
        return engine.random(n)

    def sample(self, n, rng, sampler="random") -> list:
        """n configs drawn with the numpy Generator ``rng`` (see :meth:`unit_sample`)."""
        return self.from_unit(self.unit_sample(n, rng, sampler))

    def grid(self, points_per_axis) -> list:
        """Every combination of ``points_per_axis`` values per hyperparameter (an int, or
        a dict name -> int): the midpoints (i + 1/2)/k of k equal cells of the unit interval,
        mapped to values (duplicates of an Integer dropped); a Choice gives all its options."""
        per = points_per_axis if isinstance(points_per_axis, dict) else {n: points_per_axis for n in self.names}
        axes = []
        for name, dim in self.dimensions.items():
            if isinstance(dim, Choice):
                axes.append(list(dim.options))
                continue
            k = count(per.get(name, 1), "points_per_axis")
            values = dim.from_unit((np.arange(k) + 0.5) / k)
            axes.append(list(dict.fromkeys(values)))
        grids = np.meshgrid(*[np.arange(len(a)) for a in axes], indexing="ij")
        index = np.stack([g.ravel() for g in grids], axis=1)
        return [{name: axes[j][i] for j, (name, i) in enumerate(zip(self.names, row))} for row in index]
