"""Same seed, same trials, whatever the executor: serial, a process pool and a Dask cluster agree.

The Dask part starts a LocalCluster(n_workers=2, processes=True, dashboard_address=None): about
10 s on a busy 2-core machine. It is skipped when dask.distributed is not installed.
"""
from concurrent.futures import ProcessPoolExecutor

import pytest

from coursekit import tuning
from coursekit.tuning import objectives

SPACE = tuning.Space(lr=tuning.LogUniform(1e-3, 3.0), momentum=tuning.Uniform(0.0, 0.99))
FLAKY = tuning.Space(x=tuning.Uniform(0.0, 1.0))
BOWL = tuning.Space(x=tuning.Uniform(0.0, 1.0), y=tuning.Uniform(0.0, 1.0))


def runs(executor):
    """Every search strategy (the adaptive ones too, one with failures) on one executor."""
    return {
        "random": tuning.random_search(objectives.mlp_validation_loss, SPACE, 6, budget=2, seed=3, executor=executor),
        "halving": tuning.successive_halving(objectives.mlp_validation_loss, SPACE, 9, min_budget=1, max_budget=3,
                                             seed=4, executor=executor),
        "flaky": tuning.random_search(objectives.flaky, FLAKY, 12, budget=1, seed=0, executor=executor),
        "grid": tuning.grid_search(objectives.noisy_bowl, BOWL, 3, budget=1, seed=1, executor=executor),
        "sobol": tuning.random_search(objectives.noisy_bowl, BOWL, 8, budget=1, seed=2, executor=executor,
                                      sampler="sobol"),
        "hyperband": tuning.hyperband(objectives.noisy_bowl, BOWL, min_budget=1, max_budget=9, seed=5,
                                      executor=executor),
        "evolution": tuning.evolutionary_search(objectives.noisy_bowl, BOWL, population=6, generations=3,
                                                budget=1, seed=6, executor=executor),
        "surrogate": tuning.surrogate_search(objectives.noisy_bowl, BOWL, 4, budget=1, seed=7, executor=executor),
    }


def signature(study):
    return [(t.number, t.config, t.budget, t.seed, None if not t.ok else t.score, t.error, t.info)
            for t in study.trials]


@pytest.fixture(scope="module")
def serial():
    return runs(None)


def test_serial_runs_are_reproducible(serial):
    again = runs(None)
    for name in serial:
        assert signature(again[name]) == signature(serial[name])
    assert serial["flaky"].n_failed > 0


def test_process_pool_gives_the_same_trials(serial):
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = runs(pool)
    for name in serial:
        assert signature(pooled[name]) == signature(serial[name]), name


def test_dask_cluster_gives_the_same_trials(serial):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = runs(client.get_executor())
        workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    for name in serial:
        assert signature(on_dask[name]) == signature(serial[name]), name
