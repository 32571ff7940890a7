"""coursekit.tuning's tools: sensitivity against analytic variance shares, Optuna as the reference,
the batched sweep against a hand-written heavy-ball loop, the debugging checklist's rules, plots."""
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

from coursekit import data, tuning
from coursekit.plots import tuning as plotting
from coursekit.tuning import objectives, sensitivity

matplotlib.use("Agg")


class Additive:
    """f = 3 a + b on the unit square: first-order variance shares 9/10 and 1/10."""

    def __call__(self, config, budget, seed):
        return 3 * config["a"] + config["b"]


def test_main_effects_match_analytic_variance_shares():
    space = tuning.Space(a=tuning.Uniform(0, 1), b=tuning.Uniform(0, 1))
    study = tuning.random_search(Additive(), space, 4000, budget=1, seed=0)
    shares = sensitivity.main_effects(study, space, bins=20)
    # binning a uniform variable into k equal-count bins keeps a share 1 - 1/k^2 of its variance
    assert shares["a"] == pytest.approx(0.9 * (1 - 1 / 400), abs=0.02)
    assert shares["b"] == pytest.approx(0.1 * (1 - 1 / 400), abs=0.02)
    with pytest.raises(ValueError, match="bins"):
        sensitivity.main_effects(study, space, bins=1)


def test_one_at_a_time_moves_one_hyperparameter():
    space = tuning.Space(a=tuning.Uniform(0, 1), b=tuning.Uniform(0, 1))
    study, effects = sensitivity.one_at_a_time(Additive(), space, {"a": 0.5, "b": 0.5}, points=4, budget=1)
    assert effects["a"]["spread"] == pytest.approx(3 * 0.75)          # midpoints 1/8 ... 7/8
    assert effects["b"]["spread"] == pytest.approx(0.75)
    assert len(study) == 2 * 4 * 2


# ---------------------------------------------------------------- Optuna, the industry reference

def test_optuna_tpe_and_random_search_on_the_same_budget():
    pytest.importorskip("optuna")
    space = tuning.Space(x=tuning.Uniform(0, 1), y=tuning.Uniform(0, 1))
    tpe, rnd = [], []
    for seed in range(3):
        a = tuning.optuna_search(objectives.noisy_bowl, space, 30, budget=100, seed=seed)
        b = tuning.random_search(objectives.noisy_bowl, space, 30, budget=100, seed=seed)
        assert len(a) == len(b) == 30 and a.budget_spent == b.budget_spent == 3000
        tpe.append(objectives.bowl(a.best.config))
        rnd.append(objectives.bowl(b.best.config))
    assert np.median(tpe) < 0.01 and np.median(rnd) < 0.05              # both find the bowl's bottom
    again = tuning.optuna_search(objectives.noisy_bowl, space, 30, budget=100, seed=0)
    assert [t.config for t in again.trials] == [t.config for t in tuning.optuna_search(
        objectives.noisy_bowl, space, 30, budget=100, seed=0).trials]  # seeded: reproducible


@pytest.mark.parametrize("strategy", ["optuna TPE 40 @9", "optuna TPE + hyperband pruner"])
def test_the_stored_optuna_rows_of_chapter_4_are_reproducible(strategy):
    """course/data/tuning_comparison.json's Optuna rows come back the same (seed 1: a row whose
    brackets once depended on Optuna's random study name), with the Optuna release that made them."""
    optuna = pytest.importorskip("optuna")
    import json
    from pathlib import Path

    from coursekit.experiments import ch4_compare as compare
    stored = json.loads((Path(__file__).resolve().parents[1] / "course" / "data" / "tuning_comparison.json")
                        .read_text())
    made_with = stored.get("versions", {}).get("optuna")
    if made_with != optuna.__version__:            # another release samples differently
        pytest.skip(f"the stored rows come from Optuna {made_with}, this is {optuna.__version__}")
    row = next(r for r in stored["rows"] if (r["strategy"], r["seed"]) == (strategy, 1))
    again = compare.run_strategy(strategy, 1)
    assert again["config"] == row["config"] and again["spent"] == row["spent"]
    assert again["test"] == pytest.approx(row["test"], rel=1e-9) and again["pruned"] == row["pruned"]


def test_optuna_with_hyperband_pruner_records_every_rung():
    """Without resume, every rung is a fresh run, recorded as its own trial."""
    pytest.importorskip("optuna")
    space = tuning.Space(lr=tuning.LogUniform(1e-3, 1.0))
    study = tuning.optuna_search(objectives.mlp_validation_loss, space, 8, budget=9, min_budget=1, seed=0,
                                 n_startup_trials=5, resume=False)
    per_trial = {}
    for t in study.trials:
        per_trial.setdefault(t.info["optuna_trial"], []).append(t.budget)
    assert all(b == [1, 3, 9][: len(b)] for b in per_trial.values())
    assert any(len(b) < 3 for b in per_trial.values())               # something was pruned
    assert study.budget_spent == sum(sum(b) for b in per_trial.values())
    again = tuning.optuna_search(objectives.mlp_validation_loss, space, 8, budget=9, min_budget=1, seed=0,
                                 n_startup_trials=5, resume=False)
    assert [(t.config, t.budget, t.score) for t in again.trials] == [(t.config, t.budget, t.score)
                                                                     for t in study.trials]   # brackets too
    with pytest.raises(ValueError, match="executor"):
        tuning.optuna_search(objectives.noisy_bowl, space, 2, budget=1, executor=object())
    capped = tuning.optuna_search(objectives.noisy_bowl, tuning.Space(x=tuning.Uniform(0, 1)), 50, budget=5,
                                  seed=0, total_budget=20)
    assert capped.budget_spent == 20


# ---------------------------------------------------------------- batched sweep

def heavy_ball(X, y, lr, momentum, steps):
    """Heavy-ball SGD on 1/2n |Xw - y|^2 written out here (torch.optim.SGD's form: b = mu b + g)."""
    w, b = np.zeros(X.shape[1]), None
    for _ in range(steps):
        g = X.T @ (X @ w - y) / X.shape[0]
        b = g.copy() if b is None else momentum * b + g
        w = w - lr * b
    return np.mean((X @ w - y) ** 2) / 2


def test_batched_sweep_equals_one_run_per_configuration():
    lrs, momenta, losses, seconds = tuning.batched_sweep(6, steps=40, seed=3, n=64, d=5)
    X, y, _ = data.regression(n=64, d=5, noise=0.1, seed=3)
    for lr, mu, loss in zip(lrs, momenta, losses):
        expected = heavy_ball(X, y, lr, mu, 40)
        if np.isfinite(expected):
            assert loss == pytest.approx(expected, rel=1e-9)
        else:
            assert np.isnan(loss)
    assert seconds >= 0


# ---------------------------------------------------------------- debugging checklist

def test_diagnose_rules_on_synthetic_curves():
    rng = np.random.default_rng(0)
    n, epochs = 120, 12
    decay = 1.1 * np.exp(-np.arange(n) / 15) + 0.1
    assert tuning.diagnose(decay + 0.01 * rng.standard_normal(n), np.ones(n), epochs) == "healthy"
    assert tuning.diagnose(np.r_[1.1, np.full(n - 1, 50.0)], np.ones(n), epochs) == "learning rate"
    assert tuning.diagnose(np.r_[1.1, np.full(n - 1, np.nan)], np.ones(n), epochs) == "learning rate"
    assert tuning.diagnose(decay + 0.8, np.geomspace(1, 1e-3, n), epochs) == "loss"
    assert tuning.diagnose(1.0 + 0.3 * rng.standard_normal(n), np.ones(n), epochs) == "batch noise"
    assert tuning.diagnose(1.1 - 0.003 * np.arange(n), np.ones(n), epochs) == "optimizer"
    converged = 1.1 * np.exp(-np.arange(n) / 10) + 0.02                 # low loss, vanished gradient: fine
    assert tuning.diagnose(converged, np.geomspace(1, 1e-3, n), epochs) == "healthy"
    stuck = np.r_[np.linspace(0.9, 0.6, 10), np.full(n - 10, 1.1)]      # knocked to chance, flat
    assert tuning.diagnose(stuck, np.ones(n), epochs) == "learning rate"
    val = np.r_[np.linspace(1.0, 0.1, 8), [0.12, 0.16, 0.2, 0.3]]       # validation rose to 3x its best
    assert tuning.diagnose(decay, np.ones(n), epochs, val=val) == "overfitting"   # while training kept falling
    bumpy = decay.copy()
    bumpy[-10:] += 0.3                                                   # training rose too: noise, not overfitting
    assert tuning.diagnose(bumpy, np.ones(n), epochs, val=val) != "overfitting"
    assert tuning.diagnose(decay, np.ones(n), epochs, val=np.linspace(1.0, 0.1, 12)) == "healthy"
    with pytest.raises(ValueError, match="epochs"):
        tuning.diagnose(decay, np.ones(n), 2)


# ---------------------------------------------------------------- plots and tables

def test_importing_tuning_does_not_import_matplotlib():
    code = "import sys, coursekit.tuning; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_plots_have_titles_and_labels():
    space = tuning.Space(x=tuning.Uniform(0, 1), y=tuning.Uniform(0, 1))
    halving = tuning.successive_halving(objectives.flaky, tuning.Space(x=tuning.Uniform(0, 1)), 9, min_budget=1,
                                        max_budget=9, seed=0)
    rnd = tuning.random_search(objectives.noisy_bowl, space, 10, budget=1, seed=0)
    axes = [halving.plot("rungs"), rnd.plot("best"), plotting.brackets(tuning.hyperband_brackets(81)),
            plotting.comparison({"a": [1, 2, 3], "b": [2, 3]})]
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    fig = rnd.plot("scatter")
    assert fig._suptitle.get_text() and all(a.get_xlabel() for a in fig.axes)
    with pytest.raises(ValueError, match="kind"):
        rnd.plot("pie")
    table = halving.table(sort=True)
    assert "error" in str(table) and "<table>" in table._repr_html_()
    assert table[-1]["error"] is not None                         # failed trials sort last


@pytest.mark.gpu
def test_batched_sweep_on_cupy_matches_numpy():
    from coursekit import backend
    if not backend.gpu_available():
        pytest.skip(backend.gpu_unavailable_reason())
    import cupy
    cpu, gpu = tuning.batched_sweep(300, steps=50)[2], tuning.batched_sweep(300, steps=50, xp=cupy)[2]
    both = np.isfinite(cpu) & np.isfinite(gpu)
    assert both.sum() > 100 and np.array_equal(np.isnan(cpu), np.isnan(gpu))
    np.testing.assert_allclose(gpu[both], cpu[both], rtol=1e-8)


def test_the_surrogate_is_scikit_learns_kernel_ridge_on_centred_scores():
    """surrogate.KernelRidge = sklearn's KernelRidge (RBF, gamma = 1/(2 l^2), alpha = ridge) fitted to
    the scores minus their mean, plus the mean."""
    kernel_ridge = pytest.importorskip("sklearn.kernel_ridge")
    from coursekit.tuning.surrogate import KernelRidge

    rng = np.random.default_rng(0)
    U, y, V = rng.random((30, 3)), rng.random(30), rng.random((50, 3))
    ours = KernelRidge(length_scale=0.3, ridge=1e-2).fit(U, y).predict(V)
    ref = kernel_ridge.KernelRidge(alpha=1e-2, kernel="rbf", gamma=1 / (2 * 0.3 ** 2)).fit(U, y - y.mean())
    np.testing.assert_allclose(ours, ref.predict(V) + y.mean(), rtol=1e-10, atol=1e-12)
