"""``python -m coursekit.grade``: grade one submission, or a whole class in parallel."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from coursekit.exercises.chapters import CHAPTERS
from coursekit.grade import report
from coursekit.grade.parent import BUDGET_PER_TIMEOUT, Limits, SandboxError, close_all
from coursekit.grade.identity import PrivilegeError, require_user
from coursekit.grade.grader import grade_submission, new_seed
from coursekit.grade.text import file_name

DESCRIPTION = """Grade exercise submissions. A submission is a folder holding the chapter
modules (ch1_gradient_descent.py, ...) or a .zip of one; the default is exercises/.
Submitted code runs in sandboxed child processes with time and memory limits, each as
a user of its own when the grader runs as root (elsewhere the grader refuses to grade
unless --allow-same-user); the score is computed outside them. Exit status 0 whenever
grading completed, 2 when the grader refused to grade."""


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
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help=f"seconds per call, counted as CPU time plus time the code sleeps, not the machine's "
                             f"load (default 10; wall-clock ceilings: docs/grading.md); each submission's calls, "
                             f"imports included, get {BUDGET_PER_TIMEOUT} x S such seconds in all, the checks left "
                             f"after that are not run")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB",
                        help="address-space limit per child process (default 2048)")
    parser.add_argument("--seed", type=int,
                        help="seed the random inputs, to repeat a run exactly (default: a new seed every run, printed;"
                             " submission k of a batch, from 0, uses SEED + k)")
    parser.add_argument("--allow-same-user", action="store_true",
                        help="where the grader cannot give each worker a user of its own (it is not root), run the "
                             "submissions with your own rights instead of refusing: only for code you trust (implied "
                             "when grading your own exercises/: no SUBMISSION, or exactly 'exercises')")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show every failing check, each submission's output and the sandbox layers")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0 or args.memory < 256:
        parser.error("--jobs must be >= 1, --timeout > 0 and --memory >= 256")
    if args.submissions in ([], ["exercises"], ["exercises/"]):   # a learner grading their own work
        args.allow_same_user = True
    if args.seed is not None and args.seed < 0:
        parser.error("--seed must be >= 0")
    args.submissions = args.submissions or ["exercises"]
    return args


def _unique_names(paths):
    """One distinct, file-safe name per submission (its stem; ``-2``, ``-3``... on a clash)."""
    names, taken = [], set()
    for p in paths:
        base = file_name(Path(p).stem or Path(p).name)
        name, k = base, 1
        while name.lower() in taken:      # case-insensitive: one results.json each, on any file system
            k += 1
            name = f"{base}-{k}"
        taken.add(name.lower())
        names.append(name)
    return names


def _stop_on_sigterm():
    """SIGTERM (a killed batch job) unwinds like Ctrl-C, so temporary folders are removed."""
    if threading.current_thread() is threading.main_thread():
        def handler(signum, frame):
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, handler)


def _not_graded(path, name, chapters, note, hint="the grader's worker did not start"):
    from coursekit.grade.grader import ChapterResult, CheckResult, SubmissionResult

    result = SubmissionResult(name, report.clean(path, 500), note=report.clean(note, 1000))
    for n in chapters:
        ch = CHAPTERS[n]
        checks = [CheckResult(n, c.exercise, c.name, c.points, status="not run",
                              hint=hint) for c in ch.CHECKS]
        result.chapters.append(ChapterResult(n, ch.TITLE, ch.MODULE, ch.NOTEBOOK, None, checks))
    return result


def limit_own_memory():
    """Cap this process's heap (RLIMIT_DATA, soft) at half the memory available now, at least 1 GiB:
    a callback that would take the machine's memory raises MemoryError here, and the batch goes on
    (called by ``python -m coursekit.grade``, not by :func:`main`, which tests call in-process)."""
    try:
        import resource

        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f}
        cap = max(1 << 30, info.get("MemAvailable", info["MemTotal"]) // 2)
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if soft == resource.RLIM_INFINITY or soft > cap:
            resource.setrlimit(resource.RLIMIT_DATA, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    except (ImportError, OSError, KeyError, ValueError):
        pass


def _seed_line(seed, batch=False):
    each = " (submission k, from 0, with seed + k: the seed column)" if batch else ""
    return f"Inputs drawn with seed {seed}{each}; repeat this run exactly with --seed {seed}."


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    limits = Limits(timeout=args.timeout, memory_mb=args.memory, cpu_s=max(120, int(10 * args.timeout)),
                    allow_same_user=args.allow_same_user)
    try:
        require_user(limits)
    except PrivilegeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    chapters = sorted(args.chapter) if args.chapter else sorted(CHAPTERS)
    names = _unique_names(args.submissions)
    batch = len(args.submissions) > 1 or args.csv
    base_seed = new_seed() if args.seed is None else args.seed

    stopping = threading.Event()

    def grade(i):
        if stopping.is_set():
            raise KeyboardInterrupt
        seed = base_seed + i
        if not batch:
            return grade_submission(args.submissions[i], chapters, limits, seed=seed, name=names[i])
        try:
            return grade_submission(args.submissions[i], chapters, limits, seed=seed, name=names[i])
        except SandboxError as exc:     # a worker that did not start, even when started again: that line only
            return _not_graded(args.submissions[i], names[i], chapters, f"not graded: {exc}")
        except MemoryError:             # the grader's own memory limit: that submission's line, not the batch
            return _not_graded(args.submissions[i], names[i], chapters,
                               "not graded: the grader ran out of memory while grading it",
                               hint="the grader ran out of memory")

    _stop_on_sigterm()
    try:
        if not batch:
            results = [grade(0)]
        else:
            from tqdm.auto import tqdm

            pool = ThreadPoolExecutor(max_workers=args.jobs)
            try:
                results = list(tqdm(pool.map(grade, range(len(names))), total=len(names), desc="grading",
                                    unit="submission", file=sys.stderr, disable=None))
            finally:
                stopping.set()
                pool.shutdown(wait=False, cancel_futures=True)
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stopping.set()
        close_all()   # kills every child and removes its folder; running threads then finish at once
        print("interrupted: nothing written", file=sys.stderr)
        return 130

    if not batch:
        print(report.submission_text(results[0], verbose=args.verbose))
        print(_seed_line(base_seed))
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
        print(f"{result.name:<30} {result.score:g}/{result.max_score:g} ({pct:.0f}%)  {report.clean(result.note)}")
    print(_seed_line(base_seed, batch=True))
    if args.csv:
        report.write_csv(rows, chapters, args.csv)
        print(f"wrote {args.csv}" + (f" and {json_dir}/" if json_dir else ""))
    elif json_dir:
        print(f"wrote {json_dir}/")
    return 0
