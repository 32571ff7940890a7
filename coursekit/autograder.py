"""``python -m coursekit.autograder``: a Gradescope autograder for the course's exercises.

``build`` (run from the course repository) writes ``autograder.zip`` (every chapter) or
``autograder-chN.zip`` (``--chapter N``; ``--per-chapter``: all of them): ``setup.sh`` and
``run_autograder`` (from ``tools/kit/``), a wheel of this coursekit (made here from the
package's files, so the image needs no copy of the repository) and ``autograder.json``
(chapters, limits, visibility). Gradescope's layout, which the scripts follow:

- ``setup.sh`` runs once, as root, when the image is built, in ``/autograder/source`` (the
  unpacked zip): it installs coursekit from the wheel into ``/autograder/venv``;
- ``run_autograder`` runs per submission: ``python -m coursekit.autograder run`` grades
  ``/autograder/submission`` with ``python -m coursekit.grade`` (its sandboxed children, a
  fresh seed) and writes ``/autograder/results/results.json``: one test per check with its
  hint, the visibility chosen at build time, the seed in ``extra_data`` and in the output.

``collect EXPORT OUT`` gathers a class's submissions (a Gradescope export's ``submission_ID/``
folders, .zip files) into one folder of chapter modules each, for ``python -m coursekit.grade OUT/*``.
``AUTOGRADER_ROOT`` replaces ``/autograder`` (a local trial), ``AUTOGRADER_SEED`` fixes the seed,
``AUTOGRADER_GRADE_ARGS`` adds options to the grading command.
Specification: https://gradescope-autograders.readthedocs.io/en/latest/specs/
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import coursekit
from coursekit.exercises.chapters import CHAPTERS
from coursekit.grade.text import clean

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
SCRIPTS = ("setup.sh", "run_autograder")
KIT = Path("tools") / "kit"
MAX_DEPTH, MAX_ENTRIES, MAX_FOLDERS = 3, 10_000, 500   # how far find_submission looks


# ------------------------------------------------------------------ build --
def _metadata():
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("coursekit")
    except PackageNotFoundError:
        raise RuntimeError("coursekit is not installed (pip install -e .): its metadata makes the wheel") from None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    if not text:
        raise RuntimeError("the installed coursekit has no metadata: reinstall it (pip install -e .)")
    return dist.version, text


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(out):
    """A py3-none-any wheel of the coursekit package files in ``out``; returns its path."""
    version, metadata = _metadata()
    package = Path(coursekit.__file__).parent
    info = f"coursekit-{version}.dist-info"
    files = {f"coursekit/{p.relative_to(package).as_posix()}": p.read_bytes()
             for p in sorted(package.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
             and p.suffix not in (".pyc", ".pyo")}
    files[f"{info}/METADATA"] = metadata.encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: coursekit.autograder\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    record = [_record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = Path(out) / f"coursekit-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return path


def _add(zf, name, data, executable=False):
    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
    info.external_attr = ((0o100755 if executable else 0o100644) << 16)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build(out="build/autograder", chapters=None, root=".", visibility="visible", timeout=10.0, memory=2048):
    """Write the autograder zip for ``chapters`` (default all) into ``out``; returns its path."""
    numbers = sorted(CHAPTERS) if not chapters else sorted(set(chapters))
    unknown = [n for n in numbers if n not in CHAPTERS]
    if unknown:
        raise ValueError(f"chapters must be among {sorted(CHAPTERS)}, got {unknown}")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}, got {visibility!r}")
    kit = Path(root) / KIT
    missing = [s for s in SCRIPTS if not (kit / s).is_file()]
    if missing:
        raise FileNotFoundError(f"root: no {', '.join(missing)} in {kit} (run from the course repository)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = ("autograder.zip" if numbers == sorted(CHAPTERS)
            else "autograder-" + "-".join(f"ch{n}" for n in numbers) + ".zip")
    config = {"chapters": numbers, "visibility": visibility, "timeout": timeout, "memory": memory,
              "max_points": sum(c.points for n in numbers for c in CHAPTERS[n].CHECKS),
              "modules": [f"{CHAPTERS[n].MODULE}.py" for n in numbers]}
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(tmp)
        with zipfile.ZipFile(out / name, "w") as zf:
            for script in SCRIPTS:
                _add(zf, script, (kit / script).read_bytes(), executable=True)
            _add(zf, wheel.name, wheel.read_bytes())
            _add(zf, "autograder.json", json.dumps(config, indent=2) + "\n")
    return out / name


# -------------------------------------------------------------------- run --
def _has_modules(folder):
    from coursekit.grade.submission import find_modules

    return len(find_modules(folder, sorted(CHAPTERS)))


def find_submission(folder):
    """The folder of ``folder`` (depth <= 3, links not followed) that holds the most chapter modules,
    the shallowest first; else a lone .zip in it; else ``folder`` (the grader then says what is missing)."""
    folder, best, seen = Path(folder), (0, 0, ""), 0
    queue = [(folder, 0)]
    for _ in range(MAX_FOLDERS):
        if not queue:
            break
        here, depth = queue.pop(0)
        count = _has_modules(here)
        if count and (count, -depth) > best[:2]:
            best = (count, -depth, here)
        if depth >= MAX_DEPTH:
            continue
        try:
            with os.scandir(here) as it:
                for entry in sorted(it, key=lambda e: e.name):
                    seen += 1
                    if seen > MAX_ENTRIES:
                        break
                    if entry.is_dir(follow_symlinks=False) and not entry.name.startswith((".", "__MACOSX")):
                        queue.append((Path(entry.path), depth + 1))
        except OSError:
            continue
    if best[0]:
        return best[2]
    try:
        zips = [p for p in folder.iterdir() if p.suffix.lower() == ".zip" and not p.is_symlink() and p.is_file()]
    except OSError:
        zips = []
    return zips[0] if len(zips) == 1 else folder


def _not_graded(config, why):
    tests = [{"name": f"ch{n} {c.id}" + (f": {c.description}" if c.description else ""), "score": 0.0,
              "max_score": c.points, "status": "failed", "output": "not run: the submission could not be graded"}
             for n in config["chapters"] for c in CHAPTERS[n].CHECKS]
    return {"score": 0.0, "output": f"The autograder could not grade this submission: {why}. "
                                    "Resubmit; if this persists, tell your instructor.", "tests": tests}


def finish(data, config, seed, graded, seconds):
    """results.json as Gradescope documents it: documented keys only (others go to extra_data),
    the build's visibility, the seed in the output and in extra_data."""
    extra = dict(data.get("extra_data") or {})
    extra.update({k: v for k, v in data.items() if k not in TOP_KEYS})
    tests = []
    for test in data.get("tests", []):
        kept = {k: v for k, v in test.items() if k in TEST_KEYS}
        others = {k: v for k, v in test.items() if k not in TEST_KEYS}
        if others:
            kept["extra_data"] = {**kept.get("extra_data", {}), **others}
        kept["visibility"] = config["visibility"]
        tests.append(kept)
    seed_line = (f"Inputs drawn with seed {seed}: your instructor can repeat this run exactly "
                 f"(python -m coursekit.grade SUBMISSION --seed {seed}).")
    output = clean(data.get("output", ""), keep_lines=True)
    if str(seed) not in output:
        output = f"{output}\n\n{seed_line}".strip()
    extra.update({"seed": seed, "graded": clean(graded, 300), "chapters": config["chapters"],
                  "coursekit": coursekit.__version__})
    result = {k: v for k, v in data.items() if k in TOP_KEYS}
    result.update({"score": float(sum(t.get("score", 0) for t in tests)) if tests else float(data.get("score", 0)),
                   "output": output, "visibility": config["visibility"], "stdout_visibility": "hidden",
                   "execution_time": round(seconds, 3), "extra_data": extra, "tests": tests})
    return result


def run(root=None):
    """Grade ``ROOT/submission`` into ``ROOT/results/results.json`` (ROOT: $AUTOGRADER_ROOT or /autograder)."""
    root = Path(root or os.environ.get("AUTOGRADER_ROOT") or "/autograder")
    config = json.loads((root / "source" / "autograder.json").read_text(encoding="utf-8"))
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    seed = int(os.environ.get("AUTOGRADER_SEED") or secrets.randbelow(2**31))
    submission = find_submission(root / "submission")
    graded = os.path.relpath(submission, root / "submission")
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "results.json"
        command = [sys.executable, "-m", "coursekit.grade", str(submission), "--json", str(raw), "--seed", str(seed),
                   "--timeout", str(config["timeout"]), "--memory", str(config["memory"])]
        command += [a for n in config["chapters"] for a in ("--chapter", str(n))]
        command += shlex.split(os.environ.get("AUTOGRADER_GRADE_ARGS", ""))
        print("$", shlex.join(command), flush=True)
        try:
            done = subprocess.run(command, timeout=330 * len(config["chapters"]) + 60)
            data = (json.loads(raw.read_text(encoding="utf-8")) if done.returncode == 0 and raw.is_file()
                    else _not_graded(config, f"the grader stopped with status {done.returncode}"))
        except subprocess.TimeoutExpired:
            data = _not_graded(config, "grading took too long")
    data = finish(data, config, seed, graded, time.monotonic() - start)
    (results / "results.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(f"graded {graded}: {data['score']:g}/{config['max_points']:g} points, seed {seed}; "
          f"wrote {results / 'results.json'}")
    return 0


def collect(source, out):
    """Gather a class's submissions into ``out/NAME/chN_*.py``, one folder each, ready for
    ``python -m coursekit.grade out/*``: every folder and .zip directly in ``source`` (a Gradescope
    export's ``submission_ID/``, an LMS download) is searched like Gradescope's submission folder
    (:func:`find_submission`) and read by the grader's reader (no links, regular files, bounded).
    Returns {name: note} (the note says what was not taken; "" when all went well)."""
    from coursekit.grade.submission import read_submission
    from coursekit.grade.text import file_name

    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    notes = {}
    with os.scandir(source) as it:
        entries = sorted((e for e in it if e.is_dir(follow_symlinks=False) or e.name.lower().endswith(".zip")),
                         key=lambda e: e.name)[:MAX_ENTRIES]
    for entry in entries:
        name = file_name(Path(entry.name).stem)
        while name in notes:
            name += "_"
        path = Path(entry.path)
        modules, note = read_submission(find_submission(path) if entry.is_dir(follow_symlinks=False) else path)
        (out / name).mkdir(exist_ok=True)
        for number, (_, data) in modules.items():
            (out / name / f"{CHAPTERS[number].MODULE}.py").write_bytes(data)
        notes[name] = note or ("" if modules else "no chapter module found")
    return notes


def selftest():
    """Start one sandboxed worker on an empty module and print the isolation layers in force (setup.sh)."""
    from coursekit.grade.grader import ChapterSession

    ch = CHAPTERS[min(CHAPTERS)]
    with ChapterSession(b"", ch) as session:
        result = session.run_all(ch.CHECKS[:1])
    status = result.checks[0].status
    print(f"coursekit {_metadata()[0]}: the grading worker started (an empty module: {status}); "
          f"sandbox: {'; '.join(result.sandbox) or 'resource limits only'}")
    return 0 if status == "missing" else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.autograder", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("build", help="write the Gradescope autograder zip(s)")
    cmd.add_argument("--chapter", type=int, action="append", choices=sorted(CHAPTERS),
                     help="only this chapter (repeatable; default: the whole course)")
    cmd.add_argument("--per-chapter", action="store_true", help="also one autograder-chN.zip per chapter")
    cmd.add_argument("--out", default="build/autograder", metavar="DIR", help="default build/autograder")
    cmd.add_argument("--visibility", default="visible", choices=VISIBILITIES,
                     help="when learners see the results (Gradescope's setting; default visible)")
    cmd.add_argument("--timeout", type=float, default=10.0, metavar="S", help="wall seconds per call (default 10)")
    cmd.add_argument("--memory", type=int, default=2048, metavar="MB", help="memory per child (default 2048)")
    cmd = commands.add_parser("collect", help="one folder of chapter modules per submission, from an export")
    cmd.add_argument("source", help="a folder of submissions (folders or .zip files), e.g. a Gradescope export")
    cmd.add_argument("out", help="where the collected folders go")
    commands.add_parser("run", help="grade $AUTOGRADER_ROOT/submission (Gradescope's run_autograder)")
    commands.add_parser("selftest", help="start one sandboxed worker and print the isolation in force")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "run":
        return run()
    if args.command == "selftest":
        return selftest()
    if args.command == "collect":
        notes = collect(args.source, args.out)
        for name, note in notes.items():
            if note:
                print(f"{name}: {note}")
        print(f"collected {len(notes)} submissions into {args.out}/ "
              f"({sum(1 for n in notes.values() if not n)} without a problem); "
              f"grade them: python -m coursekit.grade {args.out}/* --csv grades.csv --jobs 2")
        return 0
    groups = [args.chapter] + ([[n] for n in sorted(CHAPTERS)] if args.per_chapter else [])
    for chapters in groups:
        path = build(args.out, chapters, visibility=args.visibility, timeout=args.timeout, memory=args.memory)
        points = sum(c.points for n in (chapters or CHAPTERS) for c in CHAPTERS[n].CHECKS)
        print(f"wrote {path} ({points:g} points, visibility {args.visibility})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
