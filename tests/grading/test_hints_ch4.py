"""Judges of coursekit.exercises.checks.ch4 (and .decisions): the reference passes, typical mistakes get their hint.

Runs the judges in-process as the grader feeds them (fresh inputs per seed, copies into the
function, then the original inputs, the returned value and the arguments after the call).
"""
import importlib.util
import math

import numpy as np
import pytest
from scipy import stats

from coursekit.exercises.checks import ch4
from coursekit.exercises.spec import Call, Ref
from judging import ROOT

_spec = importlib.util.spec_from_file_location("reference_ch4", ROOT / "solutions" / "ch4_hyperparameter_tuning.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def judge(check, function, seed):
    rng = np.random.default_rng(seed)
    args = check.inputs(rng)
    copies = [a.resolve() if isinstance(a, Ref) else np.copy(a) if isinstance(a, np.ndarray) else a
              for a in args.args]
    value = function(*copies, **args.kwargs)
    return check.judge(Call(args.args, args.kwargs, value, [a if isinstance(a, np.ndarray) else None for a in copies]))


def find(exercise, name):
    return next(c for c in ch4.CHECKS if c.exercise == exercise and c.name == name)


def hints(exercise, name, function, seeds=range(5)):
    return [judge(find(exercise, name), function, seed) for seed in seeds]


@pytest.mark.parametrize("check", ch4.CHECKS, ids=lambda c: c.id)
def test_reference_passes_for_many_random_inputs(check):
    for seed in range(30):
        assert judge(check, getattr(reference, check.exercise), seed) is None, seed


# ---------------------------------------------------------------- the typical mistakes of the issue

def test_uniform_instead_of_log_uniform():
    def uniform(low, high, n, seed):
        return np.random.default_rng(seed).uniform(low, high, size=n)

    def uniform_other_draw(low, high, n, seed):
        return np.random.default_rng(seed + 1).random(n) * (high - low) + low

    for h in hints("log_uniform", "distribution", uniform) + hints("log_uniform", "distribution", uniform_other_draw):
        assert h is not None and "uniform" in h and ("log" in h.lower() or "LOGARITHM" in h)


def test_keeping_the_worst_third():
    def worst(scores, eta):
        order = np.argsort(np.where(np.isnan(scores), -np.inf, scores))[::-1]
        return [int(i) for i in order[: max(1, len(scores) // eta)]]

    for h in hints("halving_survivors", "keep the best", worst):
        assert h is not None and "WORST" in h


def test_reversed_swap_sign():
    def reversed_sign(bi, bj, Ei, Ej):
        return np.minimum(1.0, np.exp(-(np.asarray(bi) - bj) * (np.asarray(Ei) - Ej)))

    for h in hints("swap_probability", "formula", reversed_sign):
        assert h is not None and "sign is reversed" in h
    h = judge(find("swap_probability", "cold takes the lower energy"), reversed_sign, 0)
    assert h is not None and "reversed" in h


def test_comparing_means_without_uncertainty():
    def naive(new, best, level=0.95):
        return bool(np.mean(new) < np.mean(best))

    for h in hints("confident_improvement", "phantom improvement", naive):
        assert h is not None and "without their uncertainty" in h


# ---------------------------------------------------------------- other mistakes

def test_swap_without_min_and_with_temperatures():
    def no_min(bi, bj, Ei, Ej):
        return np.exp((np.asarray(bi) - bj) * (np.asarray(Ei) - Ej))

    assert all(h is not None and "cannot exceed 1" in h for h in hints("swap_probability", "formula", no_min))


def test_normal_quantile_instead_of_t():
    def z_rule(new, best, level=0.95):
        new, best = np.asarray(new), np.asarray(best)
        se = math.sqrt(new.var(ddof=1) / new.size + best.var(ddof=1) / best.size)
        return bool(new.mean() - best.mean() + stats.norm.ppf(level) * se < 0)

    from trials import by_id, hints as graded
    assert all(h is not None and "Student" in h for h in graded(by_id(4, "confident_improvement/few scores"), z_rule,
                                                                  range(5)))


def test_tournament_mistakes():
    def worst(scores, k, seed):
        picks = np.random.default_rng(seed).choice(len(scores), size=k, replace=False)
        return int(picks[np.argmax(np.asarray(scores)[picks])])

    def position(scores, k, seed):
        picks = np.random.default_rng(seed).choice(len(scores), size=k, replace=False)
        return int(np.argmin(np.asarray(scores)[picks]))

    def whole(scores, k, seed):
        return int(np.argmin(scores))

    assert all("HIGHEST" in h for h in hints("tournament_select", "winner", worst))
    # a wrong answer can coincide with another mistake's (or the right) answer on some inputs:
    # most wrong calls name this mistake
    found = [h for h in hints("tournament_select", "winner", position, range(20)) if h is not None]
    assert len(found) >= 10 and sum("position of the winner" in h for h in found) >= 0.8 * len(found)
    found = [h for h in hints("tournament_select", "winner", whole, range(20)) if h is not None]
    assert len(found) >= 10 and sum("whole population" in h for h in found) >= 0.8 * len(found)


def test_halving_count_and_order():
    def all_sorted(scores, eta):
        return [int(i) for i in np.argsort(np.where(np.isnan(scores), np.inf, scores))]

    def keep_zero(scores, eta):
        return [int(i) for i in np.argsort(scores)[: len(scores) // eta]]

    assert all("keep max(1, len(scores) // eta)" in h for h in hints("halving_survivors", "keep the best", all_sorted))
    assert "keep max(1, len // eta) = 1" in judge(find("halving_survivors", "at least one"), keep_zero, 0)


def test_search_loop_mistakes():
    def stops_on_failure(objective, configs, budget, seeds):
        scores = [float(objective(c, budget, s)) for c, s in zip(configs, seeds)]
        return int(np.nanargmin(scores)), scores

    def skips_failures(objective, configs, budget, seeds):
        scores = []
        for c, s in zip(configs, seeds):
            try:
                v = float(objective(c, budget, s))
            except RuntimeError:
                continue
            if math.isfinite(v):
                scores.append(v)
        return int(np.argmin(scores)), scores

    def picks_highest(objective, configs, budget, seeds):
        best, scores = reference.search_loop(objective, configs, budget, seeds)
        return int(np.nanargmax(scores)), scores

    with pytest.raises(RuntimeError):                      # in the sandbox: "raised RuntimeError"
        judge(find("search_loop", "failures"), stops_on_failure, 0)
    assert all("not skipped" in h for h in hints("search_loop", "failures", skips_failures))
    assert all("LOWEST" in h for h in hints("search_loop", "failures", picks_highest))


def test_suggest_lr_mistakes():
    def no_division(lrs, smoothed):
        return float(np.asarray(lrs)[np.nanargmin(np.where(np.isfinite(smoothed), smoothed, np.nan))])

    def plain_argmin(lrs, smoothed):
        return float(np.asarray(lrs)[np.argmin(smoothed)] / 10)

    assert all("divide" in h for h in hints("suggest_lr", "rule", no_division))
    assert all("nanargmin" in h for h in hints("suggest_lr", "rule", plain_argmin))


def test_grid_order():
    def reversed_order(axes):
        names = list(axes)[::-1]
        import itertools
        return [dict(zip(names, v)) for v in itertools.product(*(axes[n] for n in names))]

    found = [h for h in hints("grid_configs", "combinations", reversed_order, range(10)) if h is not None]
    assert found and all("wrong order" in h for h in found)
