"""Chapter 2's learner-mistake table: each mistake loses the check's points on 20 seeds, with a hint
that names it and none of its exercise's other mistakes (or, for a changed input, a note)."""
import numpy as np
import pytest

from trials import assert_diagnosed, reference, table_rows

ref = reference(2)


def ema_buffer(p, g, buf, lr, momentum):
    b = (1 - momentum) * g if buf is None else momentum * buf + (1 - momentum) * g
    return p - lr * b, b


def old_buffer(p, g, buf, lr, momentum):
    b = g.copy() if buf is None else momentum * buf + g
    return p - lr * (g if buf is None else buf), b


def momentum_in_place(p, g, buf, lr, momentum):
    new_p, b = ref.momentum_step(p, g, buf, lr, momentum)
    p[:] = new_p
    return new_p.copy(), b


def nesterov_classical(p, g, buf, lr, momentum):
    return ref.momentum_step(p, g, buf, lr, momentum)


def nesterov_no_lr(p, g, buf, lr, momentum):
    b = g.copy() if buf is None else momentum * buf + g
    return p - (g + momentum * b), b


def adagrad_eps_inside(p, g, sum_sq, lr, eps=1e-10):
    G = sum_sq + g * g
    return p - lr * g / np.sqrt(G + eps), G


def adagrad_no_sum(p, g, sum_sq, lr, eps=1e-10):
    G = g * g
    return p - lr * g / (np.sqrt(G) + eps), G


def adagrad_old_sum(p, g, sum_sq, lr, eps=1e-10):
    return p - lr * g / (np.sqrt(sum_sq) + eps), sum_sq + g * g


def rmsprop_swapped(p, g, v, lr, alpha=0.99, eps=1e-8):
    v1 = (1 - alpha) * v + alpha * g * g
    return p - lr * g / (np.sqrt(v1) + eps), v1


def rmsprop_eps_inside(p, g, v, lr, alpha=0.99, eps=1e-8):
    v1 = alpha * v + (1 - alpha) * g * g
    return p - lr * g / np.sqrt(v1 + eps), v1


def _adam(p, g, m, v, t, lr, b1, b2, eps, correct_at):
    m1, v1 = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
    if correct_at is None:
        return p - lr * m1 / (np.sqrt(v1) + eps), m1, v1
    return p - lr * (m1 / (1 - b1 ** correct_at)) / (np.sqrt(v1 / (1 - b2 ** correct_at)) + eps), m1, v1


def adam_no_correction(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam(p, g, m, v, t, lr, beta1, beta2, eps, None)


def adam_t_plus_one(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam(p, g, m, v, t, lr, beta1, beta2, eps, t + 1)


def adam_from_zero(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam(p, g, m, v, t, lr, beta1, beta2, eps, t - 1)


def adam_eps_inside(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m1, v1 = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
    return p - lr * (m1 / (1 - beta1 ** t)) / np.sqrt(v1 / (1 - beta2 ** t) + eps), m1, v1


def adamw_after(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    q, m1, v1 = ref.adam_step(p, g, m, v, t, lr, beta1, beta2, eps)
    return q * (1 - lr * weight_decay), m1, v1


def adamw_without_lr(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return ref.adam_step(p * (1 - weight_decay), g, m, v, t, lr, beta1, beta2, eps)


def adamw_no_decay(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return ref.adam_step(p, g, m, v, t, lr, beta1, beta2, eps)


def adam_plus_l2(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return ref.adam_step(p, g + weight_decay * p, m, v, t, lr, beta1, beta2, eps)


def no_end_branch(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps:
        return lr_max * t / warmup_steps
    s, S = t - warmup_steps, total_steps - warmup_steps
    return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * s / S)) / 2


def warmup_from_one(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    return lr_max * (t + 1) / warmup_steps if t < warmup_steps else ref.warmup_cosine(
        t, lr_max, warmup_steps, total_steps, lr_min)


def cosine_over_total(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps or t >= total_steps:
        return ref.warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min)
    return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * t / total_steps)) / 2


def cosine_to_zero(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    if t < warmup_steps or t >= total_steps:
        return ref.warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min)
    s, S = t - warmup_steps, total_steps - warmup_steps
    return lr_max * (1 + np.cos(np.pi * s / S)) / 2


def clip_each(grads, max_norm):
    return [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]


def clip_max_instead_of_min(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    return [g * max(1.0, max_norm / (total + 1e-6)) for g in grads]


def clip_in_place(grads, max_norm):
    scale = min(1.0, max_norm / (np.sqrt(sum(np.sum(g * g) for g in grads)) + 1e-6))
    for g in grads:
        g *= scale
    return [g.copy() for g in grads]


def clip_sum_of_norms(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads)
    return [g * min(1.0, max_norm / (total + 1e-6)) for g in grads]


TABLE = [
    ("momentum_step/later steps", ema_buffer, "without the (1 - momentum) factor"),
    ("momentum_step/first step", ema_buffer, "the first buffer is g itself"),
    ("momentum_step/later steps", old_buffer, "you stepped with the old buffer"),
    ("momentum_step/later steps", momentum_in_place, "note: p was modified by the call"),
    ("nesterov_step/later steps", nesterov_classical, "this is classical momentum's step"),
    ("nesterov_step/later steps", nesterov_no_lr, "the learning rate is missing"),
    ("adagrad_step/step", adagrad_eps_inside, "eps goes outside the square root"),
    ("adagrad_step/step", adagrad_no_sum, "the sum of squares must accumulate"),
    ("adagrad_step/step", adagrad_old_sum, "the root of the NEW sum of squares"),
    ("rmsprop_step/step", rmsprop_swapped, "you swapped them"),
    ("rmsprop_step/step", rmsprop_eps_inside, "eps goes outside the square root"),
    ("adam_step/first step", adam_no_correction, "did you apply the bias correction"),
    ("adam_step/later steps", adam_t_plus_one, "the bias correction uses t + 1"),
    ("adam_step/later steps", adam_from_zero, "the step is counted from 0"),
    ("adam_step/later steps", adam_eps_inside, "eps goes outside the square root"),
    ("adamw_step/decoupled decay", adamw_after, "the decay was applied after the Adam step"),
    ("adamw_step/decoupled decay", adamw_without_lr, "the decay is multiplied by the learning rate"),
    ("adamw_step/decoupled decay", adamw_no_decay, "the weight decay is missing"),
    ("adamw_step/decoupled decay", adam_plus_l2, "the decay went through the gradient (Adam + L2"),
    ("warmup_cosine/end", no_end_branch, "without a branch for t >= total_steps"),
    ("warmup_cosine/warmup", warmup_from_one, "the warmup counts from 1"),
    ("warmup_cosine/cosine", cosine_over_total, "the cosine restarts at the end of the warmup"),
    ("warmup_cosine/cosine", cosine_to_zero, "the cosine ends at lr_min, not 0"),
    ("clip_by_global_norm/global norm", clip_each, "each array was clipped on its own"),
    ("clip_by_global_norm/global norm", clip_max_instead_of_min, "nothing was clipped"),
    ("clip_by_global_norm/below the threshold", clip_max_instead_of_min, "must not be scaled up"),
    ("clip_by_global_norm/global norm", clip_sum_of_norms, "not the sum of the arrays' norms"),
    ("clip_by_global_norm/global norm", clip_in_place, "note: grads[0] was modified by the call"),
]


@pytest.mark.parametrize("check_id, mistake, says, others", table_rows(TABLE))
def test_mistake_loses_points_on_every_seed_with_its_hint(check_id, mistake, says, others):
    assert_diagnosed(2, check_id, mistake, says, others)


def test_max_instead_of_min_scales_a_small_norm_up():
    hints = [h for h in __import__("trials").hints(
        __import__("trials").by_id(2, "clip_by_global_norm/below the threshold"), clip_max_instead_of_min)]
    assert all(h is not None for h in hints)


def test_the_table_covers_every_exercise():
    from coursekit.exercises.checks import ch2
    assert {c.exercise for c in ch2.CHECKS} == {row[0].split("/")[0] for row in TABLE}
