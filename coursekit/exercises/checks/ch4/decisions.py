"""Checks for chapter 4's decision rules (module ``ch4_hyperparameter_tuning``).

swap_probability, confident_improvement and suggest_lr, in the order of the notebook.
Expected values come from the formulas (written here) and from scipy.stats (Welch's
one-sided t-test). Imported by coursekit.exercises.checks.ch4, whose ``CHECKS`` lists these last.
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


def _swap_scalar_uphill_inputs(rng):
    return call(2.0, 0.5, float(rng.uniform(0, 1)), float(rng.uniform(1.2, 2.5)))


@CHECKS.add("cold takes the lower energy", "swap_probability", 0.5, (_swap_scalar_inputs, _swap_scalar_uphill_inputs),
            trials=2, description="numbers in, a number out; a hot replica's lower energy is always accepted, "
                                  "a higher one with probability below 1")
def _judge_swap_scalar(c):
    bi, bj, Ei, Ej = c.args
    got = c.value
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return f"swap_probability with numbers should return a number (a float), got {fmt(got)}"
    x = (bi - bj) * (Ei - Ej)
    expected = min(1.0, math.exp(x))
    if abs(got - expected) <= 1e-9 * expected:
        return None
    if x > 0:
        return (f"the cold replica (beta = {bi}) holds E = {Ei:.3g}, the hot one (beta = {bj}) found E = {Ej:.3g}: "
                f"(beta_i - beta_j)(E_i - E_j) > 0, so the swap is certain (probability 1), got {got:.4g}; "
                "is the sign of the exponent reversed?")
    if abs(got - 1.0) < 1e-12:
        return (f"the hot replica (beta = {bj}) holds a HIGHER energy E = {Ej:.3g} than the cold one (E = {Ei:.3g}): "
                f"the swap is accepted with probability exp({x:.3g}) = {expected:.4g} < 1, got 1; "
                "is the sign of the exponent reversed?")
    return f"swap_probability(beta_i={bi}, beta_j={bj}, E_i={Ei:.4g}, E_j={Ej:.4g}): expected {expected:.6g}, got {got:.6g}"


# ---------------------------------------------------- confident_improvement --
def _rule(new, best, level, ddof=1, df="welch", q="t", sides=1):
    """The one-sided interval rule, and its typical variants (for inputs that tell them apart)."""
    a, b = new.var(ddof=ddof) / new.size, best.var(ddof=ddof) / best.size
    nu = (a + b) ** 2 / (a ** 2 / (new.size - 1) + b ** 2 / (best.size - 1)) if df == "welch" \
        else new.size + best.size - 2
    p = 1 - (1 - level) / sides
    quantile = stats.norm.ppf(p) if q == "z" else stats.t.ppf(p, nu)
    return bool(new.mean() - best.mean() + quantile * math.sqrt(a + b) < 0)


_VARIANTS = {"welch": {}, "naive": None, "z": {"q": "z"}, "pooled": {"df": "pooled"}, "ddof0": {"ddof": 0},
             "two-sided": {"sides": 2}}
_MISTAKES = {
    "naive": "you compared means without their uncertainty. Accept only if m_new - m_best + t se < 0",
    "z": "this is the normal quantile (stats.norm.ppf(level) = 1.645 at 0.95): with few scores use Student's "
         "t quantile stats.t.ppf(level, nu) with Welch's nu",
    "pooled": "this is what n_new + n_best - 2 degrees of freedom give (the pooled test's): use Welch's "
              "nu = se^4 / ((s_new^2/n_new)^2/(n_new - 1) + (s_best^2/n_best)^2/(n_best - 1))",
    "ddof0": "this is what variances with ddof=0 give: the sample variances s^2 divide by n - 1 (ddof=1)",
    "two-sided": "this is the two-sided quantile stats.t.ppf(1 - (1 - level)/2, nu): the question is one-sided "
                 "(is new LOWER?), use stats.t.ppf(level, nu)",
}


_SPECIFIC_FIRST = ["two-sided", "ddof0", "pooled", "z", "naive"]   # the order of the cases that tell them apart


def _answers(new, best, level):
    return {name: (bool(new.mean() < best.mean()) if kw is None else _rule(new, best, level, **kw))
            for name, kw in _VARIANTS.items()}


def _scores_where(rng, want, n1, n2, s1, s2, gap, level=0.95):
    """Draw (new, best) until every rule named in ``want`` answers as given (a few dozen draws at most)."""
    while True:
        new, best = rng.normal(0.5 - gap, s1, size=n1), rng.normal(0.5, s2, size=n2)
        got = _answers(new, best, level)
        if all(got[name] == value for name, value in want.items()):
            return call(new, best, level=level)


def _welch(new, best, level):
    return bool(stats.ttest_ind(new, best, equal_var=False, alternative="less").pvalue < 1 - level)


_PHANTOM = ({"welch": False, "naive": True, "z": False, "pooled": False, "ddof0": False}, 3, 5, 0.1, 0.1, 0.03)
_CLEAR = ({"welch": True}, 4, 6, 0.05, 0.1, 0.2)
_NO_GAIN = ({"welch": False, "naive": False}, 4, 6, 0.08, 0.1, -0.05)
# few scores, in this order: each case tells one variant from the rules before it (so a hint names
# the most specific variant that answers as the learner did: the broader ones failed an earlier case)
_FEW = [_PHANTOM,
        ({"welch": False, "z": True, "pooled": False, "ddof0": False}, 3, 3, 0.1, 0.1, 0.15),
        ({"welch": False, "pooled": True, "ddof0": False}, 3, 9, 0.15, 0.03, 0.1),
        ({"welch": False, "ddof0": True, "pooled": False}, 3, 3, 0.1, 0.1, 0.15),
        ({"welch": True, "two-sided": False}, 5, 5, 0.1, 0.1, 0.15)]


def _case(spec):
    return lambda rng: _scores_where(rng, *spec)


def _judge_decision(c):
    new, best = c.args
    level = c.kwargs["level"]
    expected = _welch(new, best, level)
    got = c.value
    if not isinstance(got, bool):
        return f"confident_improvement should return True or False (a bool, np.bool_ too), got {fmt(got)}"
    if got == expected:
        return None
    what = (f"confident_improvement(mean new {new.mean():.4f} over {new.size} scores (s {new.std(ddof=1):.3g}), "
            f"mean best {best.mean():.4f} over {best.size} (s {best.std(ddof=1):.3g}), level={level}): "
            f"expected {expected}, got {got}")
    answers = _answers(new, best, level)
    named = [name for name in _SPECIFIC_FIRST if answers[name] == got]
    if named:
        return f"{what}; {_MISTAKES[named[0]]}"
    return (f"{what}; check the standard error sqrt(s_new^2/n_new + s_best^2/n_best) with ddof=1 variances, "
            "Welch's nu and the one-sided quantile stats.t.ppf(level, nu)")


@CHECKS.add("phantom improvement", "confident_improvement", 1, (_case(_PHANTOM), _case(_CLEAR)) * 2, trials=4,
            description="rejects a lower mean that the noise explains, accepts a clear gain")
def _judge_naive_trap(c):
    return _judge_decision(c)


@CHECKS.add("few scores", "confident_improvement", 0.5, tuple(_case(f) for f in _FEW), trials=5,
            description="Student's t, Welch's degrees of freedom, ddof=1 variances, one-sided")
def _judge_z_trap(c):
    return _judge_decision(c)


def _real_inputs(rng):
    while True:                                   # a real gain (its partner case has none)
        n1, n2 = int(rng.integers(4, 8)), int(rng.integers(4, 8))
        new, best = rng.normal(0.3, 0.05, size=n1), rng.normal(0.5, 0.15, size=n2)
        level = float(rng.choice([0.9, 0.95, 0.99]))
        if _welch(new, best, level):
            return call(new, best, level=level)


@CHECKS.add("real improvement", "confident_improvement", 1, (_real_inputs, _case(_NO_GAIN)) * 2, trials=4,
            description="matches Welch's one-sided t-test (scipy.stats) on random scores, gain or none")
def _judge_real(c):
    return _judge_decision(c)


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
