"""One floor plan, enforced: every module of coursekit on its layer, every import pointing down.

The layers are listed once, bottom first, in coursekit/_layers.py (docs/architecture.md
draws them). The edges are read from the source with ``ast``, every module of the package:

- ``import a.b`` and ``from a.b import c`` (``c`` a submodule or a name), at module level
  or inside a function: a lazy import is an edge like any other (no layer-up allowance);
- relative imports (``from . import x``, ``from ..y import z``), resolved against the package;
- importing ``a.b.c`` also runs the ``__init__`` of ``a.b``: an edge to it too, except to
  the importer's own packages and to the root ``coursekit``, which loads nothing;
- dynamic imports (``importlib.import_module``, ``__import__``, ``spec_from_file_location``,
  ``runpy``): the argument is resolved where it can be (string literals, ``"coursekit." + x``
  and f-strings by their literal prefix: every module under it; names bound to literals:
  module constants, loop variables over literal tuples, dict values; ``(".x", __package__)``).
  One it cannot resolve fails the test unless ALLOWED_DYNAMIC lists it with its reason.

Rules: no edge to a higher layer; a module on an isolated layer (the grading child)
imports nothing of coursekit; no private name (``_x``) imported from another package; a
module sits on its package's layer unless MISPLACED plans its move; no import cycle.
A second, runtime check imports the layers bottom up in a fresh interpreter and looks at
``sys.modules``: whatever the parse missed would show there.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from coursekit._layers import LAYERS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "coursekit"

#: Dynamic imports the parse cannot resolve: (module, the call as ast.unparse writes it) -> why it is fine.
ALLOWED_DYNAMIC = {
    ("coursekit.exercises.spec", "importlib.import_module(module_name)"):
        "Ref.resolve: a check names its reference object as Ref('coursekit.x.y'); "
        "test_ref_paths_point_down holds every such literal below the exercises layer",
    ("coursekit.exercises.notebook", "importlib.util.spec_from_file_location(f'yours_{ch.MODULE}', path)"):
        "loads the learner's own chapter file (exercises/chN_*.py), not a coursekit module",
    ("coursekit.grade.worker", "importlib.util.spec_from_file_location('_coursekit_grade_' + name, path)"):
        "the child loads its sibling sandbox.py by path (same isolated layer), not through the package",
    ("coursekit.grade.worker", "importlib.import_module(name)"):
        "the child imports the chapter's allow-list (NumPy, ...) sent by the parent, before confinement",
    ("coursekit.grade.worker", "importlib.import_module(hello['module'])"):
        "the child imports the submitted chapter module",
}

#: Wrong-way edges that only a move can fix: (importer, imported) -> the planned move. None today.
KNOWN_WRONG_WAY: dict[tuple[str, str], str] = {}

#: Modules on another layer than their package: module -> the planned move (docs/architecture.md).
MISPLACED = {
    "coursekit.tuning.plotting": "move 4: plots/tuning.py",
    "coursekit.tuning.experiments": "move 5: experiments/ch4.py",
    "coursekit.tuning.compare": "move 5: experiments/ch4_compare.py",
    "coursekit.convex.compare": "move 5: experiments/ch3.py",
    "coursekit.grade.worker": "move 7: grade/child/ (the child program) and grade/wire.py (the codec)",
    "coursekit.grade.sandbox": "move 7: grade/child/sandbox.py",
}

DYNAMIC_CALLS = {"import_module", "__import__", "spec_from_file_location", "run_module", "run_path"}


# ----------------------------------------------------------------------------- the layers

def layer_of(module: str, layers=LAYERS):
    """Index of the layer a module is on (the most specific pattern wins), or None."""
    best, best_len = None, -1
    for index, (_, _, patterns, _) in enumerate(layers):
        for pattern in patterns:
            if pattern == module:
                length = len(pattern) + 1                   # an exact name beats any wildcard
            elif pattern.endswith(".*") and module.startswith(pattern[:-1]):
                length = len(pattern) - 2
            else:
                continue
            if length > best_len:
                best, best_len = index, length
    return best


def describe(index, layers=LAYERS) -> str:
    return f"{layers[index][0]!r} (layer {index})"


# ----------------------------------------------------------------------------- the edges

@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    how: str        # "import", "lazy import", "dynamic import", "package of ..."
    lazy: bool = False   # made inside a function: runs when it is called, not when the module loads


@dataclass(frozen=True)
class Unresolved:
    source: str
    line: int
    call: str


def find_modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted name -> file, for every .py under the package folder ``root``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


class _Scopes:
    """What the names of one module are bound to, per function (for resolving dynamic imports)."""

    def __init__(self, tree):
        self.module = self._bindings(tree.body, ())
        self.functions = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                args = node.args
                params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                params += [a.arg for a in (args.vararg, args.kwarg) if a]
                body = node.body if isinstance(node.body, list) else [node.body]
                self.functions[node] = self._bindings(body, params)

    @staticmethod
    def _bindings(body, params) -> dict:
        """name -> list of ("value", expr), ("item", iterable expr) or None (unknown)."""
        out = {p: [None] for p in params}

        def unknown(target):
            for n in ast.walk(target):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    out.setdefault(n.id, []).append(None)

        stack = list(body)
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.setdefault(node.name, []).append(None)
                continue                                    # a scope of its own
            if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        out.setdefault(target.id, []).append(("value", node.value))
                    else:
                        unknown(target)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                out.setdefault(node.target.id, []).append(("value", node.value))
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                if isinstance(node.target, ast.Name):
                    out.setdefault(node.target.id, []).append(("item", node.iter))
                else:
                    unknown(node.target)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                unknown(node.target)
            elif isinstance(node, ast.NamedExpr):
                unknown(node.target)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        unknown(item.optional_vars)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                out.setdefault(node.name, []).append(None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    out.setdefault((alias.asname or alias.name).split(".")[0], []).append(None)
            stack.extend(ast.iter_child_nodes(node))
        return out

    def lookup(self, name, chain):
        """The bindings of ``name`` in the innermost scope of ``chain`` (functions, inner first) that binds it."""
        for function in chain:
            if name in self.functions[function]:
                return self.functions[function][name]
        return self.module.get(name, [None])


def _strings(expr, scopes, chain, depth=0):
    """The strings ``expr`` can take, as a set of (text, complete); None when unknown.

    ``complete`` is False for a literal prefix followed by something unknown."""
    if depth > 10:
        return None
    if isinstance(expr, ast.Constant):
        return {(expr.value, True)} if isinstance(expr.value, str) else None
    if isinstance(expr, ast.JoinedStr):
        parts = [v if isinstance(v, ast.Constant) else v.value for v in expr.values]
        return _concat(parts, scopes, chain, depth)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _concat([expr.left, expr.right], scopes, chain, depth)
    if isinstance(expr, ast.Name):
        found = set()
        for binding in scopes.lookup(expr.id, chain):
            if binding is None:
                return None
            kind, value = binding
            values = [value] if kind == "value" else _elements(value, scopes, chain, depth)
            for v in values or [None]:
                s = None if v is None else _strings(v, scopes, chain, depth + 1)
                if s is None:
                    return None
                found |= s
        return found
    if isinstance(expr, ast.Subscript):
        values = _elements(expr.value, scopes, chain, depth)
        if not values:
            return None
        found = set()
        for v in values:
            s = _strings(v, scopes, chain, depth + 1)
            if s is None:
                return None
            found |= s
        return found
    return None


def _concat(parts, scopes, chain, depth):
    results = {("", True)}
    for part in parts:
        s = _strings(part, scopes, chain, depth + 1)
        if s is None:                                       # unknown from here on: keep the prefixes
            return {(text, False) for text, complete in results} if any(t for t, _ in results) else None
        results = {(a + b, c2) if c1 else (a, False) for a, c1 in results for b, c2 in s}
    return results


def _elements(expr, scopes, chain, depth):
    """The element expressions of a literal collection (dict: its values), or None."""
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return list(expr.elts)
    if isinstance(expr, ast.Dict):
        return list(expr.values)
    if isinstance(expr, ast.Name) and depth < 10:
        out = []
        for binding in scopes.lookup(expr.id, chain):
            if binding is None or binding[0] != "value":
                return None
            inner = _elements(binding[1], scopes, chain, depth + 1)
            if inner is None:
                return None
            out += inner
        return out
    return None


def _package_of(name, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _absolute(package: str, level: int, module: str | None) -> str | None:
    parts = package.split(".")
    if level > len(parts):
        return None
    base = parts[:len(parts) - level + 1]
    return ".".join(base + ([module] if module else []))


def _dynamic_targets(call, name, package, modules, scopes, chain):
    """Modules a dynamic import call can load (a set; empty for outside modules), or None."""
    kind = _call_name(call.func)
    if kind in ("spec_from_file_location", "run_path") or not call.args:
        return None                                         # a file path: nothing to resolve
    strings = _strings(call.args[0], scopes, chain)
    if strings is None:
        return None
    relative_base = None
    if kind == "import_module":
        pkg = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "package"), None)
        if pkg is not None:
            if isinstance(pkg, ast.Name) and pkg.id == "__package__":
                relative_base = {package}
            else:
                got = _strings(pkg, scopes, chain)
                relative_base = None if got is None or not all(c for _, c in got) else {t for t, _ in got}
    level = 0
    if kind == "__import__":
        lv = call.args[4] if len(call.args) > 4 else next((k.value for k in call.keywords if k.arg == "level"), None)
        if lv is not None:
            if not (isinstance(lv, ast.Constant) and isinstance(lv.value, int)):
                return None
            level = lv.value
    targets = set()
    for text, complete in strings:
        if kind == "import_module" and text.startswith("."):
            if not relative_base:
                return None
            dots = len(text) - len(text.lstrip("."))
            text = _absolute(next(iter(relative_base)), dots, text[dots:])
            if text is None or len(relative_base) > 1:
                return None
        elif level:
            text = _absolute(package, level, text)
            if text is None:
                return None
        if complete:
            if text != "coursekit" and not text.startswith("coursekit."):
                continue                                    # outside the package
            if text not in modules:
                return None
            targets.add(text)
        else:
            if "coursekit.".startswith(text) or text.startswith("coursekit") and not text.startswith("coursekit."):
                return None                                 # could be any module of the package
            if not text.startswith("coursekit."):
                continue
            under = {m for m in modules if m.startswith(text)}
            if not under:
                return None
            targets |= under
    return targets


def _call_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _chains(tree):
    """node -> the functions around it, innermost first."""
    chains = {}

    def visit(node, chain):
        chains[node] = chain
        inner = (node,) + chain if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else chain
        for child in ast.iter_child_nodes(node):
            visit(child, inner)
    visit(tree, ())
    return chains


def module_edges(name: str, path: Path, modules: dict, source: str | None = None):
    """(edges, unresolved dynamic imports, private names imported: (line, from module, name)) of one module."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    package = _package_of(name, path)
    own = {name} | {".".join(name.split(".")[:k]) for k in range(1, name.count(".") + 1)}
    scopes, chains = _Scopes(tree), _chains(tree)
    edges, unresolved, private = [], [], []

    def add(target, line, how, lazy):
        while target and target not in modules:              # 'a.b.name' -> module 'a.b'
            target = target.rpartition(".")[0]
        if not target or target == name:
            return
        edges.append(Edge(name, target, line, how, lazy))
        parent = target.rpartition(".")[0]
        while parent and parent != "coursekit" and parent not in own:
            edges.append(Edge(name, parent, line, f"package of {target}", lazy))
            parent = parent.rpartition(".")[0]

    for node in ast.walk(tree):
        lazy = bool(chains[node])
        how = "lazy import" if lazy else "import"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "coursekit" or alias.name.startswith("coursekit."):
                    add(alias.name, node.lineno, how, lazy)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _absolute(package, node.level, node.module)
                if base is None:
                    raise SyntaxError(f"{path}:{node.lineno}: relative import beyond the top-level package")
            if base != "coursekit" and not base.startswith("coursekit."):
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in modules:                          # 'from pkg import sub': the module pkg.sub
                    add(full, node.lineno, how, lazy)
                else:
                    add(base, node.lineno, how, lazy)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        private.append((node.lineno, base, alias.name))
        elif isinstance(node, ast.Call) and _call_name(node.func) in DYNAMIC_CALLS:
            targets = _dynamic_targets(node, name, package, modules, scopes, chains[node])
            if targets is None:
                unresolved.append(Unresolved(name, node.lineno, ast.unparse(node)))
            for target in sorted(targets or ()):
                add(target, node.lineno, "dynamic import", lazy)
    return list(dict.fromkeys(edges)), unresolved, private


def import_graph(root: Path = PACKAGE):
    """(modules, edges, unresolved, private imports) of the package folder ``root``."""
    modules = find_modules(root)
    edges, unresolved, private = [], [], {}
    for name, path in modules.items():
        e, u, p = module_edges(name, path, modules)
        edges += e
        unresolved += u
        private[name] = p
    return modules, edges, unresolved, private


# ----------------------------------------------------------------------------- the rules

def violations(root: Path = PACKAGE, layers=LAYERS, allowed_dynamic=None, known_wrong_way=None,
               misplaced=None) -> list[str]:
    """Every breach of the floor plan in the package folder ``root``, one message each."""
    allowed_dynamic = ALLOWED_DYNAMIC if allowed_dynamic is None else allowed_dynamic
    known_wrong_way = KNOWN_WRONG_WAY if known_wrong_way is None else known_wrong_way
    misplaced = MISPLACED if misplaced is None else misplaced
    modules, edges, unresolved, private = import_graph(root)
    rel = {m: p.relative_to(root.parent).as_posix() for m, p in modules.items()}
    found = []
    layer = {m: layer_of(m, layers) for m in modules}
    for m in sorted(modules):
        if layer[m] is None:
            found.append(f"{rel[m]}: {m} is on no layer: add it to coursekit/_layers.py")
    used_wrong_way = set()
    for e in edges:
        src, dst = layer[e.source], layer[e.target]
        if src is None or dst is None:
            continue
        if layers[src][3]:
            found.append(f"{rel[e.source]}:{e.line}: {e.source} on the isolated layer {describe(src, layers)} "
                         f"imports {e.target} ({e.how}): it may import nothing of coursekit")
        elif dst > src:
            if (e.source, e.target) in known_wrong_way:
                used_wrong_way.add((e.source, e.target))
                continue
            found.append(f"{rel[e.source]}:{e.line}: {e.source} on {describe(src, layers)} imports "
                         f"{e.target} on {describe(dst, layers)} above it ({e.how})")
    for e in edges:                  # a package's __init__ runs before each of its modules loads
        if e.lazy or modules[e.source].name != "__init__.py" or layer[e.target] is None:
            continue
        members = [m for m in modules if m.startswith(e.source + ".") and m not in misplaced
                   and layer[m] is not None]
        lowest = min(members, key=lambda m: layer[m], default=None)
        if lowest is not None and layer[e.target] > layer[lowest]:
            found.append(f"{rel[e.source]}:{e.line}: {e.source} imports {e.target} on "
                         f"{describe(layer[e.target], layers)} when it loads, so importing {lowest} on "
                         f"{describe(layer[lowest], layers)} loads it too: import it lazily (module __getattr__)")
    for u in unresolved:
        if (u.source, u.call) not in allowed_dynamic:
            found.append(f"{rel[u.source]}:{u.line}: {u.source}: cannot tell what `{u.call}` imports: "
                         "use a literal module name, or list the call in ALLOWED_DYNAMIC with its reason")
    seen_calls = {(u.source, u.call) for u in unresolved}
    for key in sorted(set(allowed_dynamic) - seen_calls):
        found.append(f"ALLOWED_DYNAMIC lists {key}, which no longer occurs: remove the entry")
    for key in sorted(set(known_wrong_way) - used_wrong_way):
        found.append(f"KNOWN_WRONG_WAY lists {key}, which no longer points up: remove the entry")
    for m, items in sorted(private.items()):
        mine = _package_of(m, modules[m])
        for line, source, attr in items:
            theirs = _package_of(source, modules[source])
            if mine != theirs:
                found.append(f"{rel[m]}:{line}: {m} imports the private name {attr} from {source}, "
                             f"another package ({theirs}): make it public there, or move it")
    for m in sorted(modules):
        parent = m.rpartition(".")[0]
        if parent in ("", "coursekit") or layer[m] is None or layer.get(parent) is None:
            continue
        if layer[m] != layer[parent] and m not in misplaced:
            found.append(f"{rel[m]}: {m} is on {describe(layer[m], layers)} but its package {parent} on "
                         f"{describe(layer[parent], layers)}: move it, or plan the move in MISPLACED")
    for m in sorted(set(misplaced) - set(modules)):
        found.append(f"MISPLACED lists {m}, which no longer exists: remove the entry")
    for m in sorted(set(misplaced) & set(modules)):
        parent = m.rpartition(".")[0]
        if layer[m] == layer.get(parent):
            found.append(f"MISPLACED lists {m}, which is on its package's layer now: remove the entry")
    graph = {m: set() for m in modules}
    for e in edges:
        graph[e.source].add(e.target)
    for component in cycles(graph):
        found.append("import cycle: " + " -> ".join(component))
    return found


def cycles(graph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# ----------------------------------------------------------------------------- the tests

def test_the_package_keeps_its_floor_plan():
    assert violations() == []


def test_every_layer_is_named_once_and_every_pattern_on_one_layer():
    names = [layer[0] for layer in LAYERS]
    patterns = [p for layer in LAYERS for p in layer[2]]
    assert len(set(names)) == len(names)
    assert len(set(patterns)) == len(patterns)
    assert all(p == "coursekit" or p.startswith("coursekit.") for p in patterns)


def test_the_parse_sees_lazy_relative_package_and_dynamic_edges():
    """Edges the old checks missed are in the graph, each with the right kind."""
    modules, edges, unresolved, _ = import_graph()
    got = {(e.source, e.target): e.how for e in edges}
    assert got[("coursekit.trajectory", "coursekit.plots")] == "lazy import"           # inside Trajectory.plot
    assert got[("coursekit.models.linear", "coursekit.models._common")] == "import"    # from ._common import
    assert got[("coursekit.optim.paths", "coursekit.optim.numba_kernels")] == "dynamic import"  # (".x", __package__)
    assert got[("coursekit.grade", "coursekit.grade.grader")] == "dynamic import"      # _EXPORTS[name]
    assert got[("coursekit", "coursekit.runs")] == "dynamic import"                     # the lazy root
    assert got[("coursekit.widgets.tempering", "coursekit.tuning")] == "package of coursekit.tuning.plotting"
    assert not [e for e in edges if e.source == "coursekit.bench.run" and "torch" in e.target]   # outside: no edge
    assert {(u.source, u.call) for u in unresolved} == set(ALLOWED_DYNAMIC)


def _plant(tmp_path, files: dict[str, str]) -> Path:
    """A small package ``coursekit`` in tmp_path: {relative path: source}."""
    for rel, source in files.items():
        path = tmp_path / "coursekit" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return tmp_path / "coursekit"


TOY_LAYERS = (
    ("low", "", ("coursekit", "coursekit.low", "coursekit.pkg", "coursekit.pkg.*"), False),
    ("high", "", ("coursekit.high", "coursekit.pkg.view"), False),
    ("child", "", ("coursekit.child", "coursekit.child.*"), True),
)


def _toy(tmp_path, **extra):
    files = {"__init__.py": "", "low.py": "", "high.py": "from . import low\n", "pkg/__init__.py": "",
             "pkg/a.py": "", "pkg/view.py": "", "child/__init__.py": "", "child/worker.py": "import os\n"}
    files.update({k.replace("__", "/") + ".py": v for k, v in extra.items()})
    return violations(_plant(tmp_path, files), TOY_LAYERS, allowed_dynamic={}, known_wrong_way={},
                      misplaced={"coursekit.pkg.view": "planned"})


def test_a_clean_toy_package_passes(tmp_path):
    assert _toy(tmp_path) == []


@pytest.mark.parametrize("source, line, how", [
    ("import coursekit.high\n", 1, "import"),
    ("from coursekit import high\n", 1, "import"),
    ("from . import high\n", 1, "import"),
    ("from .high import thing\n", 1, "import"),
    ("def f():\n    from . import high\n", 2, "lazy import"),
    ("import importlib\nimportlib.import_module('coursekit.high')\n", 2, "dynamic import"),
    ("import importlib\nimportlib.import_module('.high', __package__)\n", 2, "dynamic import"),
    ("__import__('coursekit.high')\n", 1, "dynamic import"),
    ("import importlib\nNAMES = {'a': 'coursekit.high'}\ndef f(k):\n    return importlib.import_module(NAMES[k])\n",
     4, "dynamic import"),
    ("import importlib\nfor n in ('os', 'coursekit.high'):\n    importlib.import_module(n)\n", 3, "dynamic import"),
    ("import importlib\ndef f(x):\n    return importlib.import_module('coursekit.hi' + x)\n", 3, "dynamic import"),
    ("import importlib\ndef f(x):\n    return importlib.import_module(f'coursekit.hi{x}')\n", 3, "dynamic import"),
])
def test_a_planted_wrong_way_edge_fails_naming_file_line_and_layers(tmp_path, source, line, how):
    found = _toy(tmp_path, low=source)
    assert (f"coursekit/low.py:{line}: coursekit.low on 'low' (layer 0) imports coursekit.high "
            f"on 'high' (layer 1) above it ({how})") in found, found


def test_a_planted_upward_import_of_a_package_member_is_seen_through_its_package(tmp_path):
    found = _toy(tmp_path, low="from coursekit.pkg import view\n")
    assert any("imports coursekit.pkg.view on 'high' (layer 1) above it" in f for f in found), found


def test_the_isolated_child_may_import_nothing_of_the_package(tmp_path):
    """The hole of the old check: a relative import in the child's code."""
    for source in ("from . import sibling\n", "from coursekit import low\n", "import coursekit.low\n",
                   "def f():\n    from ..pkg import a\n"):
        found = _toy(tmp_path, child__worker=source, child__sibling="")
        assert any(f.startswith("coursekit/child/worker.py:") and "isolated layer" in f for f in found), (source, found)


@pytest.mark.parametrize("call", ["importlib.import_module(name)", "importlib.import_module(f'{name}.x')",
                                  "importlib.import_module(f'coursekit.{name}')",
                                  "importlib.import_module('cour' + name)", "__import__(name)",
                                  "importlib.util.spec_from_file_location('m', path)"])
def test_a_dynamic_import_it_cannot_resolve_fails_unless_allowed(tmp_path, call):
    source = f"import importlib, importlib.util\ndef f(name, path):\n    return {call}\n"
    found = _toy(tmp_path, low=source)
    assert any(f.startswith("coursekit/low.py:3: coursekit.low: cannot tell what") for f in found), found
    allowed = violations(tmp_path / "coursekit", TOY_LAYERS, allowed_dynamic={("coursekit.low", call): "why"},
                         known_wrong_way={}, misplaced={"coursekit.pkg.view": "planned"})
    assert allowed == []


def test_literal_imports_of_other_packages_make_no_edge(tmp_path):
    source = ("import importlib\nimportlib.import_module('numpy')\n__import__('os.path')\n"
              "def f(x):\n    return importlib.import_module('scipy.' + x)\n")
    assert _toy(tmp_path, low=source) == []


def test_a_package_init_that_loads_a_higher_layer_fails_unless_lazy(tmp_path):
    """``import coursekit`` runs coursekit/__init__.py first: the old root loaded the run loop."""
    layers = (("low", "", ("coursekit.low",), False), ("high", "", ("coursekit", "coursekit.high"), False))
    files = {"low.py": "", "high.py": "from . import low\n"}
    eager = violations(_plant(tmp_path / "eager", {**files, "__init__.py": "from .high import run\n"}), layers,
                       allowed_dynamic={}, known_wrong_way={}, misplaced={})
    assert eager == ["coursekit/__init__.py:1: coursekit imports coursekit.high on 'high' (layer 1) when it loads, "
                     "so importing coursekit.low on 'low' (layer 0) loads it too: import it lazily (module __getattr__)"]
    lazy = ("_EXPORTS = {'run': 'coursekit.high'}\n"
            "def __getattr__(name):\n    import importlib\n    return getattr(importlib.import_module(_EXPORTS[name]), name)\n")
    assert violations(_plant(tmp_path / "lazy", {**files, "__init__.py": lazy}), layers,
                      allowed_dynamic={}, known_wrong_way={}, misplaced={}) == []


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_math_sits_below_the_pictures_and_the_grader():
    """What tests/test_import_graph.py checked by hand: the math never imports plots, widgets or grade."""
    math = ["coursekit.backend", "coursekit._validate", "coursekit.optim", "coursekit.functions", "coursekit.models",
            "coursekit.schedules", "coursekit.clipping", "coursekit.theory", "coursekit.gradcheck", "coursekit.data"]
    assert max(layer_of(m) for m in math) < min(layer_of(m) for m in ("coursekit.plots", "coursekit.widgets",
                                                                       "coursekit.grade", "coursekit.grade.worker"))


def test_a_private_name_from_another_package_a_cycle_and_a_stray_module_fail(tmp_path):
    found = _toy(tmp_path, high="from .pkg.a import _helper\n", pkg__a="from coursekit.pkg import b\n",
                 pkg__b="from . import a\n", stray="")
    assert any("coursekit/high.py:1: coursekit.high imports the private name _helper from coursekit.pkg.a" in f
               for f in found), found
    assert "import cycle: coursekit.pkg.a -> coursekit.pkg.b" in found
    assert "coursekit/stray.py: coursekit.stray is on no layer: add it to coursekit/_layers.py" in found


def test_stale_allow_list_entries_fail(tmp_path):
    _plant(tmp_path, {"__init__.py": "", "low.py": "", "high.py": "", "pkg/__init__.py": "", "pkg/view.py": ""})
    found = violations(tmp_path / "coursekit", TOY_LAYERS, allowed_dynamic={("coursekit.low", "f(x)"): "gone"},
                       known_wrong_way={("coursekit.low", "coursekit.high"): "gone"},
                       misplaced={"coursekit.pkg.gone": "gone"})
    assert len([f for f in found if "no longer" in f]) == 3, found
    assert any("coursekit.pkg.view is on 'high' (layer 1) but its package coursekit.pkg" in f for f in found)


def test_ref_paths_point_down():
    """Ref('coursekit.x.y') in the checks names what exercises.spec imports dynamically:
    every such literal names an object on the exercises layer or below."""
    modules = find_modules()
    exercises = layer_of("coursekit.exercises")
    seen = 0
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and _call_name(node.func) == "Ref" and node.args
                    and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("coursekit.")):
                target = node.args[0].value
                while target not in modules:
                    target = target.rpartition(".")[0]
                assert layer_of(target) <= exercises, f"{path}:{node.lineno}: Ref to {node.args[0].value}"
                seen += 1
    assert seen >= 10


_RUNTIME = """
import importlib, json, sys
order, skipped = json.loads(sys.argv[1]), []
report = []
for index, names in enumerate(order):
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:        # an optional dependency (numba, cupy, ...) missing here
            if (exc.name or "").startswith("coursekit"):
                raise
            skipped.append(name)
    loaded = sorted(m for m in sys.modules if m.startswith("coursekit"))
    report.append(loaded)
print(json.dumps({"loaded": report, "skipped": skipped}))
"""


def test_importing_the_layers_bottom_up_loads_nothing_from_above():
    """In a fresh interpreter, import every module of layer 0, then layer 1, ...: after each,
    every coursekit module loaded is on that layer or below (the root loads nothing)."""
    modules = find_modules()
    order = [sorted(m for m in modules if layer_of(m) == i and not m.endswith("__main__")
                    and m not in MISPLACED and not LAYERS[i][3]) for i in range(len(LAYERS))]
    out = subprocess.run([sys.executable, "-c", _RUNTIME, json.dumps(order)], capture_output=True, text=True,
                         cwd=ROOT, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for index, loaded in enumerate(result["loaded"]):
        above = [m for m in loaded if m in modules and m != "coursekit" and layer_of(m) > index]
        assert not above, f"importing layers 0..{index} loaded {above}"
    assert set(result["skipped"]) <= {"coursekit.optim.numba_kernels"}


def test_import_coursekit_loads_nothing_else_and_keeps_its_names():
    code = ("import sys, coursekit; before = sorted(m for m in sys.modules if m.startswith('coursekit'));"
            "from coursekit import minimize, Trajectory; import coursekit.runs as r;"
            "assert minimize is r.minimize and Trajectory is r.Trajectory and coursekit.minimize is minimize;"
            "assert {'minimize', 'Trajectory'} <= set(dir(coursekit));"
            "print(before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['coursekit']"
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        import coursekit
        coursekit.nothing_here  # noqa: B018


def test_the_architecture_document_shows_these_layers():
    """docs/architecture.md carries the table generated from coursekit/_layers.py."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers:begin[^>]*-->\n(.*?)<!-- layers:end -->", text, re.S)
    assert block, "docs/architecture.md lacks the <!-- layers:begin --> ... <!-- layers:end --> block"
    assert block.group(1) == layer_table(), "regenerate the block:\n" + layer_table()


def layer_table() -> str:
    """The picture and the table of the layers, top first, as docs/architecture.md shows them."""
    width = max(len(name) for name, *_ in LAYERS)
    lines = ["```text", "      a module imports from its own layer and the layers below it, never above"]
    for index in reversed(range(len(LAYERS))):
        name, what, _, isolated = LAYERS[index]
        lines.append(f"  {index:>2}  {name:<{width}}  {what}" + ("  (isolated: imports nothing of coursekit)"
                                                                if isolated else ""))
        if index:
            lines.append("      v")
    lines += ["```", "", "| layer | modules on it (patterns of coursekit/_layers.py) |", "|---|---|"]
    for index, (name, _, patterns, _) in enumerate(LAYERS):
        lines.append(f"| {index} {name} | " + ", ".join(f"`{p}`" for p in patterns) + " |")
    return "\n".join(lines) + "\n"
