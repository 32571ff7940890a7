"""Run an optimizer on a function and record what happened.

``minimize(fun_and_grad, x0, optimizer, steps)`` is the course's training loop in one
call: it builds the optimizer on a copy of ``x0`` and runs the loop of chapter 1,

    for k in range(steps):
        loss, grad = fun_and_grad(x)        # forward pass: loss and gradient
        opt.step(grad)                      # update x in place
        history.append(loss)

with a :class:`~coursekit.runs.trajectory.Recorder` in place of ``history``: it keeps the
iterates, losses, gradient norms and learning rates as NumPy arrays ready for plotting,
and stops the loop with a clear message when the run diverges instead of handing NaNs
to a plot. It returns the :class:`Trajectory`.

One call can run ``R`` configurations at once: start from ``x0`` of shape ``(R, d)``,
return losses of shape ``(R,)`` and pass array hyperparameters (``lr`` of shape
``(R, 1)``); each row then gets its own divergence and convergence flags.

This module sits above the math (optim, with its schedules and clipping) and never imports matplotlib.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend, optim
from .._validate import callable_or_none, count, one_of, positive
from ..optim.clipping import clip_by_norm
from .trajectory import Recorder, Trajectory, _config_label

__all__ = ["minimize", "Trajectory"]

AUTO_PROGRESS_STEPS = 5000   #: with progress="auto", runs at least this long show a bar


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
    schedule: ``step -> lr`` (``coursekit.optim.schedules``); sets ``opt.lr`` before step
        ``k = 0, 1, ...``.
    clip_norm: clip the gradient to this Euclidean norm before each step
        (``coursekit.optim.clipping.clip_by_norm``; per run in a batch).
    tol: stop when the gradient norm is ``<= tol`` (in a batch: every run converged or diverged).
    divergence_factor: a run diverges at step ``k`` when its loss is not finite or exceeds
        ``divergence_factor * (|loss(x0)| + 1)``. One run stops there; a batch stops when
        every run has diverged (or converged, with ``tol``).
    progress: ``True`` shows a tqdm progress bar; ``"auto"`` only for long runs.
    callback: ``callback(k, x, loss, grad)`` after each step; returning ``True`` stops the run.

    Returns a :class:`Trajectory`.
    """
    fg, landscape = _as_fun_and_grad(fun_and_grad)
    steps = count(steps, "steps", minimum=0)
    tol = None if tol is None else positive(tol, "tol")
    clip_norm = None if clip_norm is None else positive(clip_norm, "clip_norm")
    divergence_factor = positive(divergence_factor, "divergence_factor")
    callable_or_none(schedule, "schedule", "a callable step -> lr")
    callable_or_none(callback, "callback")
    one_of(progress, "progress", (True, False, "auto"))

    x = _initial_point(x0)
    if schedule is not None and "lr" not in optimizer_kwargs:
        optimizer_kwargs["lr"] = schedule(0)
    opt, name = _make_optimizer(optimizer, x, optimizer_kwargs)
    label = _config_label(name, optimizer_kwargs)
    run = Recorder(tol=tol, divergence_factor=divergence_factor, callback=callback,
                   bar=_progress_bar(progress, steps, label))

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # overflow in rows that diverge
        for k in range(steps + 1):
            loss, grad = fg(x)                             # forward pass: loss and gradient
            if run.record(k, x, loss, grad) or k == steps:  # diverged, converged or done
                break
            if schedule is not None:
                opt.lr = schedule(k)
            run.record_lr(getattr(opt, "lr", np.nan))
            if clip_norm is not None:
                grad = clip_by_norm(grad, clip_norm, axis=run.event_axes)[0]
            opt.step(grad)                                 # update x in place
            x = _current(opt, x)

    hyper = {k: (np.array(backend.to_numpy(v)) if hasattr(v, "shape") else v)
             for k, v in optimizer_kwargs.items()}
    return run.trajectory(steps, label=label, landscape=landscape, optimizer=name,
                          hyperparameters=hyper)


# ----------------------------------------------------------------------------- helpers

def _as_fun_and_grad(fun_and_grad):
    """(callable x -> (loss, grad) checking that it returns a pair, the landscape or None)."""
    if hasattr(fun_and_grad, "value_and_grad"):
        raw, landscape = fun_and_grad.value_and_grad, fun_and_grad
    elif callable(fun_and_grad):
        raw, landscape = fun_and_grad, None
    else:
        raise TypeError("fun_and_grad must be a callable x -> (loss, grad) or an object with "
                        f".value_and_grad (a landscape), got {type(fun_and_grad).__name__}")

    def fg(x):
        out = raw(x)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("fun_and_grad must return a pair (loss, grad), got "
                            f"{type(out).__name__}")
        return out
    return fg, landscape


def _initial_point(x0):
    """A floating-point copy of x0 in x0's own array module (lists go to the active one)."""
    if backend.is_array(x0):
        xp, x = backend.get_namespace(x0), backend.copy(x0)
    else:
        try:
            data = np.asarray(x0, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"x0 must be an array or a sequence of numbers ({exc})") from None
        xp = backend.xp
        x = xp.asarray(data)
    return x if xp.isdtype(x.dtype, "real floating") else xp.astype(x, xp.float64)


def _make_optimizer(optimizer, x, kwargs):
    """Build the optimizer on x: optimizer is a class, a name of optim.OPTIMIZERS, or a
    callable params -> optimizer. Returns (optimizer, its name)."""
    if isinstance(optimizer, str):
        factory = optim.get(optimizer)
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
    return opt, (type(opt).__name__ if name == "<lambda>" else name)


def _current(opt, x):
    """The optimizer's parameter array (the same object as x when it updates in place)."""
    params = getattr(opt, "params", None)
    return params[0] if isinstance(params, (list, tuple)) and len(params) == 1 else x


def _progress_bar(progress, steps, label):
    if progress == "auto":
        progress = steps >= AUTO_PROGRESS_STEPS
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=steps, desc=label, leave=False)
