"""The record of one optimization run (or a batch of runs): :class:`Trajectory`, and the
:class:`Recorder` that collects it step by step.

``coursekit.runs.minimize`` feeds a Recorder what it sees at each iterate; the Recorder
watches for divergence and convergence and hands back a Trajectory: the data and the
views on it (the last finite iterate, one row of a batch, a label such as
``"SGD(lr=0.1)"``). This module imports NumPy and ``coursekit.backend`` only;
``Trajectory.plot`` loads ``coursekit.plots`` on demand (plots never import this module
back), so importing it never imports matplotlib.
"""
from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from .. import backend

__all__ = ["Trajectory", "Recorder"]


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
        from .. import plots   # lazy: importing this must not import matplotlib (no cycle: plots
                              # recognise a Trajectory by its fields, without importing it)
        if kind == "loss":
            return plots.loss_curves([self], ax=ax, **kw)
        if kind == "contour":
            landscape = self.landscape if landscape is None else landscape
            if landscape is None:
                raise ValueError("plot: kind='contour' needs a landscape (pass landscape=...)")
            return plots.contour(landscape, [self], ax=ax, **kw)
        raise ValueError(f"plot: kind must be 'loss' or 'contour', got {kind!r}")


# ----------------------------------------------------------------------------- recorder

class Recorder:
    """Collects what a run sees at each iterate and turns it into a :class:`Trajectory`.

    ``record(k, x, loss, grad)`` at ``x_0, x_1, ...`` (NumPy copies are kept) returns True
    when the run should stop: every run diverged (a loss that is not finite or exceeds
    ``divergence_factor * (|loss(x_0)| + 1)``) or converged (gradient norm ``<= tol``), or
    ``callback(k, x, loss, grad)`` returned True. ``record_lr(lr)`` notes the learning rate
    of the next step. The loss may be a scalar (one run) or have a batch shape: a leading
    part of ``x.shape``, one loss per run, each run with its own flags.
    """

    def __init__(self, *, tol=None, divergence_factor=1e6, callback=None, bar=None):
        self.tol, self.factor, self.callback, self.bar = tol, divergence_factor, callback, bar
        self.xs, self.fs, self.gns, self.lrs = [], [], [], []
        self.stopped_by_callback = False
        self._start = time.perf_counter()

    @property
    def event_axes(self) -> tuple:
        """The axes of x that belong to one run (the rest are batch axes)."""
        return tuple(range(len(self.batch_shape), len(self.x_shape)))

    def record(self, k, x, loss, grad) -> bool:
        f = np.asarray(backend.to_numpy(loss), dtype=np.float64)
        if k == 0:
            self._first(x, f)
        if tuple(getattr(grad, "shape", ())) != tuple(x.shape):
            raise ValueError(f"fun_and_grad returned a gradient of shape "
                             f"{tuple(getattr(grad, 'shape', ()))} for x of shape {tuple(x.shape)}")
        g = np.asarray(backend.to_numpy(grad), dtype=np.float64)
        gn = np.sqrt(np.sum(g * g, axis=self.event_axes))
        x_np = np.array(backend.to_numpy(x), copy=True)
        self.xs.append(x_np), self.fs.append(f), self.gns.append(gn)
        converged = np.zeros(self.batch_shape, bool) if self.tol is None else gn <= self.tol
        if k == 0:
            self.converged, self.converged_at = converged, np.where(converged, 0, -1)
            return bool(np.all(converged))
        x_ok = np.isfinite(x_np).all(axis=self.event_axes)
        bad = ~np.isfinite(f) | (f > self.limit) | ~np.isfinite(gn) | ~x_ok
        self.diverged_at = np.where(bad & ~self.diverged, k, self.diverged_at)
        self.diverged |= bad
        new = converged & ~self.converged & ~self.diverged
        self.converged_at = np.where(new, k, self.converged_at)
        self.converged |= new
        if self.bar is not None:
            self.bar.update(1)
        if self.callback is not None and self.callback(k, x, loss, grad) is True:
            self.stopped_by_callback = True
        return self.stopped_by_callback or bool(np.all(self.diverged | self.converged))

    def _first(self, x, f):
        """At x_0: the batch shape, the divergence limit, and a finite starting loss."""
        if f.ndim > x.ndim or tuple(x.shape[:f.ndim]) != f.shape:
            raise ValueError(f"fun_and_grad returned a loss of shape {f.shape}; it must be a "
                             f"scalar, or one loss per run (a leading part of x0's shape "
                             f"{tuple(x.shape)})")
        if not np.all(np.isfinite(f)):
            raise ValueError(f"x0: the loss at the starting point is not finite ({f}); "
                             "choose another starting point")
        self.batch_shape, self.x_shape = f.shape, tuple(x.shape)
        self.limit = self.factor * (np.abs(f) + 1.0)
        self.diverged = np.zeros(f.shape, bool)
        self.diverged_at = np.full(f.shape, -1)

    def record_lr(self, lr):
        lr = np.asarray(backend.to_numpy(lr), dtype=np.float64)
        if not self.batch_shape:
            self.lrs.append(float(lr.reshape(-1)[0]) if lr.size else math.nan)
        else:
            event = (0,) * len(self.event_axes)
            self.lrs.append(np.broadcast_to(lr, self.x_shape)[(Ellipsis,) + event].copy())

    def trajectory(self, steps, **meta) -> Trajectory:
        """The Trajectory of the recorded run (``steps``: the most steps it was allowed);
        ``meta``: label, landscape, optimizer, hyperparameters."""
        wall_time = time.perf_counter() - self._start
        if self.bar is not None:
            self.bar.close()
        diverged = self.diverged
        converged = self.converged & ~diverged
        converged_at = np.where(converged, self.converged_at, -1)
        lrs = (np.asarray(self.lrs, dtype=np.float64) if self.lrs
               else np.zeros((0,) + self.batch_shape))
        iterates, losses, grad_norms, lrs = _cut_divergence(
            np.stack(self.xs), np.stack(self.fs), np.stack(self.gns), lrs, diverged,
            self.diverged_at)
        taken = len(self.xs) - 1
        message = self._message(taken, steps, converged, converged_at, losses, grad_norms)
        if self.batch_shape:
            flags = dict(diverged=diverged, diverged_at=self.diverged_at, converged=converged,
                         converged_at=converged_at)
        else:
            flags = dict(diverged=bool(diverged), converged=bool(converged),
                         diverged_at=int(self.diverged_at) if diverged else None,
                         converged_at=int(converged_at) if converged else None)
        return Trajectory(iterates=iterates, losses=losses, grad_norms=grad_norms, lrs=lrs,
                          wall_time=wall_time, steps=taken, message=message, **flags, **meta)

    def _message(self, taken, steps, converged, converged_at, losses, grad_norms) -> str:
        """One line: how the run (or each run of the batch) ended."""
        if not self.batch_shape:
            if self.diverged:
                k = int(self.diverged_at)
                f, g, limit = float(self.fs[k]), float(self.gns[k]), float(self.limit)
                if not math.isfinite(f) or f > limit:
                    why = f"loss = {f:.6g}" + (f" > {limit:.3g}" if math.isfinite(f) else "")
                else:
                    why = f"loss = {f:.6g}, gradient norm = {g:.3g}"
                return f"diverged at step {k}: {why}"
            if converged:
                k = int(converged_at)
                return (f"converged at step {k}: gradient norm {float(self.gns[k]):.3g} "
                        f"<= tol {self.tol:g}")
            end = (f"loss = {float(losses[-1]):.6g}, gradient norm = "
                   f"{float(grad_norms[-1]):.3g}")
            if self.stopped_by_callback:
                return f"stopped by callback at step {taken}: {end}"
            return f"finished {taken} steps: {end}"
        runs = int(np.prod(self.batch_shape))
        nd, nc = int(np.sum(self.diverged)), int(np.sum(converged))
        parts = []
        if nd:
            at = self.diverged_at[self.diverged]
            parts.append(f"{nd} diverged (steps {at.min()}-{at.max()})" if at.min() != at.max()
                         else f"{nd} diverged at step {at.min()}")
        if self.tol is not None:
            parts.append(f"{nc} converged (gradient norm <= {self.tol:g})")
        if runs - nd - nc:
            parts.append(f"{runs - nd - nc} " + ("still running" if taken < steps else "finished"))
        if self.stopped_by_callback:
            parts.append("stopped by callback")
        head = f"{runs} runs, {taken} steps"
        return head + ": " + ", ".join(parts) if parts else head


def _cut_divergence(iterates, losses, grad_norms, lrs, diverged, diverged_at):
    """Keep only finite values: a run's record ends at its divergence step (included when
    its values there are still finite); in a batch the rest of that row becomes NaN, and
    the steps after the last row's end are dropped."""
    n = losses.shape[0]
    ok = (np.isfinite(losses) & np.isfinite(grad_norms)
          & np.isfinite(iterates).reshape(losses.shape + (-1,)).all(axis=-1))
    at = np.maximum(diverged_at, 0)
    ok_at = np.take_along_axis(ok, np.asarray(at)[None], axis=0)[0]
    end = np.where(diverged, at + ok_at, n)          # first index not to keep, per run
    if losses.ndim > 1 and np.any(diverged):
        gone = np.arange(n).reshape((-1,) + (1,) * (losses.ndim - 1)) >= end
        iterates = np.where(gone.reshape(gone.shape + (1,) * (iterates.ndim - gone.ndim)),
                            np.nan, iterates)
        losses, grad_norms = np.where(gone, np.nan, losses), np.where(gone, np.nan, grad_norms)
    keep = int(np.max(end))
    return iterates[:keep], losses[:keep], grad_norms[:keep], lrs[:max(keep - 1, 0)]


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
