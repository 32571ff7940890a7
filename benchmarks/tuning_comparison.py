"""Chapter 4's strategy comparison: every search at ~360 epochs of the MLP, over many seeds.

    .venv/bin/python benchmarks/tuning_comparison.py [--seeds 30] [--workers 2] [--out course/data/tuning_comparison.json]
    make tuning-comparison          # the same, with the defaults

Runs each strategy of coursekit.experiments.ch4_compare.STRATEGIES for seeds 0..N-1 (one (strategy, seed)
per task on a process pool, BLAS pinned to one thread per worker), retrains each chosen config at
27 epochs with three fresh seeds and scores it on the test split; then scores a pool of random
configs (27 epochs, validation and test) for the chapter's "how many trials" bootstrap. Writes the
rows, the summary (median and bootstrap interval per strategy), the pool, the versions and the cost
(wall-clock and CPU seconds, printed at the end) as JSON for the notebook. About 6 minutes of CPU
time: 3-4 minutes on 2 quiet cores (30 minutes on a machine shared with many other jobs).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from coursekit.experiments import ch4_compare as compare

ROOT = Path(__file__).resolve().parents[1]
POOL_SIZE, POOL_SEED = 256, 12345


def _one_thread():
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)


def _version(module):
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def _pool_trial(config, seed):
    return compare.retrain(config, seeds=(seed,))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--out", default=str(ROOT / "course" / "data" / "tuning_comparison.json"))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    names = list(compare.STRATEGIES)
    jobs = [(name, seed) for name in names for seed in range(args.seeds)]
    rng = np.random.default_rng(POOL_SEED)
    pool_configs = compare.SPACE.sample(POOL_SIZE, rng)
    pool_seeds = [int(s) for s in rng.integers(0, 2**31 - 1, POOL_SIZE)]
    with ProcessPoolExecutor(args.workers, initializer=_one_thread) as pool:
        rows = list(pool.map(compare.run_strategy, *zip(*jobs)))
        print(f"{len(rows)} strategy runs: {time.perf_counter() - start:.0f} s", flush=True)
        scored = list(pool.map(_pool_trial, pool_configs, pool_seeds))
    table = compare.summary(rows)
    for r in table:
        print(f"{r['strategy']:32s} median test loss {r['median']:.3f} [{r['ci low']:.3f}, {r['ci high']:.3f}]"
              f"  spent {r['mean spent']:.0f}")
    seconds = round(time.perf_counter() - start, 1)
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = round(sum(u.ru_utime + u.ru_stime for u in usage), 1)      # all processes: the cost on a quiet machine
    versions = {"numpy": np.__version__, "optuna": _version("optuna"), "scipy": _version("scipy")}
    pool_rows = [{"config": c, "seed": s, **v} for c, s, v in zip(pool_configs, pool_seeds, scored)]
    Path(args.out).write_text(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "seeds": args.seeds, "workers": args.workers,
                                          "total": compare.TOTAL, "settings": compare.SETTINGS,
                                          "versions": versions, "rows": rows, "summary": table,
                                          "pool": pool_rows}, indent=1))
    print(f"wrote {args.out}; cost {seconds:.0f} s on {args.workers} workers, {cpu:.0f} s of CPU time")


if __name__ == "__main__":
    main()
