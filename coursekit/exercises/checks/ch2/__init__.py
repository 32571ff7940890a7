"""Checks for chapter 2 (modern optimizers): module ``ch2_modern_optimizers``.

Format: see coursekit.exercises.spec. Expected values come from coursekit.optim (the
torch.optim conventions) run here, in the grader, on inputs drawn afresh for every
grading run; each judge names the typical mistake when the result matches it.
momentum_step, nesterov_step, adagrad_step and rmsprop_step are here; adam_step ...
clip_by_global_norm in coursekit.exercises.checks.ch2.adam (appended at the end).
"""
import numpy as np

from coursekit import optim
from coursekit.exercises.checks.ch2 import adam
from coursekit.exercises.checks.ch2.common import inputs_unchanged, parts, run_optimizer
from coursekit.exercises.spec import Checks, call, close

NUMBER = 2
TITLE = "Modern optimizers"
MODULE = "ch2_modern_optimizers"
NOTEBOOK = "course/02_modern_optimizers.ipynb"
CHECKS = Checks()   # momentum_step ... rmsprop_step below; adam's at the end


def _step_inputs(rng, first):
    d = int(rng.integers(2, 6))
    p, g = rng.normal(size=d), rng.normal(size=d)
    buf = None if first else rng.normal(size=d)
    return call(p, g, buf, float(rng.uniform(0.05, 0.5)), float(rng.uniform(0.5, 0.95)))


def _judge_momentum(c, nesterov):
    p, g, buf, lr, m = c.args
    name = "nesterov_step" if nesterov else "momentum_step"
    what = f"{name}(p, g, buf{'=None' if buf is None else ''}, lr={lr:.3g}, momentum={m:.3g})"
    problem = inputs_unchanged(c, ["p", "g", "buf"])
    got, form = parts(c, 2, "(new_p, new_buf)", what)
    if problem or form:
        return problem or form
    p_new, s = run_optimizer(optim.SGD, p, g, {"b": buf}, lr=lr, momentum=m, nesterov=nesterov)
    b = s["b"]
    old = np.zeros_like(p) if buf is None else buf
    if buf is None:
        hint = ("the first buffer is g itself (torch starts the buffer at g, not at zero with a "
                "(1 - momentum) factor: that is the EMA convention, whose lr is 1/(1 - momentum) larger)")
    else:
        hint = "torch's buffer is momentum * buf + g, without the (1 - momentum) factor of the EMA form"
    mistakes_b = {hint: m * old + (1 - m) * g}
    problem = close(got[1], b, rtol=1e-10, atol=1e-12, what=f"{what}: new_buf", mistakes=mistakes_b)
    if problem:
        return problem
    classical = p - lr * b               # = p - lr (g + momentum old): also Nesterov with the old buffer
    mistakes_p = {"the learning rate is missing: subtract lr * (...)":
                      p - (g + m * b) if nesterov else p - b}
    if nesterov:
        mistakes_p["this is classical momentum's step p - lr * buf (the same as stepping along g + momentum * "
                   "the OLD buffer): Nesterov (torch form) updates buf first, then steps along "
                   "g + momentum * new_buf"] = classical
    else:
        mistakes_p["you stepped with the old buffer: update buf first, then p - lr * new_buf"] = p - lr * old
        mistakes_p["this is Nesterov's step: heavy ball steps along the buffer alone, p - lr * buf"] = \
            p - lr * (g + m * b)
    return close(got[0], p_new, rtol=1e-10, atol=1e-12, what=f"{what}: new_p", mistakes=mistakes_p)


# ------------------------------------------------------------ momentum_step --
@CHECKS.add("first step", "momentum_step", 1, lambda rng: _step_inputs(rng, True),
            description="buf is None: the buffer starts at g, p - lr * g")
def _judge_momentum_first(c):
    return _judge_momentum(c, nesterov=False)


@CHECKS.add("later steps", "momentum_step", 1, lambda rng: _step_inputs(rng, False), trials=3,
            description="buf <- momentum buf + g, p <- p - lr buf; changed inputs earn a note")
def _judge_momentum_later(c):
    return _judge_momentum(c, nesterov=False)


# ------------------------------------------------------------ nesterov_step --
@CHECKS.add("first step", "nesterov_step", 1, lambda rng: _step_inputs(rng, True),
            description="already differs from heavy ball: p - lr (1 + momentum) g")
def _judge_nesterov_first(c):
    return _judge_momentum(c, nesterov=True)


@CHECKS.add("later steps", "nesterov_step", 1, lambda rng: _step_inputs(rng, False), trials=3,
            description="p <- p - lr (g + momentum new_buf); changed inputs earn a note")
def _judge_nesterov_later(c):
    return _judge_momentum(c, nesterov=True)


# ------------------------------------------------------ adagrad / rmsprop --
def _adaptive_inputs(rng):
    d = int(rng.integers(2, 6))
    # eps large enough that "eps inside the square root" shows
    return call(rng.normal(size=d), rng.normal(size=d), rng.uniform(0.0, 2.0, size=d),
                float(rng.uniform(0.05, 0.5)), eps=float(rng.uniform(0.05, 0.2)))


@CHECKS.add("step", "adagrad_step", 1, _adaptive_inputs, trials=3,
            description="sum_sq <- sum_sq + g^2, p <- p - lr g / (sqrt(sum_sq) + eps); changed inputs earn a note")
def _judge_adagrad(c):
    p, g, G, lr = c.args
    eps = c.kwargs["eps"]
    what = f"adagrad_step(lr={lr:.3g}, eps={eps:.3g})"
    problem = inputs_unchanged(c, ["p", "g", "sum_sq"])
    got, form = parts(c, 2, "(new_p, new_sum_sq)", what)
    if problem or form:
        return problem or form
    p_new, s = run_optimizer(optim.AdaGrad, p, g, {"sum_sq": G}, lr=lr, eps=eps)
    G1 = s["sum_sq"]
    problem = close(got[1], G1, rtol=1e-10, atol=1e-12, what=f"{what}: new_sum_sq", mistakes={
        "the sum of squares must accumulate: new_sum_sq = sum_sq + g**2": g * g})
    return problem or close(got[0], p_new, rtol=1e-10, atol=1e-12, what=f"{what}: new_p", mistakes={
        "eps goes outside the square root: g / (sqrt(sum_sq) + eps)": p - lr * g / np.sqrt(G1 + eps),
        "divide by the root of the NEW sum of squares (after adding g**2)": p - lr * g / (np.sqrt(G) + eps)})


def _rmsprop_inputs(rng):
    args = _adaptive_inputs(rng)
    return call(*args.args, alpha=float(rng.uniform(0.8, 0.99)), eps=args.kwargs["eps"])


@CHECKS.add("step", "rmsprop_step", 1, _rmsprop_inputs, trials=3,
            description="v <- alpha v + (1 - alpha) g^2, p <- p - lr g / (sqrt(v) + eps); changed inputs earn a note")
def _judge_rmsprop(c):
    p, g, v, lr = c.args
    a, eps = c.kwargs["alpha"], c.kwargs["eps"]
    what = f"rmsprop_step(lr={lr:.3g}, alpha={a:.3g}, eps={eps:.3g})"
    problem = inputs_unchanged(c, ["p", "g", "v"])
    got, form = parts(c, 2, "(new_p, new_v)", what)
    if problem or form:
        return problem or form
    p_new, s = run_optimizer(optim.RMSProp, p, g, {"v": v}, lr=lr, alpha=a, eps=eps)
    v1 = s["v"]
    problem = close(got[1], v1, rtol=1e-10, atol=1e-12, what=f"{what}: new_v", mistakes={
        "alpha weighs the past: v <- alpha v + (1 - alpha) g**2 (you swapped them)": (1 - a) * v + a * g * g,
        "the new square is weighted by (1 - alpha): v <- alpha v + (1 - alpha) g**2": a * v + g * g})
    return problem or close(got[0], p_new, rtol=1e-10, atol=1e-12, what=f"{what}: new_p", mistakes={
        "eps goes outside the square root: g / (sqrt(v) + eps)": p - lr * g / np.sqrt(v1 + eps)})


# adam_step, adamw_step, warmup_cosine, clip_by_global_norm
CHECKS.extend(adam.CHECKS)
