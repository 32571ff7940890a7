"""Learning-rate schedules: pure functions of the step number t = 0, 1, 2, ...

Each factory returns a :class:`Schedule`, a callable ``schedule(t) -> lr`` (a Python float)
with its settings in ``schedule.params``. Conventions follow ``torch.optim.lr_scheduler``
(closed forms of StepLR, ExponentialLR, CosineAnnealingLR, LinearLR: ``schedule(t)`` is
the learning rate torch uses after ``t`` calls of ``scheduler.step()``), and ``chain``
follows ``optax.join_schedules``::

    warmup_cosine = chain([linear_warmup(0.1, 100), cosine_annealing(0.1, 900)], [100])
    opt.lr = warmup_cosine(t)
"""
from __future__ import annotations

import math

from coursekit._validate import count, fraction, nonnegative

__all__ = ["Schedule", "constant", "step_decay", "exponential_decay", "cosine_annealing",
           "linear_warmup", "chain"]


class Schedule:
    """A learning-rate schedule: ``schedule(t)`` for integer steps t >= 0."""

    def __init__(self, name, lr_at, **params):
        self.name, self._lr_at, self.params = name, lr_at, params

    def __call__(self, t) -> float:
        return float(self._lr_at(count(t, "step", minimum=0)))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"


def constant(lr) -> Schedule:
    """lr_t = lr."""
    lr = nonnegative(lr, "lr")
    return Schedule("constant", lambda t: lr, lr=lr)


def step_decay(lr, step_size, gamma=0.1) -> Schedule:
    """lr_t = lr * gamma^floor(t / step_size): multiply by ``gamma`` every ``step_size`` steps.

    ``torch.optim.lr_scheduler.StepLR``. gamma in [0, 1]; step_size an integer >= 1.
    """
    lr, gamma = nonnegative(lr, "lr"), fraction(gamma, "gamma")
    step_size = count(step_size, "step_size", minimum=1)

    def lr_at(t):
        return lr * gamma ** (t // step_size)
    return Schedule("step_decay", lr_at, lr=lr, step_size=step_size, gamma=gamma)


def exponential_decay(lr, gamma) -> Schedule:
    """lr_t = lr * gamma^t (``torch.optim.lr_scheduler.ExponentialLR``); gamma in [0, 1]."""
    lr, gamma = nonnegative(lr, "lr"), fraction(gamma, "gamma")

    def lr_at(t):
        return lr * gamma ** t
    return Schedule("exponential_decay", lr_at, lr=lr, gamma=gamma)


def cosine_annealing(lr_max, T, lr_min=0.0) -> Schedule:
    """lr_t = lr_min + (lr_max - lr_min) (1 + cos(pi t / T)) / 2 for t <= T, then lr_min.

    Half a cosine wave from ``lr_max`` down to ``lr_min`` over ``T`` steps (Loshchilov &
    Hutter, SGDR, ICLR 2017, without restarts; the closed form of
    ``torch.optim.lr_scheduler.CosineAnnealingLR`` with T_max = T, eta_min = lr_min).
    t is clipped at T, so the rate stays at lr_min afterwards (torch's would rise again).
    """
    lr_max, lr_min = nonnegative(lr_max, "lr_max"), nonnegative(lr_min, "lr_min")
    if lr_min > lr_max:
        raise ValueError(f"lr_min must be <= lr_max, got lr_min={lr_min} > lr_max={lr_max}")
    T = count(T, "T", minimum=1)

    def lr_at(t):
        if t >= T:
            return lr_min
        # lr_max - (lr_max - lr_min)(1 - cos)/2 is the formula above rearranged so that
        # t = 0 gives lr_max exactly and rounding keeps it monotone; max() keeps it >= lr_min.
        return max(lr_min, lr_max - (lr_max - lr_min) * (1.0 - math.cos(math.pi * t / T)) / 2.0)
    return Schedule("cosine_annealing", lr_at, lr_max=lr_max, T=T, lr_min=lr_min)


def linear_warmup(lr, warmup_steps, start=0.0) -> Schedule:
    """lr_t = start + (lr - start) t / warmup_steps for t < warmup_steps, then lr.

    A straight ramp from ``start`` to ``lr`` over ``warmup_steps`` steps (Goyal et al.,
    "Accurate, Large Minibatch SGD", 2017); ``torch.optim.lr_scheduler.LinearLR`` with
    start_factor = start / lr, total_iters = warmup_steps.
    """
    lr, start = nonnegative(lr, "lr"), nonnegative(start, "start")
    warmup_steps = count(warmup_steps, "warmup_steps", minimum=0)
    lo, hi = min(start, lr), max(start, lr)

    def lr_at(t):
        if t >= warmup_steps:
            return lr
        return min(hi, max(lo, start + (lr - start) * (t / warmup_steps)))
    return Schedule("linear_warmup", lr_at, lr=lr, warmup_steps=warmup_steps, start=start)


def chain(schedules, boundaries) -> Schedule:
    """Run ``schedules[i]`` from step ``boundaries[i-1]`` on, counting its steps from 0 there.

    lr_t = schedules[i](t - boundaries[i-1]) for boundaries[i-1] <= t < boundaries[i]
    (with boundaries[-1] = 0 for the first), like ``optax.join_schedules``. Needs
    len(boundaries) == len(schedules) - 1, strictly increasing integers >= 1.
    """
    if not isinstance(schedules, (list, tuple)) or not all(callable(s) for s in schedules):
        raise TypeError("schedules must be a list of schedules (callables step -> lr), "
                        f"got {schedules!r:.60}")
    if not schedules:
        raise ValueError("schedules must not be empty")
    if not isinstance(boundaries, (list, tuple)):
        raise TypeError(f"boundaries must be a list of integers, got {boundaries!r:.60}")
    schedules = list(schedules)
    boundaries = [count(b, "boundaries", minimum=1) for b in boundaries]
    if len(boundaries) != len(schedules) - 1:
        raise ValueError(f"boundaries must have len(schedules) - 1 = {len(schedules) - 1} "
                         f"entries, got {len(boundaries)}")
    if any(b1 <= b0 for b0, b1 in zip(boundaries, boundaries[1:])):
        raise ValueError(f"boundaries must be strictly increasing, got {boundaries}")
    starts = [0] + boundaries

    def lr_at(t):
        i = sum(1 for b in boundaries if t >= b)     # the schedule in charge at step t
        return schedules[i](t - starts[i])
    return Schedule("chain", lr_at, schedules=schedules, boundaries=boundaries)
