"""Judges of coursekit.exercises.checks.ch2 (and .adam): the reference passes, typical mistakes get their hint.

Runs the judges in-process as the grader feeds them (judging.judge); the reference is
solutions/ch2_modern_optimizers.py.
"""
import importlib.util

import numpy as np
import pytest

from coursekit.exercises.checks import ch2
from judging import ROOT, judge

_spec = importlib.util.spec_from_file_location("reference_ch2", ROOT / "solutions" / "ch2_modern_optimizers.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def find(exercise, name):
    return next(c for c in ch2.CHECKS if c.exercise == exercise and c.name == name)


@pytest.mark.parametrize("check", ch2.CHECKS, ids=lambda c: c.id)
def test_reference_passes_for_many_random_inputs(check):
    for seed in range(40):
        assert judge(check, getattr(reference, check.exercise), seed) is None, seed


# ------------------------------------------------------------------ mistakes
def momentum_zero_dampened(p, g, buf, lr, momentum):
    """The buffer initialised to zero with dampening (the EMA convention)."""
    buf = np.zeros_like(p) if buf is None else buf
    new = momentum * buf + (1 - momentum) * g
    return p - lr * new, new


def momentum_in_place(p, g, buf, lr, momentum):
    new_p, new_buf = reference.momentum_step(p, g, buf, lr, momentum)
    p[...] = new_p
    return p, new_buf


def momentum_old_buffer(p, g, buf, lr, momentum):
    new = g.copy() if buf is None else momentum * buf + g
    return p - lr * (np.zeros_like(p) if buf is None else buf), new


def nesterov_classical(p, g, buf, lr, momentum):
    return reference.momentum_step(p, g, buf, lr, momentum)


def adagrad_eps_inside(p, g, sum_sq, lr, eps=1e-10):
    G = sum_sq + g * g
    return p - lr * g / np.sqrt(G + eps), G


def rmsprop_eps_inside(p, g, v, lr, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * g * g
    return p - lr * g / np.sqrt(v + eps), v


def rmsprop_swapped(p, g, v, lr, alpha=0.99, eps=1e-8):
    v = (1 - alpha) * v + alpha * g * g
    return p - lr * g / (np.sqrt(v) + eps), v


def adam_with(t_shift=0, correct=True, eps_inside=False):
    def adam_step(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        k = t + t_shift
        mh, vh = (m / (1 - beta1 ** k), v / (1 - beta2 ** k)) if correct else (m, v)
        with np.errstate(all="ignore"):
            step = mh / (np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps)
        return p - lr * step, m, v
    return adam_step


def adamw_after(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    q, m, v = reference.adam_step(p, g, m, v, t, lr, beta1, beta2, eps)
    return q * (1 - lr * weight_decay), m, v


def adamw_no_decay(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return reference.adam_step(p, g, m, v, t, lr, beta1, beta2, eps)


def adamw_l2(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return reference.adam_step(p, g + weight_decay * p, m, v, t, lr, beta1, beta2, eps)


def warmup_from_one(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps:
        return lr_max * (t + 1) / warmup_steps
    return reference.warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min)


def cosine_over_total(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if warmup_steps <= t < total_steps:
        return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * t / total_steps)) / 2
    return reference.warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min)


def clip_each(grads, max_norm):
    return [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]


def clip_always(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    return [g * max_norm / total for g in grads]


@pytest.mark.parametrize("exercise, name, mistake, phrase", [
    ("momentum_step", "first step", momentum_zero_dampened, "the first buffer is g itself"),
    ("momentum_step", "later steps", momentum_zero_dampened, "without the (1 - momentum) factor"),
    ("momentum_step", "later steps", momentum_in_place, "p was modified"),
    ("momentum_step", "later steps", momentum_old_buffer, "old buffer"),
    ("nesterov_step", "first step", nesterov_classical, "classical momentum"),
    ("nesterov_step", "later steps", nesterov_classical, "classical momentum"),
    ("adagrad_step", "step", adagrad_eps_inside, "eps goes outside the square root"),
    ("rmsprop_step", "step", rmsprop_eps_inside, "eps goes outside the square root"),
    ("rmsprop_step", "step", rmsprop_swapped, "swapped"),
    ("adam_step", "first step", adam_with(correct=False), "did you apply the bias correction"),
    ("adam_step", "later steps", adam_with(correct=False), "did you apply the bias correction"),
    ("adam_step", "first step", adam_with(t_shift=-1), "count the step from 0"),
    ("adam_step", "later steps", adam_with(t_shift=-1), "counted from 0"),
    ("adamw_step", "decoupled decay", adamw_after, "after the Adam step"),
    ("adamw_step", "decoupled decay", adamw_no_decay, "weight decay is missing"),
    ("warmup_cosine", "warmup", warmup_from_one, "counts from 1"),
    ("warmup_cosine", "cosine", cosine_over_total, "restarts at the end of the warmup"),
    ("clip_by_global_norm", "global norm", clip_each, "each array was clipped on its own"),
    ("clip_by_global_norm", "below the threshold", clip_always, "must not be scaled up"),
])
def test_typical_mistakes_get_a_specific_hint(exercise, name, mistake, phrase):
    check = find(exercise, name)
    with np.errstate(all="ignore"):
        hints = [judge(check, mistake, seed) for seed in range(6)]
    assert all(h and phrase in h for h in hints), hints


def test_eps_inside_the_root_is_named_for_adam():
    """eps = 1e-3 draws make the mistake visible; eps = 1e-8 ones hide it within rounding."""
    check = find("adam_step", "later steps")
    hints = [judge(check, adam_with(eps_inside=True), seed) for seed in range(30)]
    named = [h for h in hints if h and "eps goes outside" in h]
    assert named and all(h is None or "eps goes outside" in h for h in hints)


def test_adamw_as_adam_plus_l2_fails():
    check = find("adamw_step", "decoupled decay")
    assert all(judge(check, adamw_l2, seed) for seed in range(6))


def test_points_and_order():
    assert sum(c.points for c in ch2.CHECKS) == 17
    order = ["momentum_step", "nesterov_step", "adagrad_step", "rmsprop_step", "adam_step",
             "adamw_step", "warmup_cosine", "clip_by_global_norm"]
    assert [c.exercise for c in ch2.CHECKS] == sorted([c.exercise for c in ch2.CHECKS], key=order.index)
