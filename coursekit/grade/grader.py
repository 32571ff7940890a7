"""Grading: run each chapter's checks on a submission, in sandboxed children.

The learner's code runs only in grading child processes (coursekit.grade.parent); inputs are drawn
here with a fresh random generator, results come back as plain data, and every
verdict (tolerances, points) is computed here by the checks' judges, from what this
process can observe: the inputs it drew and the value that came back. What only the
child can report (the inputs after the call) adds a hint, never points. Submissions
are read by coursekit.grade.submission (no symlinks, regular files, bounded).
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coursekit.exercises.chapters import CHAPTERS
from coursekit.exercises.spec import Call, fmt
from coursekit.grade.parent import Child, ChildError, Limits, SandboxError
from coursekit.grade.submission import find_modules, read_submission
from coursekit.grade.text import clean

PASSED = "passed"
MAX_HINT = 2000
BOOT_TRIES = 3      # a worker that does not boot is started again before the submission is "not graded"


@dataclass
class CheckResult:
    """The verdict of one check: status is passed, failed, error, not implemented, missing,
    timeout, crashed, import error, not run or not submitted. A passed check may carry
    a hint too (advice worth no points, e.g. "x was modified by the call")."""

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
    failed: list = field(default_factory=list)   # every failing check (CheckResult) with a hint


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
            advised = [c for c in checks if c.passed and c.hint]
            hint = (f"[{failed[0].name}] {failed[0].hint}" if failed and failed[0].hint else
                    f"[{advised[0].name}] note (no points lost): {advised[0].hint}" if advised else "")
            rows.append(ExerciseSummary(name, points, sum(c.max_points for c in checks), status, hint,
                                        [c for c in failed if c.hint]))
        return rows


@dataclass
class SubmissionResult:
    name: str
    path: str
    chapters: list = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""
    seed: "int | None" = None      # the inputs' seed: --seed SEED repeats this grading exactly

    @property
    def score(self):
        return sum(ch.score for ch in self.chapters)

    @property
    def max_score(self):
        return sum(ch.max_score for ch in self.chapters)


class Budget:
    """Wall seconds of calls (imports included) left to one submission, shared by its chapters:
    ``Limits.budget_s`` at first. Every call is cut where the budget ends, inside a long check too."""

    def __init__(self, seconds):
        self.seconds, self.used = float(seconds), 0.0

    @property
    def left(self):
        return self.seconds - self.used

    def hint(self):
        return f"this submission used all of its time budget ({self.seconds:g} s of calls in all)"


class ChapterSession:
    """Runs one chapter's checks on one module (bytes, or a file), in one persistent child.

    The child is restarted after a timeout or crash (a worker that fails to boot is
    started again, up to BOOT_TRIES times, before SandboxError); an import failure
    fails every remaining check with the same hint; a timeout skips the exercise's
    other checks; once the submission's ``budget`` (a :class:`Budget`, shared by its
    chapters; default ``limits.budget_s`` for this chapter alone) is spent, the
    remaining checks are not run. ``companions`` ({module name: bytes or file}) are
    the submission's other chapter modules, importable from this one. The child may
    import what the chapter's ``ALLOWED_IMPORTS`` lists (default NumPy) and the
    standard library. Use as a context manager (it owns a process).
    """

    def __init__(self, source, chapter, limits=None, rng=None, companions=None, budget=None):
        self.chapter, self.limits, self.companions = chapter, limits or Limits(), companions
        self.budget = budget if budget is not None else Budget(self.limits.budget_s)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.source = source if source is None or isinstance(source, bytes) else Path(source)
        self.child, self.import_failure, self.timed_out = None, None, set()
        self.sandbox, self._outputs = [], []
        self._started = time.monotonic()

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
        for attempt in range(BOOT_TRIES):
            try:
                self.child = Child(self.source, module, self.limits, companions=self.companions,
                                   allowed=getattr(self.chapter, "ALLOWED_IMPORTS", ("numpy",)))
            except OSError as exc:  # the file could not be read (a link, not a regular file, too large)
                self.import_failure = ("import error", clean(exc, MAX_HINT))
                return None
            except SandboxError:
                if attempt == BOOT_TRIES - 1:
                    raise
                continue
            try:
                ready = self.child.start(timeout=max(min(self.limits.timeout, self.budget.left), 1e-3))
                break
            except SandboxError:            # the worker did not boot (before the submission was even read)
                self._stop_child()
                if attempt == BOOT_TRIES - 1:
                    raise
            except ChildError as exc:
                ready = None
                self.import_failure = ("import error", f"importing {module}.py: {exc.message}")
                break
        if self.child is not None:
            self.budget.used += self.child.import_seconds
        if ready is not None:
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
        if self.budget.left <= 0:
            result.status, result.hint = "not run", f"skipped: {self.budget.hint()}"
            return result
        if check.exercise in self.timed_out:
            result.status, result.hint = "not run", f"skipped: an earlier check of {check.exercise} timed out"
            return result
        if time.monotonic() - self._started > self.limits.chapter_s:
            result.status, result.hint = "not run", (f"skipped: this chapter's checks took more than "
                                                     f"{self.limits.chapter_s:g} s in all")
            return result
        advice = ""
        for trial in range(check.trials):
            status, hint = self._run_once(check)
            if status != PASSED:
                result.status = status
                result.hint = clean(hint + (f" (call {trial + 1} of {check.trials})" if trial > 0 else ""), MAX_HINT)
                return result
            advice = advice or hint
        result.points, result.hint = check.points, clean(advice, MAX_HINT)
        return result

    def _run_once(self, check):
        child = self._ensure_child()
        if child is None:
            return self.import_failure
        args = check.inputs(self.rng)
        timeout = check.timeout or self.limits.timeout
        allowed = min(timeout, self.budget.left)
        try:
            reply = child.call(check.exercise, args.args, args.kwargs, timeout=max(allowed, 1e-3))
        except ChildError as exc:
            if exc.kind == "timeout":
                self.timed_out.add(check.exercise)
                if allowed < timeout:
                    return "timeout", f"{check.exercise}: stopped after {allowed:.3g} s: {self.budget.hint()}"
            loops = (f"; does every loop of {check.exercise} end? (a while loop whose test never changes runs "
                     "forever)") if exc.kind == "timeout" else ""
            return ("timeout" if exc.kind == "timeout" else "crashed"), f"{check.exercise}: {exc.message}{loops}"
        finally:
            self.budget.used += child.last_charge        # CPU plus sleep: what the machine's load does not inflate
        if not reply["ok"]:
            return _error_hint(check.exercise, self.chapter.MODULE, reply["error"], self.limits)
        # points: from what this process observed (its own inputs, the value); then the child's report
        # of the inputs after the call, for a hint only (the child could forge it)
        inputs = [np.copy(a) if isinstance(a, np.ndarray) else None for a in args.args]
        hint = _judge(check, Call(args.args, args.kwargs, reply["value"], inputs), reply["value"])
        if hint:
            return "failed", hint
        return PASSED, _judge(check, Call(args.args, args.kwargs, reply["value"], reply["after"]), reply["value"])

    def run_all(self, checks=None, file=None, note=""):
        """Run ``checks`` (default: all of the chapter's); returns a ChapterResult."""
        ch = self.chapter
        results = [self.run(c) for c in (ch.CHECKS if checks is None else checks)]
        self._stop_child()
        return ChapterResult(ch.NUMBER, ch.TITLE, ch.MODULE, ch.NOTEBOOK, file, results, note, self.output,
                             self.sandbox)


def _judge(check, call, value):
    """The judge's hint for ``call`` ("" if it passes); any exception is a hint, never the grader's crash."""
    try:
        with np.errstate(all="ignore"):
            hint = check.judge(call)
        return clean(hint, MAX_HINT) if hint else ""
    except Exception as exc:  # noqa: BLE001 -- the returned value was too odd to compare
        try:
            got = fmt(value)
        except Exception:  # noqa: BLE001
            got = "an odd value"
        return clean(f"the result could not be checked ({type(exc).__name__}: {exc}); got {got}", MAX_HINT)


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
def new_seed():
    """A fresh seed, short enough to type back (--seed)."""
    return secrets.randbelow(10 ** 9)


def grade_submission(path, chapters=None, limits=None, seed=None, name=None):
    """Grade the folder or .zip at ``path`` on ``chapters`` (default: all); never raises for bad code.

    ``seed`` (an int; default: a new one, drawn here) seeds every input; it is in the result.
    """
    start, path = time.perf_counter(), Path(path)
    numbers = sorted(CHAPTERS) if chapters is None else sorted(chapters)
    result = SubmissionResult(clean(name or path.stem or path.name, 200), clean(path, 500))
    result.seed = new_seed() if seed is None else seed
    rng = np.random.default_rng(result.seed)
    budget = Budget((limits or Limits()).budget_s)        # all chapters together
    modules, result.note = read_submission(path)          # {number: (file name, bytes)}; never raises
    for n in numbers:
        ch = CHAPTERS[n]
        filename, source = modules.get(n, (None, None))
        note = "" if source is not None else f"{ch.MODULE}.py not found: chapter {n} scores 0"
        companions = {CHAPTERS[m].MODULE: data for m, (_, data) in modules.items() if m != n}
        with ChapterSession(source, ch, limits, rng.spawn(1)[0], companions, budget) as session:
            result.chapters.append(session.run_all(file=filename, note=note))
    result.seconds = time.perf_counter() - start
    return result


__all__ = ["CheckResult", "ChapterResult", "SubmissionResult", "ChapterSession", "grade_submission",
           "find_modules"]
