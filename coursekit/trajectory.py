"""The record of one optimization run (or a batch of runs): :class:`Trajectory`.

``coursekit.runs.minimize`` fills it in; this module only holds the data and the views
on it (the last finite iterate, one row of a batch, a label such as ``"SGD(lr=0.1)"``).
It imports NumPy only; ``Trajectory.plot`` loads ``coursekit.plots`` on demand, so
importing it never imports matplotlib.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Trajectory"]


@dataclass(eq=False, repr=False)
class Trajectory:
    """What ``minimize`` saw, as NumPy arrays (index ``k`` = after ``k`` steps).

    iterates:    ``(n, *x0.shape)``, ``iterates[0]`` is ``x0``; ``n = steps + 1`` unless
                 the last step produced non-finite values, which are dropped.
    losses:      ``(n, *batch)`` the loss at each iterate (``batch = ()`` for one run).
    grad_norms:  ``(n, *batch)`` Euclidean norm of the (unclipped) gradient at each iterate.
    lrs:         ``(steps, ...)`` the learning rate used by each step.
    wall_time:   seconds spent in the loop.
    steps:       optimizer steps taken.
    diverged, diverged_at, converged, converged_at: flags and step numbers; for a batched
                 run boolean / integer arrays of shape ``batch`` (``-1``: never).
                 In a batched run the entries of a row after its divergence are NaN;
                 :meth:`row` returns that row's finite prefix.
    message:     one line saying how the run ended.
    label:       e.g. ``"SGD(lr=0.1)"``; ``optimizer`` the optimizer's name and
                 ``hyperparameters`` the keyword arguments it was built with (NumPy copies).
    landscape:   the landscape minimized, when ``fun_and_grad`` was one (for ``plot``).
    """

    iterates: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    lrs: np.ndarray
    wall_time: float
    steps: int
    diverged: bool | np.ndarray
    diverged_at: int | None | np.ndarray
    converged: bool | np.ndarray
    message: str
    converged_at: int | None | np.ndarray = None
    label: str = ""
    landscape: object = None
    optimizer: str = ""
    hyperparameters: dict = field(default_factory=dict)

    @property
    def batch_shape(self) -> tuple:
        """Shape of the batch of runs (``()`` for a single run)."""
        return self.losses.shape[1:]

    @property
    def is_batched(self) -> bool:
        return self.losses.ndim > 1

    def _lengths(self) -> np.ndarray:
        """Per row: how many leading iterates are finite."""
        finite = np.isfinite(self.losses)
        return np.where(finite.all(axis=0), finite.shape[0], np.argmin(finite, axis=0))

    def _last(self, a):
        if not self.is_batched:
            return a[-1]
        return a[(np.maximum(self._lengths() - 1, 0),) + tuple(np.indices(self.batch_shape))]

    @property
    def final(self) -> np.ndarray:
        """The last (finite) iterate; for a batched run one per row, shape ``x0.shape``."""
        return self._last(self.iterates)

    @property
    def final_loss(self):
        """The loss at :attr:`final` (a float, or an array over the batch)."""
        return self._last(self.losses)

    def row(self, i) -> "Trajectory":
        """Run ``i`` of a batched run (an int, or a tuple for a multi-axis batch) as its own
        Trajectory, cut to its finite prefix."""
        if not self.is_batched:
            raise ValueError("row: this Trajectory is a single run, not a batch")
        i = i if isinstance(i, tuple) else (i,)
        if len(i) != len(self.batch_shape):
            raise ValueError(f"row: index {i} does not match the batch shape {self.batch_shape}")
        n = int(self._lengths()[i])
        lrs = self.lrs
        if lrs.ndim > 1:
            lrs = lrs[(slice(None),) + i]
        event = (0,) * (self.iterates.ndim - 1 - len(self.batch_shape))
        hyper = {k: (float(np.broadcast_to(v, self.iterates.shape[1:])[i + event])
                     if isinstance(v, np.ndarray) and v.ndim else v)
                 for k, v in self.hyperparameters.items()}
        label = _config_label(self.optimizer, hyper) if self.optimizer else self.label
        div, conv = bool(self.diverged[i]), bool(self.converged[i])
        d_at, c_at = int(self.diverged_at[i]), int(self.converged_at[i])
        return Trajectory(
            iterates=self.iterates[(slice(0, n),) + i], losses=self.losses[(slice(0, n),) + i],
            grad_norms=self.grad_norms[(slice(0, n),) + i], lrs=lrs[:max(n - 1, 0)],
            wall_time=self.wall_time, steps=max(n - 1, 0), diverged=div,
            diverged_at=d_at if div else None, converged=conv,
            converged_at=c_at if conv else None,
            message=f"row {i if len(i) > 1 else i[0]} of: {self.message}",
            label=label, landscape=self.landscape, optimizer=self.optimizer,
            hyperparameters=hyper)

    def rows(self):
        """All runs of a batch, one Trajectory each (flat order over the batch shape)."""
        return [self.row(i) for i in np.ndindex(*self.batch_shape)]

    def __repr__(self) -> str:
        name = self.label or "run"
        if self.is_batched:
            return (f"Trajectory({name}, batch {self.batch_shape}, {self.steps} steps, "
                    f"{int(np.sum(self.diverged))} diverged, {int(np.sum(self.converged))} "
                    f"converged)")
        end = (f"diverged at step {self.diverged_at}" if self.diverged else
               f"converged at step {self.converged_at}" if self.converged else "")
        loss = f"loss {self.losses[0]:.3g} -> {self.losses[-1]:.3g}"
        return f"Trajectory({name}, {self.steps} steps, {loss}" + (f", {end})" if end else ")")

    def plot(self, kind: str = "loss", ax=None, landscape=None, **kw):
        """Plot this run: ``kind="loss"`` (loss curve) or ``"contour"`` (path on the
        landscape's contour map; ``landscape`` defaults to the one minimized). Returns the Axes."""
        from . import plots   # lazy: importing this must not import matplotlib
        if kind == "loss":
            return plots.loss_curves([self], ax=ax, **kw)
        if kind == "contour":
            landscape = self.landscape if landscape is None else landscape
            if landscape is None:
                raise ValueError("plot: kind='contour' needs a landscape (pass landscape=...)")
            return plots.contour(landscape, [self], ax=ax, **kw)
        raise ValueError(f"plot: kind must be 'loss' or 'contour', got {kind!r}")


# ----------------------------------------------------------------------------- labels

def _config_label(name, kwargs) -> str:
    """A run's label, ``name(k=v, ...)`` with arrays shown by their shape."""
    shown = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items())
    return f"{name}({shown})" if shown else name


def _short(v) -> str:
    if isinstance(v, (tuple, list)) and all(isinstance(e, numbers.Real) for e in v):
        return "(" + ", ".join(f"{e:g}" for e in v) + ")"
    shape = getattr(v, "shape", None)
    if shape is not None and len(shape):
        return f"array{tuple(shape)}"
    return f"{float(v):g}" if isinstance(v, numbers.Real) or shape is not None else repr(v)
