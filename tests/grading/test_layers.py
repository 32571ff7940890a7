"""The grader's layers: checks at the bottom, the grader above them, the child apart.

- coursekit.exercises (the checks: spec, objectives, chN*; the registry; sync) never
  imports coursekit.grade: the types the checks share with the grader (Ref, Call, Args)
  live in exercises.spec. Checking in place from a notebook is the grader's
  (coursekit.grade.notebook, ``coursekit.grade.check``), above both.
- Counting every import (function-level too), the modules of both packages form no cycle.
- The child's own code (grade/worker.py, grade/sandbox.py) imports nothing of coursekit.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "coursekit"


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name):
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path, top_level_only):
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else None
            if base:   # `from package import submodule` depends on the submodule
                found |= {f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base for a in node.names}
    return {name for name in found if name.startswith("coursekit")}


MODULES = {_module_name(p): p for folder in ("exercises", "grade") for p in (PACKAGE / folder).glob("*.py")}


BELOW_THE_GRADER = sorted(n for n in MODULES if n.startswith("coursekit.exercises"))


@pytest.mark.parametrize("name", BELOW_THE_GRADER)
def test_exercises_never_import_the_grader(name):
    assert not {m for m in _imports(MODULES[name], top_level_only=False) if m.startswith("coursekit.grade")}


@pytest.mark.parametrize("name", ["coursekit.grade.worker", "coursekit.grade.sandbox"])
def test_the_childs_code_imports_nothing_of_coursekit(name):
    assert _imports(MODULES[name], top_level_only=False) == set()


def test_no_import_cycle():
    graph = {name: {m for m in _imports(path, top_level_only=False) if m in MODULES and m != name}
             for name, path in MODULES.items()}
    seen, stack = set(), []

    def visit(node):
        if node in stack:
            raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(node):] + [node]))
        if node in seen:
            return
        stack.append(node)
        for nxt in graph[node]:
            visit(nxt)
        stack.pop()
        seen.add(node)

    for node in sorted(graph):
        visit(node)
