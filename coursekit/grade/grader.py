"""Grading: run each chapter's checks on a submission, in sandboxed children.

The learner's code runs only in coursekit.grade.child processes; inputs are drawn
here with a fresh random generator, results come back as plain data, and every
verdict (tolerances, points) is computed here by the checks' judges.
"""
from __future__ import annotations

import re
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from coursekit.exercises import CHAPTERS
from coursekit.exercises.spec import Call, fmt
from coursekit.grade.child import MAX_MODULE_BYTES, Child, ChildError, Limits

_MODULE_NAME = re.compile(r"ch(\d+)_\w*\.py")
PASSED = "passed"


@dataclass
class CheckResult:
    """The verdict of one check: status is passed, failed, error, not implemented, missing,
    timeout, crashed, import error, not run or not submitted."""

    chapter: int
    exercise: str
    name: str
    max_points: float
    points: float = 0.0
    status: str = PASSED
    hint: str = ""
    description: str = ""

    @property
    def passed(self):
        return self.status == PASSED

    @property
    def id(self):
        return f"{self.exercise}/{self.name}"


@dataclass
class ExerciseSummary:
    """One exercise's line of the table: points of its checks, worst status, first hint."""

    exercise: str
    points: float
    max_points: float
    status: str
    hint: str


@dataclass
class ChapterResult:
    number: int
    title: str
    module: str
    notebook: str
    file: "str | None"
    checks: list = field(default_factory=list)
    note: str = ""
    output: str = ""
    sandbox: list = field(default_factory=list)

    @property
    def score(self):
        return sum(c.points for c in self.checks)

    @property
    def max_score(self):
        return sum(c.max_points for c in self.checks)

    def exercises(self):
        """Per-exercise summaries, in the order of the checks."""
        grouped = {}
        for c in self.checks:
            grouped.setdefault(c.exercise, []).append(c)
        rows = []
        for name, checks in grouped.items():
            failed = [c for c in checks if not c.passed]
            points = sum(c.points for c in checks)
            if not failed:
                status = PASSED
            elif points > 0:
                status = "partial"
            else:
                status = failed[0].status if len({c.status for c in failed}) == 1 else "failed"
            hint = f"[{failed[0].name}] {failed[0].hint}" if failed and failed[0].hint else ""
            rows.append(ExerciseSummary(name, points, sum(c.max_points for c in checks), status, hint))
        return rows


@dataclass
class SubmissionResult:
    name: str
    path: str
    chapters: list = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""

    @property
    def score(self):
        return sum(ch.score for ch in self.chapters)

    @property
    def max_score(self):
        return sum(ch.max_score for ch in self.chapters)


class ChapterSession:
    """Runs one chapter's checks on one module file, in one persistent child.

    The child is restarted after a timeout or crash; an import failure fails every
    remaining check with the same hint; a timeout skips the exercise's other checks.
    ``companions`` ({module name: file}) are the submission's other chapter modules,
    importable from this one. Use as a context manager (it owns a process).
    """

    def __init__(self, source, chapter, limits=None, rng=None, companions=None):
        self.chapter, self.limits, self.companions = chapter, limits or Limits(), companions
        self.rng = rng if rng is not None else np.random.default_rng()
        self.source = Path(source) if source is not None else None
        self.child, self.import_failure, self.timed_out = None, None, set()
        self.sandbox, self._outputs = [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._stop_child()

    def _stop_child(self):
        if self.child is not None:
            self.child.close()
            if self.child.output:
                self._outputs.append(self.child.output)
            self.child = None

    @property
    def output(self):
        text = "\n".join(self._outputs + ([self.child.output] if self.child is not None else []))
        return text[: 2 * self.limits.output_bytes]

    def _ensure_child(self):
        if self.import_failure is not None:
            return None
        if self.child is not None and self.child.alive:
            return self.child
        self._stop_child()
        module = self.chapter.MODULE
        self.child = Child(self.source, module, self.limits, companions=self.companions)
        try:
            ready = self.child.start()
        except ChildError as exc:
            self.import_failure = ("import error", f"importing {module}.py: {exc.message}")
        else:
            self.sandbox = self.child.sandbox
            if not ready["ok"]:
                self.import_failure = ("import error", _import_hint(module, ready["error"]))
        if self.import_failure is not None:
            self._stop_child()
            return None
        return self.child

    def run(self, check):
        """Run one check (all its trials); returns its CheckResult."""
        result = CheckResult(self.chapter.NUMBER, check.exercise, check.name, check.points,
                             description=check.description)
        if self.source is None:
            result.status, result.hint = "not submitted", f"{self.chapter.MODULE}.py was not submitted"
            return result
        if check.exercise in self.timed_out:
            result.status, result.hint = "not run", f"skipped: an earlier check of {check.exercise} timed out"
            return result
        for trial in range(check.trials):
            status, hint = self._run_once(check)
            if status != PASSED:
                result.status = status
                result.hint = hint + (f" (call {trial + 1} of {check.trials})" if trial > 0 else "")
                return result
        result.points = check.points
        return result

    def _run_once(self, check):
        child = self._ensure_child()
        if child is None:
            return self.import_failure
        args = check.inputs(self.rng)
        try:
            reply = child.call(check.exercise, args.args, args.kwargs, timeout=check.timeout)
        except ChildError as exc:
            if exc.kind == "timeout":
                self.timed_out.add(check.exercise)
            return ("timeout" if exc.kind == "timeout" else "crashed"), f"{check.exercise}: {exc.message}"
        if not reply["ok"]:
            return _error_hint(check.exercise, self.chapter.MODULE, reply["error"], self.limits)
        try:
            hint = check.judge(Call(args.args, args.kwargs, reply["value"], reply["after"]))
        except Exception as exc:  # the returned value was too odd to compare
            hint = f"the result could not be checked ({type(exc).__name__}: {exc}); got {fmt(reply['value'])}"
        return (PASSED, "") if not hint else ("failed", str(hint))

    def run_all(self, checks=None, file=None, note=""):
        """Run ``checks`` (default: all of the chapter's); returns a ChapterResult."""
        ch = self.chapter
        results = [self.run(c) for c in (ch.CHECKS if checks is None else checks)]
        self._stop_child()
        return ChapterResult(ch.NUMBER, ch.TITLE, ch.MODULE, ch.NOTEBOOK, file, results, note, self.output,
                             self.sandbox)


def _import_hint(module, error):
    kind, message, where = error.get("type"), error.get("message") or "", error.get("where")
    if kind == "SystemExit":
        return f"importing {module}.py called sys.exit({message}): remove it, a module must only define functions"
    return f"importing {module}.py failed: {kind}: {message}" + (f" ({where})" if where else "")


def _error_hint(exercise, module, error, limits):
    kind, message, where = error.get("type"), error.get("message") or "", error.get("where")
    if kind == "MemoryError":
        return "error", f"{exercise} ran out of memory (the limit is {limits.memory_mb} MB)" + (
            f" ({where})" if where else "")
    if kind == "NotImplementedError":
        return "not implemented", (f"{exercise} is not implemented yet: replace `raise NotImplementedError` "
                                   f"in {module}.py with your code")
    if kind == "MissingFunction":
        return "missing", f"{module}.py defines no function {exercise}"
    if kind == "ReturnTypeError":
        return "failed", f"{exercise} {message}; return NumPy arrays, numbers, or lists/tuples/dicts of them"
    return "error", f"{exercise} raised {kind}: {message}" + (f" ({where})" if where else "")


# ------------------------------------------------------------- submissions --
def find_modules(folder, numbers):
    """{chapter number: path} of the chapter modules in ``folder`` (exact name, else a unique chN_*.py)."""
    folder, found = Path(folder), {}
    for n in numbers:
        exact = folder / f"{CHAPTERS[n].MODULE}.py"
        candidates = [exact] if exact.is_file() else sorted(p for p in folder.glob(f"ch{n}_*.py") if p.is_file())
        if len(candidates) == 1:
            found[n] = candidates[0]
    return found


def _unzip(path, into):
    """Extract only chapter modules (the shallowest of each name, size-capped) from a zip."""
    chosen = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or "__MACOSX" in parts or not _MODULE_NAME.fullmatch(parts[-1] if parts else ""):
                continue
            if parts[-1] not in chosen or len(parts) < len(PurePosixPath(chosen[parts[-1]].filename).parts):
                chosen[parts[-1]] = info
        for name, info in chosen.items():
            with archive.open(info) as member:
                (Path(into) / name).write_bytes(member.read(MAX_MODULE_BYTES))


def grade_submission(path, chapters=None, limits=None, seed=None, name=None):
    """Grade the folder or .zip at ``path`` on ``chapters`` (default: all); never raises for bad code."""
    start, path = time.perf_counter(), Path(path)
    numbers = sorted(CHAPTERS) if chapters is None else sorted(chapters)
    result = SubmissionResult(name or path.stem or path.name, str(path))
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory(prefix="coursekit-submission-") as tmp:
        folder = path
        if path.is_file() and zipfile.is_zipfile(path):
            try:
                _unzip(path, tmp)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                result.note = f"could not read the zip file: {exc}"
            folder = Path(tmp)
        elif not path.is_dir():
            result.note = f"{path} is not a folder or a .zip file"
            folder = None
        modules = find_modules(folder, sorted(CHAPTERS)) if folder is not None else {}
        for n in numbers:
            ch = CHAPTERS[n]
            source = modules.get(n)
            note = "" if source else f"{ch.MODULE}.py not found: chapter {n} scores 0"
            companions = {CHAPTERS[m].MODULE: path for m, path in modules.items() if m != n}
            with ChapterSession(source, ch, limits, rng.spawn(1)[0], companions) as session:
                result.chapters.append(session.run_all(file=source.name if source else None, note=note))
    result.seconds = time.perf_counter() - start
    return result
