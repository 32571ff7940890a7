"""Run an optimizer on a function and record what happened.

``minimize(fun_and_grad, x0, optimizer, steps)`` is the course's training loop in one
call: it builds the optimizer on a copy of ``x0``, steps it ``steps`` times and returns a
:class:`Trajectory` holding the iterates, losses, gradient norms and learning rates, as
NumPy arrays ready for plotting. It watches every step for divergence and stops with a
clear message instead of handing NaNs to a plot.

One call can run ``R`` configurations at once: start from ``x0`` of shape ``(R, d)``,
return losses of shape ``(R,)`` and pass array hyperparameters (``lr`` of shape
``(R, 1)``); each row then gets its own divergence and convergence flags.

This module sits above the math (optim, schedules, clipping): it imports them lazily
and never imports matplotlib. The record itself lives in :mod:`coursekit.trajectory`
(``Trajectory.plot`` loads ``coursekit.plots`` on demand).
"""
from __future__ import annotations

import math
import numbers
import time
import warnings

import numpy as np

from . import backend
from .trajectory import Trajectory, _config_label

__all__ = ["minimize", "Trajectory"]

AUTO_PROGRESS_STEPS = 5000   #: with progress="auto", runs at least this long show a bar


# ----------------------------------------------------------------------------- helpers

def _as_fun_and_grad(fun_and_grad):
    """(callable x -> (loss, grad), the landscape object or None)."""
    if hasattr(fun_and_grad, "value_and_grad"):
        return fun_and_grad.value_and_grad, fun_and_grad
    if callable(fun_and_grad):
        return fun_and_grad, None
    raise TypeError("fun_and_grad must be a callable x -> (loss, grad) or an object with "
                    f".value_and_grad (a landscape), got {type(fun_and_grad).__name__}")


def _initial_point(x0):
    """A floating-point copy of x0 in x0's own array module (lists go to the active one)."""
    if isinstance(x0, (np.ndarray, np.generic)) or hasattr(x0, "__array_namespace__"):
        xp = backend.get_namespace(x0)
        try:
            x = xp.asarray(x0, copy=True)
        except TypeError:      # CuPy's asarray has no copy argument
            x = xp.array(x0, copy=True)
    else:
        try:
            data = np.asarray(x0, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"x0 must be an array or a sequence of numbers ({exc})") from None
        xp = backend.xp
        x = xp.asarray(data)
    try:
        floating = xp.isdtype(x.dtype, "real floating")
    except AttributeError:     # older modules without isdtype
        floating = np.dtype(str(x.dtype)).kind == "f"
    if not floating:
        x = xp.astype(x, xp.float64) if hasattr(xp, "astype") else x.astype(xp.float64)
    return xp, x


def _make_optimizer(optimizer, x, kwargs):
    """Build the optimizer on x: optimizer is a class, a name of optim.OPTIMIZERS, or a
    callable params -> optimizer. Returns (optimizer, label)."""
    if isinstance(optimizer, str):
        from . import optim
        table = optim.OPTIMIZERS
        try:
            factory = table[optimizer.lower()]
        except KeyError:
            raise ValueError(f"optimizer must be one of {sorted(table)} (or a class or "
                             f"callable), got {optimizer!r}") from None
    elif callable(optimizer):
        factory = optimizer
    else:
        raise TypeError("optimizer must be an optim class, a name such as 'adam', or a "
                        f"callable params -> optimizer, got {type(optimizer).__name__}")
    opt = factory(x, **kwargs)
    if not callable(getattr(opt, "step", None)):
        raise TypeError(f"optimizer: {factory!r} returned {type(opt).__name__}, "
                        "which has no .step(grads) method")
    name = getattr(factory, "__name__", None) or type(opt).__name__
    if name == "<lambda>":
        name = type(opt).__name__
    return opt, name


def _evaluate(fg, x, event_ndim=None):
    """Call fg at x; return (loss, grad) on x's device and NumPy (loss, grad norm)."""
    out = fg(x)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError("fun_and_grad must return a pair (loss, grad), got "
                        f"{type(out).__name__}")
    loss, grad = out
    gshape = tuple(getattr(grad, "shape", ()))
    if gshape != tuple(x.shape):
        raise ValueError(f"fun_and_grad returned a gradient of shape {gshape} for x of "
                         f"shape {tuple(x.shape)}")
    loss_np = np.asarray(backend.to_numpy(loss), dtype=np.float64)
    if event_ndim is None:
        event_ndim = x.ndim - loss_np.ndim
        if event_ndim < 0 or tuple(x.shape[:loss_np.ndim]) != loss_np.shape:
            raise ValueError(f"fun_and_grad returned a loss of shape {loss_np.shape}; it must "
                             f"be a scalar, or one loss per run (a leading part of x0's "
                             f"shape {tuple(x.shape)})")
    g_np = np.asarray(backend.to_numpy(grad), dtype=np.float64)
    axes = tuple(range(g_np.ndim - event_ndim, g_np.ndim))
    gnorm = np.sqrt(np.sum(g_np * g_np, axis=axes)) if axes else np.abs(g_np)
    return loss, grad, loss_np, gnorm


def _clip_rows(xp, g, max_norm, event_axes):
    """Clip each run's gradient to norm <= max_norm (the rule of clipping.clip_by_norm)."""
    norms = xp.sqrt(xp.sum(g * g, axis=event_axes, keepdims=True))
    coef = max_norm / (norms + 1e-6)
    return g * xp.minimum(coef, xp.ones_like(coef))


def _lr_record(opt, batch_shape, x_shape):
    lr = getattr(opt, "lr", math.nan)
    lr = np.asarray(backend.to_numpy(lr), dtype=np.float64)
    if not batch_shape:
        return float(lr.reshape(-1)[0]) if lr.size else math.nan
    event = (0,) * (len(x_shape) - len(batch_shape))
    return np.broadcast_to(lr, x_shape)[(Ellipsis,) + event].copy()


def _check_positive(name, value, allow_none=True):
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _progress_bar(progress, steps, label):
    if progress == "auto":
        progress = steps >= AUTO_PROGRESS_STEPS
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=steps, desc=label, leave=False)


# ----------------------------------------------------------------------------- minimize

def minimize(fun_and_grad, x0, optimizer, steps, *, schedule=None, clip_norm=None, tol=None,
             divergence_factor=1e6, progress=False, callback=None, **optimizer_kwargs):
    """Minimize with an optimizer for ``steps`` steps and record the run.

    fun_and_grad: ``x -> (loss, grad)``, or a landscape (anything with ``.value_and_grad``).
    x0: starting point (copied, never changed). Shape ``(d,)`` for one run, ``(R, d)`` (or
        ``(*batch, d)``) for a batch of runs whose losses come back with shape ``batch``.
    optimizer: an optimizer class (``optim.SGD``), a name of ``optim.OPTIMIZERS``
        (``"adam"``), or a callable ``params -> optimizer``; built as
        ``optimizer(x, **optimizer_kwargs)``. Array hyperparameters (``lr`` of shape
        ``(R, 1)``) give each run of a batch its own setting.
    steps: the most optimizer steps to take.
    schedule: ``step -> lr`` (``coursekit.schedules``); sets ``opt.lr`` before step
        ``k = 0, 1, ...``.
    clip_norm: clip the gradient to this Euclidean norm before each step
        (``coursekit.clipping.clip_by_norm``; per run in a batch).
    tol: stop when the gradient norm is ``<= tol`` (in a batch: every run converged or diverged).
    divergence_factor: a run diverges at step ``k`` when its loss is not finite or exceeds
        ``divergence_factor * (|loss(x0)| + 1)``. One run stops there; a batch stops when
        every run has diverged (or converged, with ``tol``).
    progress: ``True`` shows a tqdm progress bar; ``"auto"`` only for long runs.
    callback: ``callback(k, x, loss, grad)`` after each step; returning ``True`` stops the run.

    Returns a :class:`Trajectory`.
    """
    fg, landscape = _as_fun_and_grad(fun_and_grad)
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    steps = int(steps)
    tol = _check_positive("tol", tol)
    clip_norm = _check_positive("clip_norm", clip_norm)
    divergence_factor = _check_positive("divergence_factor", divergence_factor, allow_none=False)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable step -> lr, got {type(schedule).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    if progress not in (True, False, "auto"):
        raise ValueError(f"progress must be True, False or 'auto', got {progress!r}")

    xp, x = _initial_point(x0)
    if schedule is not None and "lr" not in optimizer_kwargs:
        optimizer_kwargs["lr"] = schedule(0)
    opt, opt_name = _make_optimizer(optimizer, x, optimizer_kwargs)
    label = _config_label(opt_name, optimizer_kwargs)
    hyper = {k: (np.array(backend.to_numpy(v)) if hasattr(v, "shape") else v)
             for k, v in optimizer_kwargs.items()}

    loss, grad, f, gn = _evaluate(fg, x)
    batch_shape = f.shape
    event_ndim = x.ndim - f.ndim
    event_axes = tuple(range(f.ndim, x.ndim))
    if not np.all(np.isfinite(f)):
        raise ValueError(f"x0: the loss at the starting point is not finite ({f}); "
                         "choose another starting point")
    limit = divergence_factor * (np.abs(f) + 1.0)

    xs, fs, gns, lrs = [np.array(backend.to_numpy(x), copy=True)], [f], [gn], []
    diverged = np.zeros(batch_shape, bool)
    diverged_at = np.full(batch_shape, -1)
    converged = np.zeros(batch_shape, bool) if tol is None else gn <= tol
    converged_at = np.where(converged, 0, -1)
    stopped_by_callback = False
    bar = _progress_bar(progress, steps, label)
    if clip_norm is not None:
        from .clipping import clip_by_norm

    start = time.perf_counter()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # overflow in rows that diverge
        for k in range(1, steps + 1):
            if np.all(diverged | converged):
                break
            if schedule is not None:
                opt.lr = schedule(k - 1)
            lrs.append(_lr_record(opt, batch_shape, tuple(x.shape)))
            g = grad
            if clip_norm is not None:
                g = (_clip_rows(xp, g, clip_norm, event_axes) if batch_shape
                     else clip_by_norm(g, clip_norm)[0])
            opt.step(g)
            params = getattr(opt, "params", None)
            if isinstance(params, (list, tuple)) and len(params) == 1:
                x = params[0]
            loss, grad, f, gn = _evaluate(fg, x, event_ndim)
            x_np = np.array(backend.to_numpy(x), copy=True)
            xs.append(x_np)
            fs.append(f)
            gns.append(gn)

            x_ok = np.isfinite(x_np).all(axis=tuple(range(len(batch_shape), x_np.ndim)))
            bad = ~np.isfinite(f) | (f > limit) | ~np.isfinite(gn) | ~x_ok
            new = bad & ~diverged
            diverged_at = np.where(new, k, diverged_at)
            diverged |= bad
            if tol is not None:
                new = (gn <= tol) & ~converged & ~diverged
                converged_at = np.where(new, k, converged_at)
                converged |= new
            if bar is not None:
                bar.update(1)
            if callback is not None and callback(k, x, loss, grad) is True:
                stopped_by_callback = True
                break
    wall_time = time.perf_counter() - start
    if bar is not None:
        bar.close()

    taken = len(xs) - 1
    iterates, losses, grad_norms = np.stack(xs), np.stack(fs), np.stack(gns)
    lrs = np.asarray(lrs, dtype=np.float64) if lrs else np.zeros((0,) + batch_shape)
    converged &= ~diverged
    converged_at = np.where(converged, converged_at, -1)
    iterates, losses, grad_norms, lrs = _cut_divergence(
        iterates, losses, grad_norms, lrs, diverged, diverged_at)
    message = _message(batch_shape, taken, steps, diverged, diverged_at, converged,
                       converged_at, losses, grad_norms, fs, gns, limit, tol,
                       stopped_by_callback)
    if batch_shape:
        flags = dict(diverged=diverged, diverged_at=diverged_at, converged=converged,
                     converged_at=converged_at)
    else:
        flags = dict(diverged=bool(diverged), converged=bool(converged),
                     diverged_at=int(diverged_at) if diverged else None,
                     converged_at=int(converged_at) if converged else None)
    return Trajectory(iterates=iterates, losses=losses, grad_norms=grad_norms, lrs=lrs,
                      wall_time=wall_time, steps=taken, message=message, label=label,
                      landscape=landscape, optimizer=opt_name, hyperparameters=hyper,
                      **flags)


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


def _message(batch_shape, taken, steps, diverged, diverged_at, converged, converged_at,
             losses, grad_norms, fs, gns, limit, tol, stopped_by_callback):
    if not batch_shape:
        if diverged:
            k = int(diverged_at)
            f, g = float(fs[k]), float(gns[k])
            if not math.isfinite(f) or f > float(limit):
                why = f"loss = {f:.6g}" + (f" > {float(limit):.3g}" if math.isfinite(f) else "")
            else:
                why = f"loss = {f:.6g}, gradient norm = {g:.3g}"
            return f"diverged at step {k}: {why}"
        if converged:
            return (f"converged at step {int(converged_at)}: gradient norm "
                    f"{float(gns[int(converged_at)]):.3g} <= tol {tol:g}")
        end = f"loss = {float(losses[-1]):.6g}, gradient norm = {float(grad_norms[-1]):.3g}"
        if stopped_by_callback:
            return f"stopped by callback at step {taken}: {end}"
        return f"finished {taken} steps: {end}"
    runs = int(np.prod(batch_shape))
    parts = [f"{runs} runs, {taken} steps"]
    nd, nc = int(np.sum(diverged)), int(np.sum(converged))
    if nd:
        at = diverged_at[diverged]
        parts.append(f"{nd} diverged (steps {at.min()}-{at.max()})" if at.min() != at.max()
                     else f"{nd} diverged at step {at.min()}")
    if tol is not None:
        parts.append(f"{nc} converged (gradient norm <= {tol:g})")
    rest = runs - nd - nc
    if rest:
        parts.append(f"{rest} still running" if taken < steps else f"{rest} finished")
    if stopped_by_callback:
        parts.append("stopped by callback")
    return ": ".join(parts[:1]) + ": " + ", ".join(parts[1:]) if len(parts) > 1 else parts[0]
