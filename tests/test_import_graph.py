"""No import cycles in coursekit: the layers import downwards only.

The graph is built from the source with ``ast`` (every ``import`` statement, those inside
functions included, since a lazy import back up is still a cycle in the design), one node
per module; an edge ``a -> b`` when module ``a`` imports module ``b`` (or a name from it).
"""
import ast
from pathlib import Path


PACKAGE = Path(__file__).resolve().parents[1] / "coursekit"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                names = [f"{base}.{a.name}" for a in node.names]
                submodules = [n for n in names if n in modules]
                # 'from pkg import sub' imports the module pkg.sub (pkg is already loading)
                targets = submodules + ([base] if len(submodules) < len(names) else [])
            for target in targets:
                while target and target not in modules:      # 'a.b.name' -> module 'a.b'
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


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


def test_the_graph_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert "coursekit.backend" in graph["coursekit.optim.base"]
    assert "coursekit.trajectory" in graph["coursekit.runs"]
    assert "coursekit.plots" in graph["coursekit.trajectory"]          # inside Trajectory.plot
    assert "coursekit.models._common" in graph["coursekit.models.linear"]


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_at_all():
    assert cycles(import_graph()) == []


def test_the_math_never_imports_plotting_or_the_grader():
    graph = import_graph()
    def layer(module):
        return (module.split(".") + [""])[1]
    math = ("backend", "_validate", "optim", "functions", "models", "schedules", "clipping",
            "theory", "gradcheck", "data")
    for m in [m for m in graph if layer(m) in math]:
        assert not {d for d in graph[m] if layer(d) in ("plots", "widgets", "grade")}, m
