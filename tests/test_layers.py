"""One floor plan, enforced: every module of coursekit on its layer, every import pointing down.

The layers are listed once, bottom first, in coursekit/_layers.py (docs/architecture.md
draws them). tests/import_graph.py reads every module's edges with ``ast``: imports at
module level and inside functions (a lazy import counts like any other: no layer-up
allowance), relative imports, the ``__init__`` of each package a target lies in, and
dynamic imports whose argument it can resolve. Rules:

- no edge to a higher layer, and none at all from an isolated layer (the grading child);
- a dynamic import it cannot resolve is listed in ALLOWED_DYNAMIC, with its reason;
- a package ``__init__`` loads nothing, when imported, above the lowest of its modules
  (every ``import coursekit.x`` runs coursekit/__init__.py first);
- no private name (``_x``) imported from another package;
- a module sits on its package's layer unless MISPLACED plans its move; an isolated layer
  may nest in a package of the layer right above it (the grading child in grade/);
- no import cycle; no allow-list entry that no longer matches.

A second check imports the layers bottom up in a fresh interpreter and looks at
``sys.modules``: whatever the parse missed would show there. Synthetic packages planted in
tmp_path show every rule failing, with file, line and both layers in the message.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coursekit._layers import ALIASES, LAYERS
from import_graph import call_name, cycles, find_modules, import_graph, package_of

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "coursekit"


#: Dynamic imports the parse cannot resolve: (module, the call as ast.unparse writes it) -> why it is fine.
ALLOWED_DYNAMIC = {
    ("coursekit.exercises.spec", "importlib.import_module(module_name)"):
        "Ref.resolve: a check names its reference object as Ref('coursekit.x.y'); "
        "test_ref_paths_point_down holds every such literal below the exercises layer",
    ("coursekit.exercises.notebook", "importlib.util.spec_from_file_location(f'yours_{ch.MODULE}', path)"):
        "loads the learner's own chapter file (exercises/chN_*.py), not a coursekit module",
    ("coursekit.grade.child.main", "importlib.util.spec_from_file_location('_coursekit_grade_' + name, path)"):
        "the child loads sandbox.py and ../wire.py by path (same isolated layer), not through the package",
    ("coursekit.grade.child.main", "importlib.import_module(name)"):
        "the child imports the chapter's allow-list (NumPy, ...) sent by the parent, before confinement",
    ("coursekit.grade.child.main", "importlib.import_module(hello['module'])"):
        "the child imports the submitted chapter module",
    ("coursekit.optim.numba_kernels", "importlib.util.spec_from_file_location(name, path)"):
        "loads the numba loop it wrote from an optimizer's element into the cache folder (so numba "
        "caches it on disk); that file imports only the element's own module, on the optim layer",
}

#: Wrong-way edges that only a move can fix: (importer, imported) -> the planned move. None today.
KNOWN_WRONG_WAY: dict[tuple[str, str], str] = {}

#: Modules on another layer than their package: module -> the planned move (docs/architecture.md).
MISPLACED = {
}

#: The only modules at the top level of the package (coursekit/x.py), each with its reason. Every
#: other module lives in the folder of its layer (docs/architecture.md), and so does each new one,
#: unless it is listed here; the aliases of coursekit/_layers.py (old paths, one release) aside.
TOP_LEVEL = {
    "coursekit": "the package root: the lazy front door (minimize, Trajectory)",
    "coursekit.backend": "the array backend (NumPy or CuPy), under every layer",
    "coursekit._validate": "argument checks, under every layer",
    "coursekit._layers": "this floor plan, data only",
    "coursekit.data": "the synthetic data sets: one module, beside functions/ and models/ on the problems layer",
    "coursekit.release": "instructors' tool: builds the release",
    "coursekit.autograder": "instructors' tool: the Gradescope autograder",
}


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


# ----------------------------------------------------------------------------- the rules

def violations(root: Path = PACKAGE, layers=LAYERS, allowed_dynamic=None, known_wrong_way=None,
               misplaced=None, top_level=None) -> list[str]:
    """Every breach of the floor plan in the package folder ``root``, one message each
    (the top-level rule with ``top_level``, by default on the real layers only)."""
    top_level = TOP_LEVEL if top_level is None and layers is LAYERS else top_level
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
        members = [m for m in modules if m.startswith(e.source + ".") and m not in misplaced and m not in ALIASES
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
        mine = package_of(m, modules[m])
        for line, source, attr in items:
            theirs = package_of(source, modules[source])
            if mine != theirs:
                found.append(f"{rel[m]}:{line}: {m} imports the private name {attr} from {source}, "
                             f"another package ({theirs}): make it public there, or move it")
    for m in sorted(modules):
        parent = m.rpartition(".")[0]
        if parent in ("", "coursekit") or layer[m] is None or layer.get(parent) is None:
            continue
        nested = layers[layer[m]][3] and layer[m] == layer[parent] - 1     # grade/child/, grade/wire.py
        if layer[m] != layer[parent] and m not in misplaced and not nested and m not in ALIASES:   # an alias: its target's layer
            found.append(f"{rel[m]}: {m} is on {describe(layer[m], layers)} but its package {parent} on "
                         f"{describe(layer[parent], layers)}: move it, or plan the move in MISPLACED")
    if top_level is not None:
        at_top = {m for m, p in modules.items() if p.parent == root and m not in ALIASES}
        for m in sorted(at_top - set(top_level)):
            found.append(f"{rel[m]}: {m} sits at the top level of the package: move it into the folder of its "
                         "layer, or give the reason it cannot in TOP_LEVEL")
        for m in sorted(set(top_level) - set(modules)):
            found.append(f"TOP_LEVEL lists {m}, which no longer exists: remove the entry")
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
    """Edges the old checks missed are in the graph, each with its kind."""
    modules, edges, unresolved, _ = import_graph(PACKAGE)
    got = {(e.source, e.target, e.how, e.lazy) for e in edges}
    assert ("coursekit.runs.trajectory", "coursekit.plots", "lazy import", True) in got       # in Trajectory.plot
    assert ("coursekit.models.linear", "coursekit.models._common", "import", False) in got   # from ._common
    assert ("coursekit.optim.paths", "coursekit.optim.numba_kernels", "dynamic import", True) in got  # __package__
    assert ("coursekit.grade", "coursekit.grade.grader", "dynamic import", True) in got  # _EXPORTS[name]
    assert ("coursekit", "coursekit.runs", "dynamic import", True) in got                # the lazy root
    assert ("coursekit.widgets.tempering", "coursekit.plots", "package of coursekit.plots.tuning", False) in got
    assert not [e for e in edges if e.source == "coursekit.bench.run" and "torch" in e.target]   # outside: no edge
    assert {(u.source, u.call) for u in unresolved} == set(ALLOWED_DYNAMIC)


@pytest.mark.parametrize("file, planted, expected", [
    ("optim/base.py", "from coursekit import plots\n",
     "coursekit.optim.base on 'optim' (layer 1) imports coursekit.plots on 'plots' (layer 4) above it (import)"),
    ("runs/trajectory.py", "def _f():\n    from ..convex import newton\n",
     "coursekit.runs.trajectory on 'runs' (layer 5) imports coursekit.convex.newton on 'algorithms' (layer 6) "
     "above it (lazy import)"),
    ("plots/curves.py", "import importlib\nimportlib.import_module('..runs', __package__)\n",
     "coursekit.plots.curves on 'plots' (layer 4) imports coursekit.runs on 'runs' (layer 5) above it "
     "(dynamic import)"),
    ("grade/child/main.py", "from .. import parent\n",   # the hole the old child-isolation test had
     "coursekit.grade.child.main on the isolated layer 'grading child' (layer 10) imports coursekit.grade.parent"),
    ("grade/child/main.py", "from . import sandbox\n",   # run as a script, the child has no package: by path only
     "coursekit.grade.child.main on the isolated layer 'grading child' (layer 10) imports coursekit.grade.child"),
    ("grade/wire.py", "def _f():\n    from coursekit.grade import text\n",
     "coursekit.grade.wire on the isolated layer 'grading child' (layer 10) imports coursekit.grade"),
])
def test_an_edge_planted_in_a_copy_of_the_package_fails(tmp_path, file, planted, expected):
    copy = tmp_path / "coursekit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / file
    lines = len(target.read_text(encoding="utf-8").splitlines())
    target.write_text(target.read_text(encoding="utf-8") + planted, encoding="utf-8")
    found = violations(copy)
    line = lines + len(planted.splitlines())                 # the planted edge is on its last line
    assert any(f.startswith(f"coursekit/{file}:{line}: {expected}") for f in found), found


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
            "coursekit.optim.schedules", "coursekit.optim.clipping", "coursekit.theory", "coursekit.theory.gradcheck",
            "coursekit.data"]
    assert max(layer_of(m) for m in math) < min(layer_of(m) for m in ("coursekit.plots", "coursekit.widgets",
                                                                       "coursekit.grade", "coursekit.grade.child.main",
                                                                       "coursekit.grade.wire"))


def test_a_private_name_from_another_package_a_cycle_and_a_stray_module_fail(tmp_path):
    found = _toy(tmp_path, high="from .pkg.a import _helper\n", pkg__a="from coursekit.pkg import b\n",
                 pkg__b="from . import a\n", stray="")
    assert any("coursekit/high.py:1: coursekit.high imports the private name _helper from coursekit.pkg.a" in f
               for f in found), found
    assert "import cycle: coursekit.pkg.a -> coursekit.pkg.b" in found
    assert "coursekit/stray.py: coursekit.stray is on no layer: add it to coursekit/_layers.py" in found


def test_a_module_at_the_top_level_fails_unless_listed(tmp_path):
    layers = (("low", "", ("coursekit", "coursekit.base", "coursekit.stray", "coursekit.pkg", "coursekit.pkg.*"),
               False),)
    root = _plant(tmp_path, {"__init__.py": "", "base.py": "", "stray.py": "", "pkg/__init__.py": "",
                             "pkg/a.py": ""})
    found = violations(root, layers, allowed_dynamic={}, known_wrong_way={}, misplaced={},
                       top_level={"coursekit": "root", "coursekit.base": "why", "coursekit.gone": "why"})
    assert found == ["coursekit/stray.py: coursekit.stray sits at the top level of the package: move it into the "
                     "folder of its layer, or give the reason it cannot in TOP_LEVEL",
                     "TOP_LEVEL lists coursekit.gone, which no longer exists: remove the entry"]
    assert violations(root, layers, allowed_dynamic={}, known_wrong_way={}, misplaced={},
                      top_level={"coursekit": "", "coursekit.base": "", "coursekit.stray": ""}) == []


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
    modules = find_modules(PACKAGE)
    exercises = layer_of("coursekit.exercises")
    seen = 0
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and call_name(node.func) == "Ref" and node.args
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
    modules = find_modules(PACKAGE)
    order = [sorted(m for m in modules if layer_of(m) == i and not m.endswith("__main__")
                    and m not in MISPLACED and m not in ALIASES and not LAYERS[i][3]) for i in range(len(LAYERS))]
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


def test_an_isolated_layer_nests_only_in_a_package_of_the_layer_right_above(tmp_path):
    """grade/child/ and grade/wire.py sit in grade/; an isolated module anywhere else still fails."""
    layers = (("low", "", ("coursekit", "coursekit.low", "coursekit.low.*"), False),
              ("child", "", ("coursekit.low.child", "coursekit.top.child"), True),
              ("top", "", ("coursekit.top", "coursekit.top.*"), False))
    files = {"__init__.py": "", "low/__init__.py": "", "low/child.py": "", "top/__init__.py": "", "top/child.py": ""}
    found = violations(_plant(tmp_path, files), layers, allowed_dynamic={}, known_wrong_way={}, misplaced={})
    assert found == ["coursekit/low/child.py: coursekit.low.child is on 'child' (layer 1) but its package "
                     "coursekit.low on 'low' (layer 0): move it, or plan the move in MISPLACED"]
