"""Checks for chapter 4's decision rules (module ``ch4_hyperparameter_tuning``).

swap_probability, confident_improvement and suggest_lr, in the order of the notebook.
Expected values come from the formulas (written here) and from scipy.stats (Welch's
one-sided t-test). Imported by coursekit.exercises.ch4, whose ``CHECKS`` lists these last.
"""
import math

import numpy as np
from scipy import stats

from coursekit.exercises.spec import Checks, call, close, fmt

CHECKS = Checks()


# --------------------------------------------------------- swap_probability --
def _swap_inputs(rng):
    n = 8
    return call(rng.uniform(0.1, 3.0, size=n), rng.uniform(0.1, 3.0, size=n), rng.normal(0, 2, size=n),
                rng.normal(0, 2, size=n))


@CHECKS.add("formula", "swap_probability", 1.5, _swap_inputs, trials=2,
            description="min(1, exp((beta_i - beta_j)(E_i - E_j))) on arrays of pairs")
def _judge_swap(c):
    bi, bj, Ei, Ej = c.args
    x = (bi - bj) * (Ei - Ej)
    expected = np.minimum(1.0, np.exp(x))
    return close(c.value, expected, rtol=1e-9, atol=1e-12, what="swap_probability on 8 pairs of replicas",
                 mistakes={"the sign is reversed: the exponent is (beta_i - beta_j)(E_i - E_j), so a colder replica "
                           "(larger beta) ALWAYS takes a lower energy": np.minimum(1.0, np.exp(-x)),
                           "a probability cannot exceed 1: take min(1, exp(...))": np.exp(x),
                           "use the inverse temperatures beta = 1/T as given, not their inverses":
                               np.minimum(1.0, np.exp((1 / bi - 1 / bj) * (Ei - Ej)))})


def _swap_scalar_inputs(rng):
    return call(2.0, 0.5, float(rng.uniform(3, 6)), float(rng.uniform(0, 2)))


@CHECKS.add("cold takes the lower energy", "swap_probability", 0.5, _swap_scalar_inputs,
            description="numbers in, a number out; a hot replica's lower energy is always accepted")
def _judge_swap_scalar(c):
    bi, bj, Ei, Ej = c.args
    try:
        got = float(np.asarray(c.value))
    except (TypeError, ValueError):
        return f"swap_probability with numbers should return a number, got {fmt(c.value)}"
    if abs(got - 1.0) < 1e-12:
        return None
    return (f"the cold replica (beta = {bi}) holds E = {Ei:.3g}, the hot one (beta = {bj}) found E = {Ej:.3g}: "
            f"(beta_i - beta_j)(E_i - E_j) > 0, so the swap is certain (probability 1), got {got:.4g}; "
            "is the sign of the exponent reversed?")


# ---------------------------------------------------- confident_improvement --
def _welch(new, best, level):
    return bool(stats.ttest_ind(new, best, equal_var=False, alternative="less").pvalue < 1 - level)


def _naive_trap_inputs(rng):
    # a lower mean that noise explains: the naive rule says yes, the interval says no
    while True:
        n1, n2 = int(rng.integers(3, 7)), int(rng.integers(3, 7))
        best = rng.normal(0.5, 0.1, size=n2)
        new = rng.normal(0.5, 0.1, size=n1)
        if new.mean() < best.mean() and not _welch(new, best, 0.95):
            return call(new, best, level=0.95)


def _z_trap_inputs(rng):
    # significant with the normal quantile, not with Student's t (few scores)
    while True:
        best = rng.normal(0.5, 0.1, size=3)
        new = rng.normal(0.35, 0.1, size=3)
        a, b = new.var(ddof=1) / 3, best.var(ddof=1) / 3
        z_says = new.mean() - best.mean() + stats.norm.ppf(0.95) * math.sqrt(a + b) < 0
        if z_says and not _welch(new, best, 0.95):
            return call(new, best, level=0.95)


def _real_inputs(rng):
    n1, n2 = int(rng.integers(4, 8)), int(rng.integers(4, 8))
    return call(rng.normal(0.3, 0.05, size=n1), rng.normal(0.5, 0.15, size=n2), level=float(rng.choice([0.9, 0.95, 0.99])))


def _judge_decision(c, trap):
    new, best = c.args
    level = c.kwargs["level"]
    expected = _welch(new, best, level)
    got = c.value
    if not isinstance(got, (bool, np.bool_)):
        return f"confident_improvement should return True or False, got {fmt(got)}"
    if bool(got) == expected:
        return None
    what = (f"confident_improvement(mean new {new.mean():.4f} over {new.size} scores, mean best "
            f"{best.mean():.4f} over {best.size}, level={level}): expected {expected}, got {bool(got)}")
    if trap == "naive":
        return (f"{what}; the new mean is lower, but by less than the noise explains: you compared means "
                "without their uncertainty. Accept only if m_new - m_best + t se < 0")
    if trap == "z":
        return (f"{what}; with 3 scores each, use Student's t quantile stats.t.ppf(level, nu) with Welch's "
                "degrees of freedom, not the normal quantile 1.645")
    return f"{what}; check the standard error sqrt(s_new^2/n_new + s_best^2/n_best) with ddof=1 variances"


@CHECKS.add("phantom improvement", "confident_improvement", 1, _naive_trap_inputs, trials=3,
            description="rejects a lower mean that the noise explains")
def _judge_naive_trap(c):
    return _judge_decision(c, "naive")


@CHECKS.add("few scores", "confident_improvement", 0.5, _z_trap_inputs,
            description="uses Student's t with Welch's degrees of freedom")
def _judge_z_trap(c):
    return _judge_decision(c, "z")


@CHECKS.add("real improvement", "confident_improvement", 1, _real_inputs, trials=3,
            description="matches Welch's one-sided t-test (scipy.stats) on random scores")
def _judge_real(c):
    return _judge_decision(c, "real")


# --------------------------------------------------------------- suggest_lr --
def _suggest_inputs(rng):
    n = int(rng.integers(30, 60))
    lrs = np.logspace(-5, 1, n)
    dip = int(rng.integers(n // 3, 2 * n // 3))
    smoothed = 1.0 + 0.5 * ((np.arange(n) - dip) / n) ** 2 * 8 + rng.uniform(0, 0.01, size=n)
    smoothed[-3:] = [5.0, np.nan, np.inf]
    return call(lrs, smoothed)


@CHECKS.add("rule", "suggest_lr", 1, _suggest_inputs, trials=3,
            description="lr at the minimum of the smoothed loss / 10, ignoring NaN and inf")
def _judge_suggest(c):
    lrs, smoothed = c.args
    finite = np.where(np.isfinite(smoothed), smoothed, np.nan)
    i = int(np.nanargmin(finite))
    expected = lrs[i] / 10
    return close(c.value, expected, rtol=1e-12, what="suggest_lr",
                 mistakes={"divide the learning rate at the minimum by 10: the minimum itself is already near "
                           "the edge where the loss starts to rise": lrs[i],
                           "the last learning rate is where the run blew up; the rule uses the MINIMUM of the "
                           "smoothed loss": lrs[-1] / 10,
                           "np.argmin stops at the first NaN: ignore non-finite values (np.nanargmin after "
                           "replacing inf by NaN)": lrs[int(np.argmin(smoothed))] / 10})
