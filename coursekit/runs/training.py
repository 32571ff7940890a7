"""Training a model whose parameters are a list of arrays (the MLP), and tuning its learning rate.

``fit(model, X, y, "adam", steps, lr=...)`` is the loop of chapter 2's experiments: full
batch or mini-batches, an optional schedule and clipping, and divergence detection. It
returns a :class:`Fit` (final parameters, loss per step, gradient norm per step).
``tune_lr`` picks, from a grid, the learning rate with the lowest mean training loss over
the last tenth of the steps (the whole curve counts a little, the end counts most).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import data, optim
from ..optim import clipping
from .._validate import count

__all__ = ["Fit", "fit", "tune_lr", "weight_decay_grid", "WeightsOnlyAdamW"]


@dataclass
class Fit:
    """A finished training run: ``params`` (list of arrays), ``losses`` and ``grad_norms``
    (one per step, on the batch used), ``diverged`` (loss became non-finite or > 1e6)."""

    params: list
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged: bool

    @property
    def final_loss(self) -> float:
        return float(np.mean(self.losses[-max(1, len(self.losses) // 10):])) if not self.diverged else math.inf


def fit(model, X, y, optimizer, steps, *, batch_size=None, seed=0, schedule=None, clip_norm=None,
        params=None, **hyper) -> Fit:
    """Train ``model`` (``loss_and_grads(params, X, y)``) for ``steps`` optimizer steps.

    optimizer: a name of ``optim.OPTIMIZERS`` or a class; ``hyper`` its settings (lr, ...).
    batch_size: None for the full batch, else mini-batches drawn without replacement
    from a generator seeded with ``seed``. schedule: step -> lr. clip_norm: clip the
    gradient list by its global norm. params: start (default ``model.init_params()``).
    """
    steps = count(steps, "steps", 0)
    params = [np.array(p, copy=True) for p in (model.init_params() if params is None else params)]
    cls = optim.get(optimizer) if isinstance(optimizer, str) else optimizer
    if schedule is not None:
        hyper["lr"] = schedule(0)
    opt = cls(params, **hyper)
    rng = np.random.default_rng(seed)
    losses, norms = [], []
    with np.errstate(all="ignore"):
        for k in range(steps):
            if schedule is not None:
                opt.lr = schedule(k)
            Xb, yb = (X, y) if batch_size is None else data.sample_batch(X, y, batch_size, rng, replace=False)
            loss, grads = model.loss_and_grads(params, Xb, yb)
            norm = clipping.global_norm(grads)
            losses.append(float(loss))
            norms.append(norm)
            if not (math.isfinite(float(loss)) and float(loss) < 1e6 and math.isfinite(norm)):
                return Fit(params, np.asarray(losses), np.asarray(norms), True)
            if clip_norm is not None:
                grads, _ = clipping.clip_by_norm(grads, clip_norm)
            opt.step(grads)
    return Fit(params, np.asarray(losses), np.asarray(norms), False)


def tune_lr(model, X, y, optimizer, steps, lrs, **kw):
    """(best lr, {lr: Fit}) over the grid ``lrs``: the lowest ``Fit.final_loss`` wins."""
    runs = {float(lr): fit(model, X, y, optimizer, steps, lr=float(lr), **kw) for lr in lrs}
    best = min(runs, key=lambda lr: runs[lr].final_loss)
    return best, runs


class WeightsOnlyAdamW:
    """AdamW that decays the weight matrices (``params[0::2]``) and not the biases
    (``params[1::2]``), as torch.optim.AdamW with two parameter groups: the MLP's layout.

    Takes AdamW's settings; ``lr`` can be set between steps (schedules), like any optimizer's.
    """

    def __init__(self, params, *, weight_decay=0.01, **hyper):
        self.weights = optim.AdamW(list(params[0::2]), weight_decay=weight_decay, **hyper)
        self.biases = optim.AdamW(list(params[1::2]), weight_decay=0.0, **hyper)

    @property
    def lr(self):
        return self.weights.lr

    @lr.setter
    def lr(self, value):
        self.weights.lr = self.biases.lr = value

    def step(self, grads):
        self.weights.step(list(grads[0::2]))
        self.biases.step(list(grads[1::2]))


def weight_decay_grid(sizes, X, y, X_val, y_val, lrs, wds, steps, seed=0, decay_biases=False):
    """Validation loss of Adam + L2 and of AdamW over a (lr, weight decay) grid.

    Adam + L2 trains ``MLP(sizes, l2=wd)`` (the penalty (wd/2) sum ||W||^2 in the loss, so
    wd W in the gradient); AdamW trains ``MLP(sizes)`` with ``weight_decay=wd``. Both start
    from the same parameters (``seed``). MLP's L2 penalty covers the weight matrices only;
    so, by default, does AdamW (:class:`WeightsOnlyAdamW`), so that the two regularize the
    same parameters. ``decay_biases=True`` decays every parameter in AdamW instead (torch's
    AdamW with one parameter group).
    Returns {"Adam + L2": (len(lrs), len(wds)), "AdamW": ...}
    arrays of the unpenalized loss on (X_val, y_val); inf where training diverged.
    """
    from ..models import MLP

    plain = MLP(sizes, seed=seed)
    adamw = "adamw" if decay_biases else WeightsOnlyAdamW
    out = {"Adam + L2": np.empty((len(lrs), len(wds))), "AdamW": np.empty((len(lrs), len(wds)))}
    for i, lr in enumerate(lrs):
        for j, wd in enumerate(wds):
            runs = {"Adam + L2": fit(MLP(sizes, seed=seed, l2=wd), X, y, "adam", steps, lr=lr),
                    "AdamW": fit(plain, X, y, adamw, steps, lr=lr, weight_decay=wd)}
            for name, r in runs.items():
                out[name][i, j] = math.inf if r.diverged else float(plain.loss(r.params, X_val, y_val))
    return out
