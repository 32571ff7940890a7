"""``python -m coursekit.release``: the student edition of the course, as a folder and a .zip.

Run from the course repository (it reads ``solutions/``, ``course/`` and ``tools/kit/``)::

    python -m coursekit.release                 # build/release/optml-course/ and build/release/optml-course.zip
    python -m coursekit.release --out DIR

The edition holds what a learner needs and nothing of the instructor's: the executed
notebooks and their sources (``course/``), the exercise stubs (written afresh from
``solutions/`` by :func:`coursekit.exercises.sync.make_stub`, never copied, so an
instructor's own edits of ``exercises/`` cannot leak), the ``coursekit`` package (its
checks included: learners check their work in place through the same sandbox), a
README and a Makefile for learners (``tools/kit/``), ``pyproject.toml`` and
``environment.yml``. There is no ``solutions/``, ``tests/``, ``tools/`` or
``benchmarks/``. The one exception to "no solution body" is a *worked example*: an
exercise whose solution a notebook prints (``solution_source("chN.name")``); those
functions, and only those, go to ``worked_examples/`` so the notebook cell still shows
them. :func:`solution_bodies` and :func:`leaked_bodies` let a test prove the rest.
"""
from __future__ import annotations

import argparse
import ast
import re
import shutil
import sys
import zipfile
from pathlib import Path

from coursekit.exercises.chapters import CHAPTERS
from coursekit.exercises.sync import BEGIN, END, make_stub

NAME = "optml-course"
KIT = Path("tools") / "kit"
COPIED = ["pyproject.toml", "environment.yml"]
FROM_KIT = {"student_README.md": "README.md", "student_Makefile": "Makefile", "student_gitignore": ".gitignore"}
_WORKED = re.compile(r"""solution_source\(\s*["'](ch\d+)\.(\w+)["']""")
_SKIP = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


class ReleaseError(RuntimeError):
    """The repository lacks something the student edition needs."""


def worked_examples(root):
    """{(chapter number, function)} of the exercises a notebook source prints the solution of."""
    found = set()
    for src in sorted((Path(root) / "course" / "src").glob("*.py")):
        for chapter_key, function in _WORKED.findall(src.read_text(encoding="utf-8")):
            found.add((int(chapter_key[2:]), function))
    return found


def solution_bodies(root):
    """{(module file, function): [lines]} of every ``# BEGIN SOLUTION`` region of ``solutions/``,
    each line stripped, blank lines and comments dropped."""
    bodies = {}
    for path in sorted((Path(root) / "solutions").glob("ch*_*.py")):
        lines, function, region = path.read_text(encoding="utf-8").splitlines(), None, None
        for line in lines:
            match = re.match(r"^\s*(?:async\s+)?def\s+(\w+)", line)
            if region is None and match and not line.startswith((" ", "\t")):
                function = match.group(1)
            if BEGIN.match(line):
                region = []
            elif END.match(line):
                if region:
                    bodies.setdefault((path.name, function), []).extend(region)
                region = None
            elif region is not None and line.strip() and not line.strip().startswith("#"):
                region.append(line.strip())
    return bodies


def hidden_bodies(root):
    """The solution bodies that must not reach learners: all but the worked examples'."""
    by_file = {f"{ch.MODULE}.py": n for n, ch in CHAPTERS.items()}
    worked = worked_examples(root)
    return {k: v for k, v in solution_bodies(root).items() if (by_file.get(k[0]), k[1]) not in worked}


def _text_lines(path):
    """The stripped lines of a file as a reader sees them: a notebook's cell sources and text outputs."""
    if path.suffix == ".ipynb":
        import json

        nb = json.loads(path.read_text(encoding="utf-8"))
        chunks = []
        for cell in nb.get("cells", []):
            chunks.append("".join(cell.get("source", "")))
            for out in cell.get("outputs", []):
                chunks.append("".join(out.get("text", "")))
                for value in out.get("data", {}).values():
                    chunks.append("".join(value) if isinstance(value, list) else str(value))
        text = "\n".join(chunks)
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            return []
    return [line.strip() for line in text.splitlines()]


def leaked_bodies(folder, bodies):
    """[(file, (module, function))] for every solution body whose lines all appear, in order and
    next to each other (blank lines and comments aside), in a file under ``folder``."""
    leaks = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        lines = [line for line in _text_lines(path) if line and not line.startswith("#")]
        joined = "\n" + "\n".join(lines) + "\n"
        for key, body in bodies.items():
            if "\n" + "\n".join(body) + "\n" in joined:
                leaks.append((str(path.relative_to(folder)), key))
    return leaks


def _copy_tree(source, target):
    shutil.copytree(source, target, ignore=lambda d, names: [n for n in names if n in _SKIP or n.endswith(".pyc")])


def _worked_file(solution, functions):
    """The source of ``functions`` of a solution file, markers removed (shown, never imported)."""
    text = solution.read_text(encoding="utf-8")
    parts = [f'"""Worked examples of {solution.name}: the solutions a notebook shows (not graded help: '
             'they are printed by exercises.solution_source)."""\n']
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            source = ast.get_source_segment(text, node)
            parts.append("\n".join(line for line in source.splitlines() if not (BEGIN.match(line) or END.match(line))))
    return "\n\n\n".join(parts) + "\n"


def build(root=".", out="build/release", name=NAME):
    """Write ``out/name/`` and ``out/name.zip``; returns (folder, zip path). Replaces an earlier build."""
    root, out = Path(root).resolve(), Path(out).resolve()
    missing = [p for p in ["solutions", "course", "coursekit", str(KIT), *COPIED] if not (root / p).exists()]
    if missing:
        raise ReleaseError(f"root: {root} is not the course repository (no {', '.join(missing)})")
    folder = out / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for rel in COPIED:
        shutil.copy2(root / rel, folder / rel)
    for src, dst in FROM_KIT.items():
        shutil.copy2(root / KIT / src, folder / dst)
    shutil.copy2(root / "tests" / "nbval_sanitize.cfg", folder / "nbval_sanitize.cfg")
    _copy_tree(root / "coursekit", folder / "coursekit")
    course = folder / "course"
    course.mkdir()
    for path in sorted((root / "course").iterdir()):
        if path.suffix in (".ipynb", ".md", ".toml") and path.is_file():
            shutil.copy2(path, course / path.name)
        elif path.name in ("src", "data") and path.is_dir():
            _copy_tree(path, course / path.name)
    (folder / "exercises").mkdir()
    worked = worked_examples(root)
    for ch in CHAPTERS.values():
        solution = root / "solutions" / f"{ch.MODULE}.py"
        stub = make_stub(solution.read_text(encoding="utf-8"), solution.name)
        (folder / "exercises" / solution.name).write_text(stub, encoding="utf-8")
        functions = {f for n, f in worked if n == ch.NUMBER}
        if functions:
            (folder / "worked_examples").mkdir(exist_ok=True)
            (folder / "worked_examples" / solution.name).write_text(_worked_file(solution, functions), encoding="utf-8")
    archive = out / f"{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(name) / path.relative_to(folder))
    return folder, archive


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build/release", metavar="DIR",
                        help="where the folder and the .zip go (default build/release)")
    parser.add_argument("--root", default=".", metavar="DIR", help="the course repository (default: here)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        folder, archive = build(args.root, args.out)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    leaks = leaked_bodies(folder, hidden_bodies(args.root))
    if leaks:
        print("error: solution bodies in the release: " + ", ".join(f"{k[0]}:{k[1]} in {f}" for f, k in leaks),
              file=sys.stderr)
        return 1
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"wrote {Path(args.out) / folder.name}/ ({files} files) and {Path(args.out) / archive.name} "
          f"({archive.stat().st_size / 1e6:.1f} MB); no solution bodies but the worked examples "
          f"({', '.join(f'ch{n}.{f}' for n, f in sorted(worked_examples(args.root)))})")
    return 0

if __name__ == "__main__":
    sys.exit(main())
