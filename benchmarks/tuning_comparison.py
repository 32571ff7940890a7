"""Chapter 4's strategy comparison: every search at ~108 epochs of the MLP, over several seeds.

    .venv/bin/python benchmarks/tuning_comparison.py [--seeds 12] [--workers 2] [--out course/data/tuning_comparison.json]

Runs coursekit.tuning.compare.STRATEGIES for seeds 0..N-1 (the trials of each search on a
process pool), retrains each chosen config at 27 epochs with three fresh seeds, and writes the
rows and the summary (median and quartiles per strategy) as JSON for the notebook.
"""
from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from coursekit.tuning import compare

ROOT = Path(__file__).resolve().parents[1]


def _version(module):
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "course" / "data" / "tuning_comparison.json"))
    args = parser.parse_args(argv)
    start, rows = time.perf_counter(), []
    with ProcessPoolExecutor(args.workers) as pool:
        for name in compare.STRATEGIES:
            for seed in range(args.seeds):
                rows.append(compare.run_strategy(name, seed, pool))
            print(f"{name}: done ({time.perf_counter() - start:.0f} s)", flush=True)
    table = compare.summary(rows)
    for r in table:
        print(f"{r['strategy']:32s} median {r['median']:.3f}  [{r['q25']:.3f}, {r['q75']:.3f}]  spent {r['mean spent']:.0f}")
    versions = {"numpy": np.__version__, "optuna": _version("optuna")}   # Optuna's samplers change between releases
    Path(args.out).write_text(json.dumps({"seconds": round(time.perf_counter() - start, 1), "seeds": args.seeds,
                                          "workers": args.workers, "versions": versions, "rows": rows,
                                          "summary": table}, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
