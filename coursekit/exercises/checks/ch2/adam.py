"""Checks for chapter 2's exercises adam_step, adamw_step, warmup_cosine and clip_by_global_norm.

Format: coursekit.exercises.spec. Expected values come from coursekit.optim.Adam/AdamW,
coursekit.optim.schedules and coursekit.optim.clipping, run in the grader on fresh inputs.
Imported by coursekit.exercises.checks.ch2, whose ``CHECKS`` lists these last.
"""
import numpy as np

from coursekit import optim
from coursekit.exercises.checks.ch2.common import inputs_unchanged, parts, run_optimizer
from coursekit.optim import clipping, schedules
from coursekit.exercises.spec import Checks, array_like, call, close, fmt, number, unchanged_list

CHECKS = Checks()


# ------------------------------------------------------------------ adam_step --
def _adam_inputs(rng, first, eps=None):
    d = int(rng.integers(2, 6))
    t = 1 if first else int(rng.integers(2, 7))
    m = np.zeros(d) if first else rng.normal(size=d) * 0.5
    v = np.zeros(d) if first else rng.uniform(0.1, 1.0, size=d)
    return call(rng.normal(size=d), rng.normal(size=d) * rng.uniform(0.1, 10), m, v, t,
                float(rng.uniform(0.01, 0.1)), beta1=0.9, beta2=0.999,
                eps=float(rng.choice([1e-8, 1e-3])) if eps is None else eps)


def _adam_update(p, m1, v1, lr, b1, b2, eps, t):
    """p after an Adam step from the new moments m1, v1 with the bias corrections of step t."""
    return p - lr * (m1 / (1 - b1 ** t)) / (np.sqrt(v1 / (1 - b2 ** t)) + eps)


def _judge_adam(c, decoupled):
    p, g, m, v, t, lr = c.args
    b1, b2, eps = c.kwargs["beta1"], c.kwargs["beta2"], c.kwargs["eps"]
    wd = c.kwargs.get("weight_decay", 0.0)
    name = "adamw_step" if decoupled else "adam_step"
    what = f"{name}(t={t}, lr={lr:.3g}, eps={eps:g}{f', weight_decay={wd:.3g}' if decoupled else ''})"
    problem = inputs_unchanged(c, ["p", "g", "m", "v"])
    got, form = parts(c, 3, "(new_p, new_m, new_v)", what)
    if problem or form:
        return problem or form
    cls, extra = (optim.AdamW, {"weight_decay": wd}) if decoupled else (optim.Adam, {})
    p_new, s = run_optimizer(cls, p, g, {"m": m, "v": v}, t=t - 1, lr=lr, betas=(b1, b2), eps=eps, **extra)
    l2 = {}
    if decoupled:
        g2 = g + wd * p
        advice = ("the decay went through the gradient (Adam + L2, g + weight_decay p): AdamW leaves g unchanged "
                  "and multiplies p by (1 - lr weight_decay) before the Adam step")
        l2 = {"m": {advice: b1 * m + (1 - b1) * g2}, "v": {advice: b2 * v + (1 - b2) * g2 * g2}}
    for k, (key, label) in enumerate([("m", "new_m"), ("v", "new_v")], start=1):
        problem = close(got[k], s[key], rtol=1e-10, atol=1e-14, what=f"{what}: {label}", mistakes=l2.get(key))
        if problem:
            return problem
    if not np.all(np.isfinite(np.asarray(got[0], dtype=float))):
        return (f"{what}: new_p contains NaN or inf: {fmt(got[0])}. At t = 1 the bias correction "
                "is 1 - beta**1; did you count the step from 0 (1 - beta**0 = 0 divides by zero)?")
    m1, v1 = s["m"], s["v"]
    q = p * (1 - lr * wd) if decoupled else p
    mistakes = {
        "the first Adam step should have size about lr per coordinate: did you apply the bias "
        "correction m / (1 - beta1**t), v / (1 - beta2**t)?": q - lr * m1 / (np.sqrt(v1) + eps),
        "the step is counted from 0: the first step has t = 1, use 1 - beta**t with the t you are given":
            _adam_update(q, m1, v1, lr, b1, b2, eps, t - 1) if t > 1 else np.full_like(p, np.nan),
        "the bias correction uses t + 1: step t (the t you are given, 1 at the first step) divides by "
        "1 - beta**t": _adam_update(q, m1, v1, lr, b1, b2, eps, t + 1),
        "eps goes outside the square root: m_hat / (sqrt(v_hat) + eps)":
            q - lr * (m1 / (1 - b1 ** t)) / np.sqrt(v1 / (1 - b2 ** t) + eps),
    }
    if decoupled:
        adam = _adam_update(p, m1, v1, lr, b1, b2, eps, t)
        mistakes = {
            "the decay was applied after the Adam step: decay p first, p * (1 - lr * weight_decay), "
            "then take the Adam step from the decayed p": adam * (1 - lr * wd),
            "the decay is multiplied by the learning rate: p * (1 - lr * weight_decay)":
                _adam_update(p * (1 - wd), m1, v1, lr, b1, b2, eps, t),
            "the weight decay is missing: AdamW first multiplies p by (1 - lr * weight_decay)": adam,
            **mistakes}
    return close(got[0], p_new, rtol=1e-9, atol=1e-12, what=f"{what}: new_p", mistakes=mistakes)


@CHECKS.add("first step", "adam_step", 1, lambda rng: _adam_inputs(rng, True),
            description="t = 1 from zero moments: a step of about lr per coordinate")
def _judge_adam_first(c):
    return _judge_adam(c, decoupled=False)


@CHECKS.add("later steps", "adam_step", 2, (lambda rng: _adam_inputs(rng, False, 1e-3),     # eps inside the root shows
                                            lambda rng: _adam_inputs(rng, False, 1e-8),
                                            lambda rng: _adam_inputs(rng, False)), trials=3,
            description="bias corrections 1 - beta**t at step t, eps outside the root; changed inputs earn a note")
def _judge_adam_later(c):
    return _judge_adam(c, decoupled=False)


def _adamw_inputs(rng):
    a = _adam_inputs(rng, bool(rng.integers(2)))
    return call(*a.args, **a.kwargs, weight_decay=float(rng.uniform(0.05, 0.5)))


# -------------------------------------------------------------- adamw_step --
@CHECKS.add("decoupled decay", "adamw_step", 2, _adamw_inputs, trials=3,
            description="p * (1 - lr weight_decay) first, then Adam with g unchanged")
def _judge_adamw(c):
    return _judge_adam(c, decoupled=True)


# ----------------------------------------------------------- warmup_cosine --
def _schedule_inputs(rng, phase):
    W = int(rng.integers(2, 20))
    T = W + int(rng.integers(10, 100))
    t = {"warmup": int(rng.integers(0, W)), "cosine": int(rng.integers(W, T)), "at warmup_steps": W,
         "at total_steps": T, "past total_steps": T + int(rng.integers(1, 2 * (T - W)))}[phase]
    return call(t, float(rng.uniform(0.01, 1.0)), W, T, float(rng.uniform(0.0, 0.005)))


def _judge_schedule(c):
    t, lr_max, W, T, lr_min = c.args
    what = f"warmup_cosine(t={t}, lr_max={lr_max:.4g}, warmup_steps={W}, total_steps={T}, lr_min={lr_min:.3g})"
    problem = number(c.value, what)
    if problem:
        return problem
    reference = schedules.chain([schedules.linear_warmup(lr_max, W),
                                 schedules.cosine_annealing(lr_max, T - W, lr_min)], [W])
    cos = (lambda s, S: lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * min(s, S) / S)) / 2)
    mistakes = {
        "the warmup counts from 1: at t = 0 the rate is 0, lr_max * t / warmup_steps":
            lr_max * (t + 1) / W if t < W else np.nan,
        "the cosine restarts at the end of the warmup: use s = t - warmup_steps over "
        "S = total_steps - warmup_steps, not t over total_steps": cos(t, T) if W <= t < T else np.nan,
        "the cosine ends at lr_min, not 0: lr_min + (lr_max - lr_min) (1 + cos(pi s / S)) / 2":
            cos(t - W, T - W) - lr_min * (1 - np.cos(np.pi * min(t - W, T - W) / (T - W))) / 2
            if W <= t < T else np.nan,
        "past total_steps the rate stays lr_min: without a branch for t >= total_steps the cosine rises again":
            lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * (t - W) / (T - W))) / 2
            if t > T else np.nan,
    }
    return close(float(c.value), reference(t), rtol=1e-9, atol=1e-15, what=what,
                 mistakes={k: v for k, v in mistakes.items() if np.isfinite(v)})


for _phase, _text in [("warmup", "t < warmup_steps: lr_max t / warmup_steps, 0 at t = 0"),
                      ("cosine", "half a cosine from lr_max to lr_min between warmup_steps and total_steps")]:
    CHECKS.add(_phase, "warmup_cosine", 1, lambda rng, ph=_phase: _schedule_inputs(rng, ph), trials=3,
               description=_text)(_judge_schedule)
CHECKS.add("end", "warmup_cosine", 1, tuple(lambda rng, ph=ph: _schedule_inputs(rng, ph) for ph in
                                            ("past total_steps", "at warmup_steps", "at total_steps")), trials=3,
           description="lr_max at t = warmup_steps, lr_min at and past total_steps")(_judge_schedule)


# ----------------------------------------------------- clip_by_global_norm --
def _clip_inputs(rng, above):
    shapes = [(int(rng.integers(1, 4)), int(rng.integers(1, 4))), (int(rng.integers(2, 6)),), (2, 2, 2)]
    grads = [rng.normal(size=s) * rng.uniform(0.2, 5) for s in shapes]
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    # above: max_norm <= total / 2 < the largest array's own norm (>= total / sqrt(3)), so clipping
    # each array on its own differs from clipping none
    return call(grads, float(total * (rng.uniform(0.1, 0.5) if above else rng.uniform(1.5, 3))))


def _judge_clip(c):
    grads, max_norm = c.args
    what = f"clip_by_global_norm(grads of shapes {[g.shape for g in grads]}, max_norm={max_norm:.4g})"
    got = c.value
    if not isinstance(got, (list, tuple)) or len(got) != len(grads):
        return f"{what} should return a list of {len(grads)} arrays, got {fmt(got)}"
    expected, total = clipping.clip_by_norm(grads, max_norm)
    problems = [array_like(a, e, f"{what}: array {i}") for i, (a, e) in enumerate(zip(got, expected))]
    if any(problems):
        return next(p for p in problems if p)
    if all(close(a, e, rtol=1e-5, atol=1e-12) is None for a, e in zip(got, expected)):
        return unchanged_list(grads, c.after[0], "grads")
    scale = max_norm / (total + 1e-6)
    mistakes = {
        "each array was clipped on its own: clip by the GLOBAL norm of all arrays together, one scale for all "
        "(that keeps the direction)": [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads],
        "nothing was clipped: scale = min(1, max_norm / (total + 1e-6))": grads,
        "a norm below max_norm must not be scaled up: scale = min(1, max_norm / (total + 1e-6)), not max":
            [g * scale for g in grads] if scale > 1 else None,
        "the global norm is the square root of the sum of squares over all entries: total = sqrt(sum of "
        "np.sum(g**2)), not the sum of the arrays' norms": [g * min(1.0, max_norm / (sum(
            np.linalg.norm(h) for h in grads) + 1e-6)) for g in grads],
    }
    for advice, wrong in mistakes.items():
        if wrong is not None and all(close(a, w, rtol=1e-5, atol=1e-12) is None for a, w in zip(got, wrong)):
            return f"{what} (global norm {total:.4g}): {advice}"
    i = next(i for i, (a, e) in enumerate(zip(got, expected)) if close(a, e, rtol=1e-5, atol=1e-12))
    return close(got[i], expected[i], rtol=1e-5, atol=1e-12, what=f"{what}: array {i} (global norm {total:.4g})")


@CHECKS.add("global norm", "clip_by_global_norm", 2, lambda rng: _clip_inputs(rng, True), trials=2,
            description="one scale max_norm / (total + 1e-6) for all arrays")
def _judge_clip_above(c):
    return _judge_clip(c)


@CHECKS.add("below the threshold", "clip_by_global_norm", 1,
            (lambda rng: _clip_inputs(rng, False), lambda rng: _clip_inputs(rng, True)), trials=2,
            description="a global norm below max_norm leaves the gradients as they are (and one above is clipped)")
def _judge_clip_below(c):
    return _judge_clip(c)
