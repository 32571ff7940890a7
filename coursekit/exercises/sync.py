"""Exercise stubs generated from the solutions, the single source.

``python -m coursekit.exercises sync`` writes ``exercises/X.py`` for every
``solutions/X.py``: each region from a ``# BEGIN SOLUTION`` line to the next
``# END SOLUTION`` line is replaced by one line, at the marker's indentation,
raising ``NotImplementedError``. Signatures and docstrings stay (keep them outside
the region). ``--check`` changes nothing and exits 1 listing the stale files: those
whose stub would change. A learner's edited file is fine for ``--check`` as long as
the stub it started from is still current; ``--strict`` (CI) also fails on it, since
the repository's exercises/ must be exactly what sync writes.

A learner's edits are never lost: ``exercises/.sync.json`` records a hash of what
sync last wrote; a file that differs from it is the learner's and is left alone
(exit 1) unless ``--force``, which first moves it to ``X.py.<timestamp>.bak``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = re.compile(r"^([ \t]*)# BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)")
MANIFEST = ".sync.json"
HEADER = ("# Your exercises, generated from solutions/{name} by `python -m coursekit.exercises sync`.\n"
          "# Replace each `raise NotImplementedError(...)` line with your code.\n")


class SyncError(ValueError):
    """A solution file with unbalanced markers, or a stub that does not compile."""


@dataclass
class SyncReport:
    written: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    stale: list = field(default_factory=list)      # --check: would change
    kept: list = field(default_factory=list)       # learner-edited, left alone (no --force)
    edited: list = field(default_factory=list)     # --check: learner-edited, its stub still current
    backups: list = field(default_factory=list)    # learner-edited, moved aside (--force)

    @property
    def ok(self):
        return not self.stale and not self.kept


def make_stub(source, name="solution.py"):
    """The exercise text for a solution's text (raises SyncError on bad markers)."""
    lines = source.splitlines(keepends=True)
    out, begin = [], None
    for number, line in enumerate(lines, start=1):
        marker = BEGIN.match(line)
        if marker:
            if begin is not None:
                raise SyncError(f"{name}:{number}: nested # BEGIN SOLUTION (the open one is at line {begin})")
            begin = number
            indent = marker.group(1)
            function = _enclosing_function(lines[: number - 1], len(indent.expandtabs()))
            out.append(f'{indent}raise NotImplementedError("{function}: your code here")\n')
        elif END.match(line):
            if begin is None:
                raise SyncError(f"{name}:{number}: # END SOLUTION without a # BEGIN SOLUTION")
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise SyncError(f"{name}:{begin}: # BEGIN SOLUTION is never closed by # END SOLUTION")
    text = HEADER.format(name=name) + "".join(out)
    try:
        compile(text, f"exercises/{name}", "exec")
    except SyntaxError as exc:
        raise SyncError(f"{name}: the generated stub does not compile: {exc}") from None
    return text


def _enclosing_function(previous, indent):
    for line in reversed(previous):
        found = DEF.match(line)
        if found and len(found.group(1).expandtabs()) < indent:
            return found.group(2)
    return "this exercise"


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def sync(solutions="solutions", exercises="exercises", check=False, force=False):
    """Bring ``exercises`` up to date with ``solutions``; returns a SyncReport."""
    solutions, exercises = Path(solutions), Path(exercises)
    if not solutions.is_dir():
        raise SyncError(f"solutions folder not found: {solutions}")
    manifest_path = exercises / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    report = SyncReport()
    for source in sorted(solutions.glob("*.py")):
        if source.name.startswith("_"):
            continue
        stub = make_stub(source.read_text(encoding="utf-8"), source.name)
        target = exercises / source.name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == stub:
            report.unchanged.append(target)
            manifest[source.name] = _digest(stub)
            continue
        if check:
            started_from_current_stub = manifest.get(source.name) == _digest(stub)
            edited = current is not None and manifest.get(source.name) != _digest(current)
            (report.edited if edited and started_from_current_stub else report.stale).append(target)
            continue
        if current is not None and manifest.get(source.name) != _digest(current):
            if not force:
                report.kept.append(target)
                continue
            report.backups.append(_back_up(target))
        exercises.mkdir(parents=True, exist_ok=True)
        _write(target, stub)
        manifest[source.name] = _digest(stub)
        report.written.append(target)
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    if not check and (report.written or report.unchanged) and (
            not manifest_path.is_file() or manifest_path.read_text() != text):
        _write(manifest_path, text)
    return report


def _back_up(path):
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup, n = path.with_name(f"{path.name}.{stamp}.bak"), 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.{stamp}-{n}.bak")
    path.rename(backup)
    return backup


def _write(path, text):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
