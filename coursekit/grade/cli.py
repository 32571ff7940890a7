"""``python -m coursekit.grade``: grade one submission, or a whole class in parallel."""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from coursekit.exercises import CHAPTERS
from coursekit.grade import report
from coursekit.grade.child import Limits, SandboxError
from coursekit.grade.grader import grade_submission

DESCRIPTION = """Grade exercise submissions. A submission is a folder holding the chapter
modules (ch1_gradient_descent.py, ...) or a .zip of one; the default is exercises/.
Submitted code runs in sandboxed child processes with time and memory limits; the
score is computed outside them. Exit status 0 whenever grading completed."""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m coursekit.grade", description=DESCRIPTION)
    parser.add_argument("submissions", nargs="*", metavar="SUBMISSION",
                        help="folders or .zip files (default: exercises)")
    parser.add_argument("--chapter", type=int, action="append", choices=sorted(CHAPTERS),
                        help="grade only this chapter (repeatable; default: all)")
    parser.add_argument("--json", metavar="FILE",
                        help="write a Gradescope results.json (a folder of them for several submissions)")
    parser.add_argument("--csv", metavar="FILE",
                        help="write one row per submission; their results.json files go to FILE_results/")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="submissions graded in parallel (default 1)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S", help="wall seconds per call (default 10)")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB",
                        help="address-space limit per child process (default 2048)")
    parser.add_argument("--seed", type=int, help="seed the random inputs (default: fresh every run)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show each submission's output and the sandbox layers")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0 or args.memory < 256:
        parser.error("--jobs must be >= 1, --timeout > 0 and --memory >= 256")
    args.submissions = args.submissions or ["exercises"]
    return args


def _unique_names(paths):
    names, seen = [], {}
    for p in paths:
        base = Path(p).stem or Path(p).name or "submission"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    limits = Limits(timeout=args.timeout, memory_mb=args.memory, cpu_s=max(120, int(10 * args.timeout)))
    chapters = sorted(args.chapter) if args.chapter else sorted(CHAPTERS)
    names = _unique_names(args.submissions)
    batch = len(args.submissions) > 1 or args.csv

    def grade(i):
        seed = None if args.seed is None else [args.seed, i]
        return grade_submission(args.submissions[i], chapters, limits, seed=seed, name=names[i])

    try:
        if not batch:
            results = [grade(0)]
        else:
            from tqdm.auto import tqdm

            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                results = list(tqdm(pool.map(grade, range(len(names))), total=len(names), desc="grading",
                                    unit="submission", file=sys.stderr, disable=None))
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    if not batch:
        print(report.submission_text(results[0], verbose=args.verbose))
        if args.json:
            report.write_json(results[0], args.json)
            print(f"\nwrote {args.json}")
        return 0

    json_dir = Path(args.json) if args.json else (Path(args.csv).with_name(Path(args.csv).stem + "_results")
                                                  if args.csv else None)
    rows = []
    for result in results:
        json_path = ""
        if json_dir is not None:
            json_dir.mkdir(parents=True, exist_ok=True)
            json_path = json_dir / f"{result.name}.json"
            report.write_json(result, json_path)
        rows.append(report.csv_row(result, json_path))
        if args.verbose:
            print(report.submission_text(result, verbose=True), end="\n\n")
        pct = 100 * result.score / result.max_score if result.max_score else 0.0
        print(f"{result.name:<30} {result.score:g}/{result.max_score:g} ({pct:.0f}%)  {result.note}")
    if args.csv:
        report.write_csv(rows, chapters, args.csv)
        print(f"wrote {args.csv}" + (f" and {json_dir}/" if json_dir else ""))
    elif json_dir:
        print(f"wrote {json_dir}/")
    return 0
