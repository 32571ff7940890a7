"""The exercises' old module paths (before the checks moved to coursekit.exercises.checks) still import,
for one release, with a DeprecationWarning naming the new path, and give the same objects."""
import importlib
import re
import subprocess
import sys

import pytest

from coursekit.exercises.chapters import CHAPTERS


def _import_fresh(name):
    sys.modules.pop(name, None)
    return importlib.import_module(name)


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_old_chapter_module_warns_and_is_the_new_one(number):
    new = f"coursekit.exercises.checks.ch{number}"
    with pytest.warns(DeprecationWarning, match=re.escape(new)):
        old = _import_fresh(f"coursekit.exercises.ch{number}")
    chapter = CHAPTERS[number]
    assert chapter.__name__ == new
    for name in ("NUMBER", "TITLE", "MODULE", "NOTEBOOK", "CHECKS"):
        assert getattr(old, name) is getattr(chapter, name), name
    assert getattr(old, "ALLOWED_IMPORTS", None) is getattr(chapter, "ALLOWED_IMPORTS", None)


def test_old_objectives_module_warns_and_keeps_its_names():
    from coursekit.exercises.checks.ch1 import objectives as ch1_objectives
    from coursekit.exercises.checks.ch4.objectives import flaky_search

    with pytest.warns(DeprecationWarning, match=re.escape("coursekit.exercises.checks.ch1.objectives")):
        old = _import_fresh("coursekit.exercises.objectives")
    for name in ("QuadraticForm", "SumOfCubes", "WeightedSquares"):
        assert getattr(old, name) is getattr(ch1_objectives, name)
    assert old.flaky_search is flaky_search


def test_the_new_paths_import_without_a_warning():
    code = ("import warnings; warnings.simplefilter('error');"
            "import coursekit.exercises.checks.ch1.objectives, coursekit.exercises.checks.ch4.objectives;"
            "from coursekit.exercises import CHAPTERS, yours_or_reference;"
            "assert sorted(CHAPTERS) == [1, 2, 3, 4]")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
