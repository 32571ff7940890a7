"""A debugging checklist for training runs: read the curve, turn the right knob (claim C44).

Four questions, in order, each answered from the recorded curves of a run
(``objectives.train_mlp(..., record=True)``: the loss of every mini-batch step and
the gradient norm):

1. **learning rate**: did the loss blow up (not finite, or above where it started), or end flat
   and no lower than its first epoch (a network knocked to chance level)? Lower lr.
2. **loss**: did training converge (the gradient vanished) to a loss that is still high (at
   least half of ``chance``, the loss of a constant prediction)? Then the optimizer found the
   minimum of the wrong objective: check the loss and its penalty (here a weight penalty l2
   that dominates). A gradient that vanished at a low loss is a converged, healthy run.
3. **batch noise**: does the mini-batch loss jump around by more than it improves over
   the last part of the run? Larger batches (or a lower lr) average the noise out.
4. **optimizer**: is the curve smooth but the loss not even halved by the end? It is too
   slow: Adam (or momentum, or a larger lr) gets much further in the same number of steps.
5. **overfitting** (read from the validation curve, when given): training is fine, but the
   validation loss ended at least 1.5 times its lowest value while the training loss (epoch mean)
   did not rise since: stop earlier or regularize. (A validation loss that rises together with the
   training loss is noise or instability, not overfitting.)

The thresholds were set on :data:`BROKEN_RUNS` and four runs an earlier version misread;
:data:`HELD_OUT_RUNS` are runs they were not set on (the chapter's table of diagnoses).

:data:`BROKEN_RUNS` holds one broken config for each, and its fix.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["diagnose", "BROKEN_RUNS", "HELD_OUT_RUNS", "CHECKLIST", "curve_statistics"]

CHECKLIST = {
    "learning rate": "the loss blew up: lower the learning rate",
    "loss": "converged to a high loss: the objective is wrong (check the loss and its penalty)",
    "batch noise": "the mini-batch loss is mostly noise: use larger batches (or a lower learning rate)",
    "optimizer": "smooth but too slow: use Adam or momentum (or a larger learning rate)",
    "overfitting": "training is fine, validation got worse: stop earlier or regularize",
    "healthy": "nothing to fix: the loss fell and settled",
}

# name: (broken config, fixed config); every run: 12 epochs of the chapter's MLP (defaults: SGD,
# lr 0.1, momentum 0.9, batches of 32); each fix turns the one knob the diagnosis names
BROKEN_RUNS = {
    "learning rate": ({"lr": 30.0}, {"lr": 0.1}),
    "loss": ({"l2": 0.5}, {"l2": 1e-4}),
    "batch noise": ({"batch_size": 4}, {"batch_size": 32}),
    "optimizer": ({"momentum": 0.0, "lr": 0.01}, {"optimizer": "adam", "lr": 0.01}),
}

# Runs the thresholds were NOT set on, each labelled by how it was built (the knob that was broken,
# or "healthy"): the checklist's test set. 12 epochs each, like BROKEN_RUNS.
HELD_OUT_RUNS = [
    ("learning rate", {"lr": 2.0}), ("learning rate", {"lr": 10.0}),
    ("learning rate", {"optimizer": "adam", "lr": 0.5}), ("learning rate", {"momentum": 0.99, "lr": 0.5}),
    ("loss", {"l2": 0.2}), ("loss", {"l2": 2.0}),
    ("batch noise", {"batch_size": 2}), ("batch noise", {"batch_size": 1, "lr": 0.05}),
    ("optimizer", {"momentum": 0.0, "lr": 0.003}), ("optimizer", {"momentum": 0.0, "lr": 0.02}),
    ("optimizer", {"optimizer": "adam", "lr": 1e-4}),
    ("healthy", {"optimizer": "adam", "lr": 0.003}), ("healthy", {"lr": 0.05}),
    ("healthy", {"batch_size": 64}), ("healthy", {"width": 64}),
]


def curve_statistics(steps, grad_norm, epochs) -> dict:
    """Numbers the checklist reads from the per-step losses and gradient norms of ``epochs`` epochs.

    first: the loss before any step; epoch: the mean step loss of each epoch; drop: first epoch's
    mean minus the last's; progress: the last epoch's mean over the first's;
    noise: the standard deviation of the step losses of the last quarter, over the drop;
    wobble: that standard deviation over their mean (a dead network's loss is flat: small wobble);
    grad_ratio: the mean gradient norm of the last quarter over that of the first epoch.
    """
    steps, grad_norm = np.asarray(steps, float), np.asarray(grad_norm, float)
    epochs = int(epochs)
    per = steps.size // epochs if epochs > 0 else 0
    if epochs < 4 or per < 1:
        raise ValueError(f"epochs must be >= 4 with at least one step each, got {epochs} for {steps.size} steps")
    stats = {"finite": bool(np.all(np.isfinite(steps)) and steps.size == per * epochs), "first": float(steps[0])}
    if not stats["finite"]:
        return stats
    epoch = steps.reshape(epochs, per).mean(axis=1)
    q = max(epochs // 4, 1)
    drop = float(epoch[0] - epoch[-1])
    tiny = 1e-12 * (1 + abs(epoch[0]))
    stats.update(epoch=epoch, drop=drop,
                 progress=float(epoch[-1] / epoch[0]),
                 noise=float(steps[-q * per:].std() / max(drop, tiny)),
                 wobble=float(steps[-q * per:].std() / max(abs(steps[-q * per:].mean()), tiny)),
                 grad_ratio=float(grad_norm[-q * per:].mean() / grad_norm[:per].mean()))
    return stats


def diagnose(steps, grad_norm, epochs, val=None, chance=math.log(3)) -> str:
    """The first item of the checklist that the curves point to (a key of CHECKLIST).

    ``val``: the validation loss after each epoch (optional, one per epoch; needed for "overfitting");
    ``chance``: the loss of a constant prediction (ln 3 for the chapter's three balanced classes)."""
    s = curve_statistics(steps, grad_norm, epochs)
    if not s["finite"] or s["epoch"][0] > 2 * s["first"] or (s["progress"] >= 1 and s["wobble"] < 0.2):
        return "learning rate"          # blew up, or stuck flat no lower than it started
    if s["grad_ratio"] < 0.2 and s["epoch"][-1] >= 0.5 * chance:
        return "loss"                   # converged (the gradient vanished) to a high loss
    if s["noise"] > 1.0:
        return "batch noise"            # step-to-step jumps larger than the whole improvement
    if s["progress"] > 0.5:
        return "optimizer"              # smooth, but the loss fell by less than half: too slow
    if val is not None and len(val) == epochs and np.all(np.isfinite(val)):
        best = int(np.argmin(val))
        if val[-1] >= 1.5 * val[best] and s["epoch"][-1] <= s["epoch"][best]:
            return "overfitting"        # validation rose well above its best while training did not
    return "healthy"
