"""Chapter 4's learner-mistake table: each mistake loses the check's points on 20 seeds, with a hint
that names it and none of its exercise's other mistakes (issue 22's silent and misleading cases)."""
import itertools
import math

import numpy as np
import pytest
from scipy import stats

from trials import assert_diagnosed, reference, table_rows

ref = reference(4)


def grid_reversed(axes):
    names = list(axes)[::-1]
    return [dict(zip(names, v)) for v in itertools.product(*(axes[n] for n in names))]


def grid_zip(axes):
    names = list(axes)
    return [dict(zip(names, v)) for v in zip(*(axes[n] for n in names))]


def _scores(objective, configs, budget, seeds, keep_inf=False):
    scores = []
    for config, seed in zip(configs, seeds):
        try:
            s = float(objective(config, budget, seed))
        except Exception:
            s = math.nan
        scores.append(s if keep_inf or math.isfinite(s) else math.nan)
    return scores


def loop_keeps_inf(objective, configs, budget, seeds):
    scores = _scores(objective, configs, budget, seeds, keep_inf=True)
    finite = [i for i, s in enumerate(scores) if math.isfinite(s)]
    return (min(finite, key=scores.__getitem__) if finite else None), scores


def loop_nanargmin(objective, configs, budget, seeds):
    scores = _scores(objective, configs, budget, seeds)
    return int(np.nanargmin(scores)), scores


def loop_argmin(objective, configs, budget, seeds):
    scores = _scores(objective, configs, budget, seeds)
    return int(np.argmin(scores)), scores


def loop_skips(objective, configs, budget, seeds):
    scores = [s for s in _scores(objective, configs, budget, seeds) if not math.isnan(s)]
    return (int(np.argmin(scores)) if scores else None), scores


def loop_highest(objective, configs, budget, seeds):
    best, scores = ref.search_loop(objective, configs, budget, seeds)
    return (int(np.nanargmax(scores)) if best is not None else None), scores


def loop_no_try(objective, configs, budget, seeds):
    scores = [float(objective(c, budget, s)) for c, s in zip(configs, seeds)]
    return int(np.nanargmin(scores)), scores


def uniform(low, high, n, seed):
    return np.random.default_rng(seed).uniform(low, high, size=n)


def float32(low, high, n, seed):
    return ref.log_uniform(low, high, n, seed).astype(np.float32)


def log10_bounds(low, high, n, seed):
    return np.exp(np.random.default_rng(seed).uniform(np.log10(low), np.log10(high), size=n))


def lr_no_division(lrs, smoothed):
    return ref.suggest_lr(lrs, smoothed) * 10


def lr_plain_argmin(lrs, smoothed):
    return float(lrs[np.argmin(smoothed)] / 10)


def lr_last(lrs, smoothed):
    return float(lrs[-1] / 10)


def halving_sorted(scores, eta):
    return sorted(range(len(scores)), key=list(scores).__getitem__)[: max(1, len(scores) // eta)]


def halving_worst(scores, eta):
    order = np.argsort(np.where(np.isnan(scores), -np.inf, scores))[::-1]
    return [int(i) for i in order[: max(1, len(scores) // eta)]]


def halving_all(scores, eta):
    return [int(i) for i in np.argsort(scores)]


def halving_unordered(scores, eta):
    return sorted(ref.halving_survivors(scores, eta), reverse=True)


def halving_in_place(scores, eta):
    scores[np.isnan(scores)] = np.inf
    return ref.halving_survivors(scores, eta)


def halving_zero(scores, eta):
    return [int(i) for i in np.argsort(scores)[: len(scores) // eta]]


def _picks(scores, k, seed):
    return np.random.default_rng(seed).choice(len(scores), size=k, replace=False)


def tournament_highest(scores, k, seed):
    picks = _picks(scores, k, seed)
    return picks[np.argmax(scores[picks])]


def tournament_position(scores, k, seed):
    return np.argmin(scores[_picks(scores, k, seed)])


def tournament_everyone(scores, k, seed):
    return np.argmin(scores)


def tournament_replace(scores, k, seed):
    picks = np.random.default_rng(seed).choice(len(scores), size=k, replace=True)
    return picks[np.argmin(scores[picks])]


def _interval(new, best, level, ddof=1, df="welch", q="t", sides=1):
    a, b = new.var(ddof=ddof) / new.size, best.var(ddof=ddof) / best.size
    nu = (a + b) ** 2 / (a ** 2 / (new.size - 1) + b ** 2 / (best.size - 1)) if df == "welch" else new.size + best.size - 2
    p = 1 - (1 - level) / sides
    return np.bool_(new.mean() - best.mean() + (stats.norm.ppf(p) if q == "z" else stats.t.ppf(p, nu)) * math.sqrt(a + b) < 0)


def ci_naive(new, best, level=0.95):
    return np.mean(new) < np.mean(best)


def ci_normal(new, best, level=0.95):
    return _interval(new, best, level, q="z")


def ci_pooled_df(new, best, level=0.95):
    return _interval(new, best, level, df="pooled")


def ci_ddof0(new, best, level=0.95):
    return _interval(new, best, level, ddof=0)


def ci_two_sided(new, best, level=0.95):
    return _interval(new, best, level, sides=2)


def swap_reversed(bi, bj, Ei, Ej):
    return np.minimum(1.0, np.exp(-(np.asarray(bi) - bj) * (np.asarray(Ei) - Ej)))


def swap_no_min(bi, bj, Ei, Ej):
    return np.exp((np.asarray(bi) - bj) * (np.asarray(Ei) - Ej))


def swap_temperatures(bi, bj, Ei, Ej):
    return np.minimum(1.0, np.exp((1 / np.asarray(bi) - 1 / np.asarray(bj)) * (np.asarray(Ei) - Ej)))


TABLE = [
    ("grid_configs/combinations", grid_reversed, "the right configs in the wrong order"),
    ("grid_configs/combinations", grid_zip, "one per combination"),
    ("search_loop/failures", loop_keeps_inf, "a score of inf was kept"),
    ("search_loop/failures", loop_nanargmin, "raised ValueError"),
    ("search_loop/failures", loop_argmin, "np.argmin stops at the first NaN"),
    ("search_loop/failures", loop_skips, "not skipped"),
    ("search_loop/failures", loop_highest, "the LOWEST score"),
    ("search_loop/failures", loop_no_try, "raised RuntimeError"),
    ("log_uniform/distribution", uniform, "you sampled uniformly in [low, high]"),
    ("log_uniform/distribution", float32, "returned dtype float32"),
    ("log_uniform/distribution", log10_bounds, "the bounds are base-10 logarithms"),
    ("suggest_lr/rule", lr_no_division, "divide the learning rate at the minimum by 10"),
    ("suggest_lr/rule", lr_plain_argmin, "np.argmin stops at the first NaN"),
    ("suggest_lr/rule", lr_last, "the last learning rate is where the run blew up"),
    ("halving_survivors/keep the best", halving_sorted, "you kept a failed trial (NaN score)"),
    ("halving_survivors/keep the best", halving_worst, "you kept the WORST configurations"),
    ("halving_survivors/keep the best", halving_all, "keep max(1, len(scores) // eta)"),
    ("halving_survivors/keep the best", halving_unordered, "the right configurations in the wrong order"),
    ("halving_survivors/keep the best", halving_in_place, "note: argument 1 was modified by the call"),
    ("halving_survivors/at least one", halving_zero, "keep max(1, len // eta) = 1"),
    ("tournament_select/winner", tournament_highest, "the contender with the HIGHEST score"),
    ("tournament_select/winner", tournament_position, "the position of the winner among the contenders"),
    ("tournament_select/winner", tournament_everyone, "the best of the whole population"),
    ("tournament_select/winner", tournament_replace, "draw the contenders with replace=False"),
    ("confident_improvement/phantom improvement", ci_naive, "compared means without their uncertainty"),
    ("confident_improvement/few scores", ci_normal, "this is the normal quantile"),
    ("confident_improvement/few scores", ci_pooled_df, "n_new + n_best - 2 degrees of freedom"),
    ("confident_improvement/few scores", ci_ddof0, "variances with ddof=0"),
    ("confident_improvement/few scores", ci_two_sided, "this is the two-sided quantile"),
    ("swap_probability/formula", swap_reversed, "the sign is reversed"),
    ("swap_probability/formula", swap_no_min, "a probability cannot exceed 1"),
    ("swap_probability/formula", swap_temperatures, "use the inverse temperatures"),
]


@pytest.mark.parametrize("check_id, mistake, says, others", table_rows(TABLE))
def test_mistake_loses_points_on_every_seed_with_its_hint(check_id, mistake, says, others):
    assert_diagnosed(4, check_id, mistake, says, others)


def test_the_table_covers_every_exercise():
    from coursekit.exercises.checks import ch4
    assert {c.exercise for c in ch4.CHECKS} == {row[0].split("/")[0] for row in TABLE}
