"""The old module paths of issue 18's moves: each still works for one release, warns, and
nothing of the repository uses it any more (so the next release can delete them).

coursekit/_layers.py lists them (ALIASES: old path -> new path). Where an old module became a
package (coursekit.theory, coursekit.runs, coursekit.experiments) the package keeps its names,
without a warning.
"""
from __future__ import annotations

import importlib
import re
import sys
import warnings
from pathlib import Path

import pytest

from coursekit._layers import ALIASES
from import_graph import find_modules, module_edges

ROOT = Path(__file__).resolve().parents[1]

#: Names callers used that the target's __all__ lacks: the alias carries them too.
EXTRA = {"coursekit.convex.compare": ["fitted_exponent"]}


def _import_fresh(name):
    """Import ``name`` anew (its module-level warning fires on each first import), recording warnings."""
    saved = sys.modules.pop(name, None)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(name)
    finally:
        if saved is not None:
            sys.modules[name] = saved
    return module, caught


@pytest.mark.parametrize("old, new", sorted(ALIASES.items()))
def test_an_old_path_warns_naming_the_new_one_and_gives_the_same_objects(old, new):
    module, caught = _import_fresh(old)
    target = importlib.import_module(new)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning) and old in str(w.message)]
    assert len(deprecations) == 1, [str(w.message) for w in caught]
    assert new in str(deprecations[0].message)
    names = list(target.__all__) + EXTRA.get(old, [])
    assert names
    for name in names:
        assert getattr(module, name) is getattr(target, name), f"{old}.{name}"
    assert module.__all__ == target.__all__


@pytest.mark.parametrize("package, module", [("coursekit.theory", "coursekit.theory.rates"),
                                             ("coursekit.experiments", "coursekit.experiments.ch1")])
def test_an_old_module_that_became_a_package_keeps_its_names_without_a_warning(package, module):
    pkg, caught = _import_fresh(package)
    inner = importlib.import_module(module)
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning) and "coursekit" in str(w.message)]
    assert len(inner.__all__) >= 5 and pkg.__all__ == inner.__all__
    for name in inner.__all__:
        assert getattr(pkg, name) is getattr(inner, name), f"{package}.{name}"


def test_the_run_loop_keeps_its_names():
    import coursekit
    from coursekit.runs import loop, trajectory
    import coursekit.runs as runs
    assert runs.minimize is loop.minimize is coursekit.minimize
    assert runs.Trajectory is trajectory.Trajectory is coursekit.Trajectory


# ----------------------------------------------------------------------------- nobody uses them

#: Where the repository's own code lives (this file, which imports each alias on purpose, aside).
SCANNED = ("coursekit", "tests", "course/src", "tools", "benchmarks")


def alias_imports(path: Path, modules: dict) -> list[str]:
    """'file:line: alias' for each import of an alias module in the Python file ``path``
    (jupytext sources: their %magic and !shell lines read as ``pass``)."""
    source = re.sub(r"^(\s*)[%!].*$", r"\1pass", path.read_text(encoding="utf-8"), flags=re.M)
    try:
        name = next(m for m, p in modules.items() if p == path)
    except StopIteration:
        name = "outside"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # a notebook's LaTeX in a plain string: invalid escapes
        edges, _, _ = module_edges(name, path, modules, source=source)
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    return [f"{rel}:{e.line}: {e.target}" for e in edges if e.target in ALIASES and not e.how.startswith("package")]


def test_nothing_in_the_repository_imports_an_alias():
    modules = find_modules(ROOT / "coursekit")
    found, seen = [], 0
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            module = next((m for m, p in modules.items() if p == path), None)
            if path == Path(__file__).resolve() or module in ALIASES or "__pycache__" in path.parts:
                continue
            found += alias_imports(path, modules)
            seen += 1
    assert seen > 100
    assert found == [], "import the new path (coursekit/_layers.py ALIASES) instead:\n" + "\n".join(found)


@pytest.mark.parametrize("line", ["from coursekit import race\n", "import coursekit.sweeps as s\n",
                                  "from coursekit.tuning import plotting\n",
                                  "from coursekit.convex.compare import crossover\n",
                                  "%matplotlib inline\ndef f():\n    from coursekit.noise import noise_floor\n"])
def test_a_planted_import_of_an_alias_is_found(tmp_path, line):
    path = tmp_path / "cell.py"
    path.write_text("import numpy as np\n" + line, encoding="utf-8")
    found = alias_imports(path, find_modules(ROOT / "coursekit"))
    assert len(found) == 1 and found[0].startswith(f"cell.py:{1 + line.count(chr(10))}: coursekit."), found
