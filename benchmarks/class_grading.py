"""Grading a class: N generated chapter submissions graded in one command, timed and checked.

    .venv/bin/python benchmarks/class_grading.py                 # 200 submissions of chapter 1, --jobs 2
    .venv/bin/python benchmarks/class_grading.py -n 40 --jobs 4 --chapter 2 --json out.json

The class (written to a temporary folder) mixes, in a fixed proportion:

- correct: the chapter's solution module, as a folder or as a .zip;
- partial: the solution with 1 to 4 random exercises put back to their stub, and the exercises
  whose solution calls them too (the call graph of the solution, read with ``ast``);
- crashing: a syntax error (0 points), an import that raises (0), one exercise (one that no
  other exercise calls) raising ZeroDivisionError or looping forever (the others keep their points);
- hostile (chapter 1 only): the attacks of tests/grading/hostile_submissions.py, cycled.

The points each one deserves are computed here, from how it was made (the checks' points from
coursekit.exercises), never from the grader. One ``python -m coursekit.grade ... --csv --jobs N
--seed 0`` command grades them all; the script prints submissions per minute and every
submission whose score differs from what it deserves (exit status 1 if there is one).
"""
from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grading"))

from coursekit.exercises.chapters import CHAPTERS  # noqa: E402
from coursekit.exercises.sync import BEGIN, END  # noqa: E402

MIX = [("correct", 0.40), ("partial", 0.30), ("crashing", 0.15), ("hostile", 0.15)]


def _regions(text):
    """{function: (first line, last line)} of the BEGIN/END SOLUTION regions (0-based, inclusive)."""
    lines, spans, function, start = text.splitlines(), {}, None, None
    for i, line in enumerate(lines):
        if line.startswith("def "):
            function = line[4:].split("(")[0]
        if BEGIN.match(line):
            start = i
        elif END.match(line):
            spans[function] = (start, i)
    return spans


def _callers(text):
    """{exercise: exercises whose solution calls it, directly or not}."""
    tree = ast.parse(text)
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {n.name: {c.func.id for c in ast.walk(n) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
             & names for n in tree.body if isinstance(n, ast.FunctionDef)}
    closure = {}
    for name in names:
        found, todo = set(), [name]
        while todo:
            target = todo.pop()
            for caller, callees in calls.items():
                if target in callees and caller not in found:
                    found.add(caller)
                    todo.append(caller)
        closure[name] = found
    return closure


def _replace_body(text, function, body):
    lines = text.splitlines()
    start, end = _regions(text)[function]
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    return "\n".join(lines[:start] + [indent + b for b in body] + lines[end + 1:]) + "\n"


def _points(chapter, broken=()):
    return sum(c.points for c in chapter.CHECKS if c.exercise not in broken)


def make_class(folder, n, chapter, rng):
    """Write ``n`` submissions under ``folder``; returns [(path, kind, points deserved)]."""
    from test_hostile import _fork_is_contained, _seccomp_is_active, _write   # tests/grading
    from hostile_submissions import ALL, points

    solution = (ROOT / "solutions" / f"{chapter.MODULE}.py").read_text(encoding="utf-8")
    exercises = sorted({c.exercise for c in chapter.CHECKS})
    callers = _callers(solution)
    attacks = []
    if chapter.NUMBER == 1:
        probe = Path(tempfile.mkdtemp(dir=folder))
        contained, seccomp = _fork_is_contained(probe), _seccomp_is_active(probe)
        attacks = [name for name, spec in ALL.items() if spec["earns"] != "all"
                   and (contained or name != "fork_bomb") and (seccomp or spec.get("needs") != "seccomp")]
    kinds = [kind for kind, share in MIX for _ in range(round(share * n))][:n]
    kinds += ["correct"] * (n - len(kinds))
    if not attacks:
        kinds = ["crashing" if k == "hostile" else k for k in kinds]
    rng.shuffle(kinds)
    made = []
    for i, kind in enumerate(kinds):
        path = folder / f"s{i:03d}_{kind}"
        text, deserved = solution, _points(chapter)
        if kind == "hostile":
            name = attacks[i % len(attacks)]
            spec = dict(ALL[name], path=path.name)
            made.append((str(_write(folder, path.name, spec)), f"hostile:{name}", points(spec)))
            continue
        if kind == "partial":
            stubbed = set(rng.sample(exercises, rng.randint(1, min(4, len(exercises) - 1))))
            stubbed |= {c for ex in stubbed for c in callers.get(ex, ())}   # what calls a stub is a stub too
            for ex in stubbed:
                text = _replace_body(text, ex, [f'raise NotImplementedError("{ex}: your code here")'])
            deserved = _points(chapter, stubbed)
        elif kind == "crashing":
            how = rng.choice(["syntax", "import", "raises", "raises", "loops"])
            if how == "syntax":
                text, deserved = text + "\ndef broken(:\n", 0.0
            elif how == "import":
                text, deserved = "raise RuntimeError('data file missing')\n" + text, 0.0
            else:
                ex = rng.choice([e for e in exercises if not callers.get(e)])   # no other exercise calls it
                text = _replace_body(text, ex, ["1 / 0"] if how == "raises" else ["while True:", "    pass"])
                deserved = _points(chapter, {ex})
            kind = f"crashing:{how}"
        if rng.random() < 0.25:     # a quarter hand in a .zip of their module
            archive = path.with_suffix(".zip")
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(f"exercises/{chapter.MODULE}.py", text)
            made.append((str(archive), kind, deserved))
        else:
            path.mkdir()
            (path / f"{chapter.MODULE}.py").write_text(text, encoding="utf-8")
            made.append((str(path), kind, deserved))
    return made


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--jobs", type=int, default=2, help="grading jobs (default 2)")
    parser.add_argument("--chapter", type=int, default=1, choices=sorted(CHAPTERS), help="default 1")
    parser.add_argument("--seed", type=int, default=0, help="the class and the grader's inputs (default 0)")
    parser.add_argument("--json", metavar="FILE", help="write the measurement here")
    args = parser.parse_args(argv)
    chapter = CHAPTERS[args.chapter]
    with tempfile.TemporaryDirectory(prefix="class-") as tmp:
        folder = Path(tmp)
        made = make_class(folder, args.n, chapter, random.Random(args.seed))
        grades = folder / "grades.csv"
        command = [sys.executable, "-m", "coursekit.grade", *[p for p, _, _ in made], "--chapter", str(args.chapter),
                   "--jobs", str(args.jobs), "--csv", str(grades), "--seed", str(args.seed)]
        print(f"grading {len(made)} submissions of chapter {args.chapter} with --jobs {args.jobs} "
              f"on {os.cpu_count()} CPUs ({platform.processor() or platform.machine()})", flush=True)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
            return 2
        with open(grades, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        by_path = {row["path"]: float(row["score"]) for row in rows}
    wrong = [(Path(p).name, kind, deserved, by_path.get(p)) for p, kind, deserved in made
             if by_path.get(p) != deserved]
    counts = {}
    for _, kind, _ in made:
        counts[kind.split(":")[0]] = counts.get(kind.split(":")[0], 0) + 1
    rate = 60 * len(made) / seconds
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(made)} submissions ({', '.join(f'{v} {k}' for k, v in counts.items())}) graded in {seconds:.0f} s: "
          f"{rate:.1f} submissions per minute (load average at the end {load:.1f})")
    print(f"every submission got the points it deserves: {'yes' if not wrong else 'NO'}")
    for name, kind, deserved, got in wrong:
        print(f"  {name} ({kind}): deserved {deserved:g}, got {got}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "submissions": len(made), "kinds": counts, "chapter": args.chapter, "jobs": args.jobs,
            "seconds": round(seconds, 1), "per_minute": round(rate, 1), "cpus": os.cpu_count(),
            "load_average_end": round(load, 2), "wrong": wrong}, indent=2) + "\n")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
