"""The learning-rate range test (Smith 2017, "Cyclical learning rates", section 3.3).

Train for a few hundred steps while the learning rate grows exponentially from
``lr_min`` to ``lr_max``; record the loss of each mini-batch, smoothed by an
exponential moving average with bias correction; stop when the smoothed loss blows
up (exceeds ``blowup`` times its minimum, or is not finite); restore the weights.
The suggestion rule, stated and tested: **the learning rate at the minimum of the
smoothed loss, divided by 10** (there the loss still falls, a decade below the edge
where it starts to rise).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import data, optim
from .._validate import count

__all__ = ["lr_range_test", "suggest_lr", "LRRange"]


@dataclass
class LRRange:
    """lrs and losses of each step taken, the smoothed losses, the suggestion, and where it stopped."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    stopped_early: bool


def suggest_lr(lrs, smoothed) -> float:
    """The suggestion rule: lr at the minimum of the smoothed loss, divided by 10."""
    lrs, smoothed = np.asarray(lrs, float), np.asarray(smoothed, float)
    if lrs.shape != smoothed.shape or lrs.size == 0:
        raise ValueError(f"lrs and smoothed must be non-empty and of one shape, got {lrs.shape}, {smoothed.shape}")
    return float(lrs[np.nanargmin(np.where(np.isfinite(smoothed), smoothed, np.nan))] / 10)


def lr_range_test(model, params, X, y, *, lr_min=1e-5, lr_max=10.0, steps=100, batch_size=32,
                  optimizer="sgd", blowup=4.0, beta=0.9, seed=0, **optimizer_kwargs) -> LRRange:
    """Run the range test of ``model`` (``model.value_and_grad(params, X, y)``) on (X, y).

    params: an array or a list of arrays, trained in place and restored afterwards.
    lr_k = lr_min (lr_max / lr_min)^(k / (steps - 1)); batches of ``batch_size`` rows drawn
    with ``seed``; ``optimizer`` a name of coursekit.optim (with ``optimizer_kwargs``).
    """
    lr_min, lr_max = float(lr_min), float(lr_max)
    if not (0 < lr_min < lr_max and math.isfinite(lr_max)):
        raise ValueError(f"lr_min must be > 0 and < lr_max, got lr_min={lr_min}, lr_max={lr_max}")
    steps, batch_size = count(steps, "steps", 2), count(batch_size, "batch_size")
    if not float(blowup) > 1:
        raise ValueError(f"blowup must be > 1, got {blowup!r}")
    if not 0 <= float(beta) < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    arrays = params if isinstance(params, (list, tuple)) else [params]
    saved = [np.array(p, copy=True) for p in arrays]
    opt = optim.get(optimizer)(params, lr=lr_min, **optimizer_kwargs)
    rng = np.random.default_rng(seed)
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    losses, smoothed, avg, stopped = [], [], 0.0, False
    try:
        with np.errstate(all="ignore"):
            for k, lr in enumerate(lrs):
                Xb, yb = data.sample_batch(X, y, batch_size, rng=rng, replace=False)
                loss, grads = model.value_and_grad(params, Xb, yb)
                loss = float(loss)
                avg = beta * avg + (1 - beta) * loss
                losses.append(loss)
                smoothed.append(avg / (1 - beta ** (k + 1)))                  # bias-corrected EMA
                if not math.isfinite(smoothed[-1]) or smoothed[-1] > blowup * min(smoothed):
                    stopped = True
                    break
                opt.lr = float(lr)
                opt.step(grads)
    finally:
        for p, s in zip(arrays, saved):                                     # restore the weights
            p[...] = s
    n = len(losses)
    return LRRange(lrs[:n], np.array(losses), np.array(smoothed), suggest_lr(lrs[:n], smoothed), stopped)
