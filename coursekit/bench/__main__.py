"""``python -m coursekit.bench [--quick] [--json FILE] [--plot FILE] [--backend numpy|cupy]``."""
from __future__ import annotations

import argparse
import json
import sys

from .contenders import OPTIMIZERS
from .report import format_record
from .run import run


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m coursekit.bench",
                                 description="Optimizer step times against the memory-bandwidth bound "
                                             "and torch.optim, and the batched sweep against a loop.")
    ap.add_argument("--quick", action="store_true", help="two optimizers, fewer repeats, N = 1e6 (GPU: 1e6 and 1e8, beyond the L2 cache)")
    ap.add_argument("--json", metavar="FILE", help="write every measurement as JSON")
    ap.add_argument("--plot", metavar="FILE", help="save ms/step against N (log axes, bound drawn) as an image")
    ap.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--sizes", type=lambda s: [int(float(x)) for x in s.split(",")],
                    help="comma-separated N (default 1e6,1e7,5e7; GPU up to 5e8)")
    ap.add_argument("--optimizers", type=lambda s: [x.strip() for x in s.split(",")],
                    help="comma-separated subset of: " + ", ".join(OPTIMIZERS))
    ap.add_argument("--repeats", type=int, help="interleaved repeats (default 5; --quick 3)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    unknown = set(args.optimizers or ()) - set(OPTIMIZERS)
    if unknown:
        ap.error(f"--optimizers: unknown {sorted(unknown)}; choose from {list(OPTIMIZERS)}")
    if args.repeats is not None and args.repeats < 1:
        ap.error("--repeats must be >= 1")
    record = run(args.backend, quick=args.quick, dtype=args.dtype, progress=not args.no_progress,
                 sizes=args.sizes, optimizers=args.optimizers, repeats=args.repeats)
    print(format_record(record))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
    if args.plot:
        from .plot import plot_record
        plot_record(record, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
