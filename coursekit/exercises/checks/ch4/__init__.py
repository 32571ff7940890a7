"""Checks for chapter 4 (hyperparameter tuning): module ``ch4_hyperparameter_tuning``.

Format: see coursekit.exercises.spec. The search exercises are checked here (grid_configs,
search_loop, log_uniform, halving_survivors, tournament_select); the decision rules
(swap_probability, confident_improvement, suggest_lr) in coursekit.exercises.checks.ch4.decisions.
Expected values are computed here, in the grader, from inputs drawn afresh for every run.
"""
import itertools
import math

import numpy as np

from coursekit.exercises.checks.ch4 import decisions
from coursekit.exercises.checks.ch4.objectives import flaky_search
from coursekit.exercises.spec import Checks, Ref, call, close, fmt

NUMBER = 4
TITLE = "Hyperparameter tuning"
MODULE = "ch4_hyperparameter_tuning"
NOTEBOOK = "course/04_hyperparameter_tuning.ipynb"
ALLOWED_IMPORTS = ("numpy", "scipy.stats")   # confident_improvement uses Student's t (the hardened grader reads this)
CHECKS = Checks()


# ------------------------------------------------------------- grid_configs --
def _grid_inputs(rng):
    names = ["lr", "momentum", "width"][: int(rng.integers(2, 4))]
    sizes = [int(rng.integers(2, 4)), int(rng.integers(2, 4)), int(rng.integers(1, 4))]   # two axes vary: order shows
    return call({n: [round(float(v), 4) for v in rng.uniform(0, 1, size=k)] for n, k in zip(names, sizes)})


@CHECKS.add("combinations", "grid_configs", 1, _grid_inputs, trials=3,
            description="every combination, in itertools.product order")
def _judge_grid(c):
    (axes,) = c.args
    names = list(axes)
    expected = [dict(zip(names, v)) for v in itertools.product(*(axes[n] for n in names))]
    got = c.value
    if not isinstance(got, list) or not all(isinstance(g, dict) for g in got):
        return f"grid_configs should return a list of dicts, got {fmt(got)}"
    if len(got) != len(expected):
        sizes = " x ".join(str(len(axes[n])) for n in names)
        return (f"grid_configs returned {len(got)} configs, expected {sizes} = {len(expected)}: "
                "one per combination (itertools.product over the value lists)")
    if got != expected:
        canon = lambda configs: sorted(str(sorted(d.items())) for d in configs)
        if canon(got) == canon(expected):
            return "the right configs in the wrong order: the last name must vary fastest (itertools.product order)"
        return f"grid_configs: expected {fmt(expected)}, got {fmt(got)}"
    return None


# -------------------------------------------------------------- search_loop --
_FLAKY = "coursekit.exercises.checks.ch4.objectives.flaky_search"     # raises for x > 0.8, inf above 0.74, NaN below 0.1


def _loop_inputs(rng):
    n = int(rng.integers(7, 11))
    x = rng.uniform(0.2, 0.7, size=n)
    bad = rng.choice(np.arange(1, n), size=3, replace=False)        # a good trial first: argmin != a failure
    x[bad] = [0.9, 0.05, 0.77]                                      # one crash, one NaN, one inf
    configs = [{"x": float(v)} for v in x]
    return call(Ref(_FLAKY), configs, 4, [int(s) for s in rng.integers(0, 1000, n)])


def _loop_failing_inputs(rng):
    x = rng.permutation([0.9, 0.05, 0.77, float(rng.uniform(0.81, 0.99))])   # every trial fails
    return call(Ref(_FLAKY), [{"x": float(v)} for v in x], 4, [int(s) for s in rng.integers(0, 1000, len(x))])


def _loop_reference(configs, budget, seeds):
    scores = []
    for config, seed in zip(configs, seeds):
        try:
            s = float(flaky_search(config, budget, seed))
        except RuntimeError:
            s = math.nan
        scores.append(s if math.isfinite(s) else math.nan)
    finite = [i for i, s in enumerate(scores) if not math.isnan(s)]
    return (min(finite, key=lambda i: scores[i]) if finite else None), scores


def _raw_scores(configs, budget, seeds):
    """What the objective returned (inf kept), NaN where it raised."""
    out = []
    for config, seed in zip(configs, seeds):
        try:
            out.append(float(flaky_search(config, budget, seed)))
        except RuntimeError:
            out.append(math.nan)
    return np.array(out)


@CHECKS.add("failures", "search_loop", 2, (_loop_inputs, _loop_failing_inputs), trials=2,
            description="scores every config, records crashes, NaN and inf as NaN, returns the best finite one "
                        "(None when every trial fails)")
def _judge_loop(c):
    _, configs, budget, seeds = c.args
    best, scores = _loop_reference(configs, budget, seeds)
    got = c.value
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"search_loop should return a pair (best, scores), got {fmt(got)}"
    got_best, got_scores = got
    try:
        got_scores = np.asarray(got_scores, dtype=float)
    except (TypeError, ValueError):
        return f"scores should be a list of floats, got {fmt(got_scores)}"
    if got_scores.shape != (len(configs),):
        return (f"scores should hold one score per config ({len(configs)}), got {got_scores.size}: a failed "
                "trial is recorded as NaN, not skipped, and it must not stop the loop")
    raw = _raw_scores(configs, budget, seeds)
    if np.any(np.isinf(got_scores)) and np.array_equal(np.isinf(got_scores), np.isinf(raw)):
        return (f"a score of inf was kept at {np.flatnonzero(np.isinf(got_scores)).tolist()}: a score that is not "
                "finite (NaN or inf) is a failed trial, record it as NaN (math.isfinite)")
    if not np.array_equal(np.isnan(got_scores), np.isnan(scores)):
        return ("failed trials (the call raised, or returned NaN / inf) must be recorded as NaN, and only those; "
                f"expected NaN at {np.flatnonzero(np.isnan(scores)).tolist()}, got {np.flatnonzero(np.isnan(got_scores)).tolist()}")
    hint = close(np.nan_to_num(got_scores), np.nan_to_num(scores), rtol=1e-12, atol=1e-12, what="scores")
    if hint:
        return hint + " (call objective(configs[i], budget, seeds[i]))"
    if best is None:
        return None if got_best is None else (
            f"every trial failed here, so best should be None, got {fmt(got_best)}")
    if isinstance(got_best, int) and not isinstance(got_best, bool) and got_best == best:
        return None
    if got_best is None:
        return f"best should be {best} (index of the lowest finite score {scores[best]:.4g}), got None"
    if isinstance(got_best, int) and 0 <= got_best < len(scores) and math.isnan(scores[got_best]):
        return (f"best should be {best}, got {got_best}, a failed trial: np.argmin stops at the first NaN; "
                "take the lowest FINITE score (np.nanargmin, once you know one trial succeeded)")
    if isinstance(got_best, int) and got_best == int(np.nanargmax(scores)):
        return f"best should be {best}, the LOWEST score (scores are losses), got {got_best}, the highest"
    return f"best should be {best} (index of the lowest finite score {scores[best]:.4g}), got {fmt(got_best)}"


# -------------------------------------------------------------- log_uniform --
def _log_inputs(rng):
    low = float(10.0 ** rng.uniform(-5, -2))
    return call(low, float(low * 10 ** rng.uniform(2, 5)), 500, int(rng.integers(0, 2**31)))


@CHECKS.add("distribution", "log_uniform", 2, _log_inputs, trials=2,
            description="exp of one rng.uniform draw on the log scale, a float64 array")
def _judge_log(c):
    low, high, n, seed = c.args
    draw = lambda a, b: np.random.default_rng(seed).uniform(a, b, size=n)
    expected = np.exp(draw(np.log(low), np.log(high)))
    got = c.value
    what = f"log_uniform({low:.3g}, {high:.3g}, {n}, seed)"
    if isinstance(got, np.ndarray) and got.dtype.kind == "f" and got.dtype != np.float64:
        return (f"{what} returned dtype {got.dtype}: the statement asks for float64 (np.exp of rng.uniform's "
                "float64 draw is float64; do not cast it)")
    mistakes = {"you sampled uniformly in [low, high], not log-uniformly: draw u = rng.uniform(log low, "
                "log high) and return exp(u)": draw(low, high),
                "the bounds are base-10 logarithms but you mapped back with np.exp: use the same base "
                "both ways (np.log with np.exp, or np.log10 with 10 ** u)": np.exp(draw(np.log10(low), np.log10(high))),
                "you mapped back with 10 ** u from natural-log bounds: use np.exp(u) with np.log bounds":
                    10.0 ** draw(np.log(low), np.log(high))}
    hint = close(got, expected, rtol=1e-9, what=what, mistakes=mistakes)
    if hint is None or any(hint.endswith(advice) for advice in mistakes):
        return hint
    if (isinstance(got, np.ndarray) and got.shape == (n,) and np.all(np.isfinite(got))
            and np.all((got >= low) & (got <= high))):
        if np.mean(got > math.sqrt(low * high)) > 0.8:            # log-uniform: half above, uniform: ~99%
            return (f"most samples are above the geometric mean sqrt(low high) = {math.sqrt(low * high):.3g}: "
                        "this is uniform sampling; sample the LOGARITHM uniformly: "
                        "np.exp(rng.uniform(np.log(low), np.log(high), size=n))")
    return hint


# -------------------------------------------------------- halving_survivors --
def _halving_inputs(rng):
    # NaN first, at a kept place of the others and past the middle: Python's sorted() leaves a NaN
    # where it lies (every comparison with it is False), so it lands among the survivors
    n = int(rng.integers(9, 20))
    eta = int(rng.integers(2, 4))
    scores = rng.uniform(0.1, 2.0, size=n)
    scores[0] = np.nan
    scores[int(rng.integers(n // 2 + 1, n))] = np.nan
    return call(scores, eta)


def _survivors(scores, eta, reverse=False):
    key = np.where(np.isnan(scores), np.inf if not reverse else -np.inf, scores)
    order = np.argsort(-key if reverse else key, kind="stable")
    return [int(i) for i in order[: max(1, len(scores) // eta)]]


@CHECKS.add("keep the best", "halving_survivors", 1, _halving_inputs, trials=3,
            description="the len // eta lowest scores, best first, failures last")
def _judge_halving(c):
    scores, eta = c.args
    expected = _survivors(scores, eta)
    got = c.value
    try:
        got_list = [int(i) for i in got]
    except (TypeError, ValueError):
        return f"halving_survivors should return a list of indices, got {fmt(got)}"
    if got_list == expected:
        return None
    if got_list == _survivors(scores, eta, reverse=True) or set(got_list) & set(expected) == set():
        return ("you kept the WORST configurations: scores are losses, lower is better; "
                f"expected {expected}, got {got_list}")
    if len(got_list) != len(expected):
        return (f"keep max(1, len(scores) // eta) = {len(expected)} configurations (n = {len(scores)}, "
                f"eta = {eta}), got {len(got_list)}")
    if sorted(got_list) == sorted(expected):
        return f"the right configurations in the wrong order: best (lowest score) first; expected {expected}"
    if any(0 <= i < len(scores) and np.isnan(scores[i]) for i in got_list):
        return (f"you kept a failed trial (NaN score) among {got_list}: it must rank last. Python's sorted() and "
                "min() cannot order NaN (every comparison with it is False); np.argsort(scores) puts NaN last, "
                "or replace NaN by inf before sorting")
    return f"expected the indices {expected}, got {got_list}"


def _halving_small_inputs(rng):
    return call(rng.uniform(0.1, 2.0, size=2), 3)


@CHECKS.add("at least one", "halving_survivors", 0.5, (_halving_small_inputs, _halving_inputs), trials=2,
            description="keeps one configuration when len(scores) < eta (and len // eta otherwise)")
def _judge_halving_small(c):
    scores, eta = c.args
    if len(scores) >= eta:
        return _judge_halving(c)
    expected = _survivors(scores, eta)
    try:
        got = [int(i) for i in c.value]
    except (TypeError, ValueError):
        return f"halving_survivors should return a list of indices, got {fmt(c.value)}"
    if not got:
        return f"with {len(scores)} configs and eta = {eta}, len // eta is 0: keep max(1, len // eta) = 1"
    return None if got == expected else f"expected {expected}, got {got}"


# -------------------------------------------------------- tournament_select --
def _tournament_answers(scores, k, seed):
    """The right index, then what the typical mistakes return (highest, position, whole population, replace)."""
    picks = np.random.default_rng(seed).choice(len(scores), size=k, replace=False)
    repl = np.random.default_rng(seed).choice(len(scores), size=k, replace=True)
    return [int(picks[np.argmin(scores[picks])]), int(picks[np.argmax(scores[picks])]),
            int(np.argmin(scores[picks])), int(np.argmin(scores)), int(repl[np.argmin(scores[repl])])]


def _tournament_inputs(rng):
    n = int(rng.integers(6, 15))
    scores, k = rng.permutation(n).astype(float) + rng.uniform(0, 0.5, size=n), int(rng.integers(2, 5))
    while True:                                   # a seed where every mistake answers differently
        seed = int(rng.integers(0, 2**31))
        if len(set(_tournament_answers(scores, k, seed))) == 5:
            return call(scores, k, seed)


@CHECKS.add("winner", "tournament_select", 1.5, _tournament_inputs, trials=4,
            description="the lowest score among the k contenders drawn as specified")
def _judge_tournament(c):
    scores, k, seed = c.args
    picks = np.random.default_rng(seed).choice(len(scores), size=k, replace=False)
    expected = int(picks[np.argmin(scores[picks])])
    got = c.value
    if isinstance(got, (int, np.integer)) and not isinstance(got, bool) and got == expected:
        return None
    what = f"tournament_select (contenders {picks.tolist()}, k = {k})"
    if isinstance(got, bool) or not isinstance(got, int):
        return f"{what}: return the winner's index as an int (np.int64 counts), got {fmt(got)}"
    if got == int(picks[np.argmax(scores[picks])]):
        return f"{what}: you returned the contender with the HIGHEST score; scores are losses, the lowest wins"
    if got == int(np.argmin(scores[picks])):
        return (f"{what}: you returned {got}, the position of the winner among the contenders; "
                f"return its index in scores, picks[argmin] = {expected}")
    if got == int(np.argmin(scores)):
        return f"{what}: you returned the best of the whole population; only the k contenders compete"
    repl = np.random.default_rng(seed).choice(len(scores), size=k, replace=True)
    if got == int(repl[np.argmin(scores[repl])]):
        return f"{what}: draw the contenders with replace=False (k DISTINCT individuals)"
    return f"{what}: expected {expected}, got {fmt(got)}"


CHECKS.extend(decisions.CHECKS)
_ORDER = ["grid_configs", "search_loop", "log_uniform", "suggest_lr", "halving_survivors", "tournament_select",
          "confident_improvement", "swap_probability"]
CHECKS.sort(key=lambda check: _ORDER.index(check.exercise))    # the notebook's order (stable within one)
