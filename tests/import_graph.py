"""coursekit's import graph, read from the source with ``ast`` (for tests/test_layers.py).

Edges: ``import a.b`` and ``from a.b import c`` (``c`` a submodule or a name), at module level
or inside a function (``Edge.lazy``); relative imports resolved against the package; the
``__init__`` of every package a target lies in (not the importer's own, nor the root); and
dynamic imports (``importlib.import_module``, ``__import__``, ``spec_from_file_location``,
``runpy``) whose argument resolves: string literals, ``"coursekit.convex." + x`` and f-strings
by their literal prefix (every module under it; not a bare ``"coursekit."``), names bound to
literals (module constants, loop variables over literal tuples, dict values), and
``(".x", __package__)``. A dynamic import whose argument does not resolve is returned as
:class:`Unresolved`.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Edge", "Unresolved", "find_modules", "module_edges", "import_graph", "package_of", "cycles"]

DYNAMIC_CALLS = {"import_module", "__import__", "spec_from_file_location", "run_module", "run_path"}


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


def find_modules(root: Path) -> dict[str, Path]:
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


def package_of(name, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _absolute(package: str, level: int, module: str | None) -> str | None:
    parts = package.split(".")
    if level > len(parts):
        return None
    base = parts[:len(parts) - level + 1]
    return ".".join(base + ([module] if module else []))


def _dynamic_targets(call, name, package, modules, scopes, chain):
    """Modules a dynamic import call can load (a set; empty for outside modules), or None."""
    kind = call_name(call.func)
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


def call_name(func):
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
    package = package_of(name, path)
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
        elif isinstance(node, ast.Call) and call_name(node.func) in DYNAMIC_CALLS:
            targets = _dynamic_targets(node, name, package, modules, scopes, chains[node])
            if targets is None:
                unresolved.append(Unresolved(name, node.lineno, ast.unparse(node)))
            for target in sorted(targets or ()):
                add(target, node.lineno, "dynamic import", lazy)
    return list(dict.fromkeys(edges)), unresolved, private


def import_graph(root: Path):
    """(modules, edges, unresolved, private imports) of the package folder ``root``."""
    modules = find_modules(root)
    edges, unresolved, private = [], [], {}
    for name, path in modules.items():
        e, u, p = module_edges(name, path, modules)
        edges += e
        unresolved += u
        private[name] = p
    return modules, edges, unresolved, private


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
