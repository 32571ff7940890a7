"""exercises/ is generated from solutions/ (coursekit.exercises.sync), and kept in step."""
import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coursekit.exercises import CHAPTERS
from coursekit.exercises.__main__ import main as exercises_main
from coursekit.exercises.sync import MANIFEST, SyncError, make_stub, sync

ROOT = Path(__file__).resolve().parents[1]

SOLUTION = textwrap.dedent('''\
    """A demo chapter."""
    import numpy as np


    def double(x):
        """Twice x."""
        # BEGIN SOLUTION
        y = 2 * x
        return y
        # END SOLUTION


    class Model:
        def predict(self, x):
            """Kept."""
            if x is None:
                # BEGIN SOLUTION
                return 0
                # END SOLUTION
            return 1
    ''')


def test_repository_exercises_are_up_to_date():
    strict = ["--strict"] if os.environ.get("CI") else []      # a learner's own edits are fine locally
    done = subprocess.run([sys.executable, "-m", "coursekit.exercises", "sync", "--check", *strict], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"exercises/ is stale; run `python -m coursekit.exercises sync`\n{done.stdout}"


def test_stub_replaces_each_region_at_its_indentation():
    stub = make_stub(SOLUTION, "ch9_demo.py")
    assert "y = 2 * x" not in stub and "return 0" not in stub
    assert '    """Twice x."""\n    raise NotImplementedError("double: your code here")\n' in stub
    assert '            raise NotImplementedError("predict: your code here")\n        return 1\n' in stub
    assert stub.startswith("# Your exercises, generated from solutions/ch9_demo.py")
    namespace = {}
    exec(compile(stub, "ch9_demo.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="double"):
        namespace["double"](3)
    assert namespace["Model"]().predict(1) == 1
    assert namespace["double"].__doc__ == "Twice x."


@pytest.mark.parametrize("source, where", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "ch9_bad.py:2: # BEGIN SOLUTION is never closed"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "ch9_bad.py:3: # END SOLUTION without"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    # END SOLUTION\n", "ch9_bad.py:3: nested"),
    ("def f():\n# BEGIN SOLUTION\n    return 1\n# END SOLUTION\n", "does not compile"),
])
def test_bad_markers_raise_with_the_line(source, where):
    with pytest.raises(SyncError, match=where):
        make_stub(source, "ch9_bad.py")


@pytest.fixture
def course(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ch9_demo.py").write_text(SOLUTION)
    return tmp_path


def _cli(course, *extra):
    return exercises_main(["sync", "--solutions", str(course / "solutions"), "--exercises",
                           str(course / "exercises"), *extra])


def test_sync_writes_stubs_and_is_idempotent(course, capsys):
    assert _cli(course) == 0
    target = course / "exercises" / "ch9_demo.py"
    assert target.read_text() == make_stub(SOLUTION, "ch9_demo.py")
    assert json.loads((course / "exercises" / MANIFEST).read_text())["ch9_demo.py"]
    report = sync(course / "solutions", course / "exercises")
    assert report.ok and not report.written and report.unchanged == [target]
    assert _cli(course, "--check") == 0
    assert "up to date" in capsys.readouterr().out


def test_check_lists_stale_files_and_changes_nothing(course, capsys):
    _cli(course)
    target = course / "exercises" / "ch9_demo.py"
    before = target.read_text()
    (course / "solutions" / "ch9_demo.py").write_text(SOLUTION.replace("Twice x.", "Two times x."))
    assert _cli(course, "--check") == 1
    assert "stale: " in capsys.readouterr().out
    assert target.read_text() == before
    assert _cli(course) == 0 and "Two times x." in target.read_text()  # untouched stubs are simply updated


def test_learner_edits_are_never_lost(course, capsys):
    _cli(course)
    target = course / "exercises" / "ch9_demo.py"
    mine = target.read_text().replace('raise NotImplementedError("double: your code here")', "return x + x")
    target.write_text(mine)
    (course / "solutions" / "ch9_demo.py").write_text(SOLUTION + "\n\ndef new():\n    return 1\n")
    assert _cli(course) == 1  # refused: the file is the learner's
    assert target.read_text() == mine
    assert "has your edits" in capsys.readouterr().out
    assert _cli(course, "--force") == 0
    backups = list((course / "exercises").glob("ch9_demo.py.*.bak"))
    assert len(backups) == 1 and backups[0].read_text() == mine
    assert "def new()" in target.read_text()
    assert "kept as" in capsys.readouterr().out


def test_check_accepts_a_learners_work_on_a_current_stub_unless_strict(course, capsys):
    _cli(course)
    target = course / "exercises" / "ch9_demo.py"
    target.write_text(target.read_text().replace('raise NotImplementedError("double: your code here")', "return x + x"))
    assert _cli(course, "--check") == 0 and "has your edits" in capsys.readouterr().out
    assert _cli(course, "--check", "--strict") == 1 and "not allowed with --strict" in capsys.readouterr().out
    (course / "solutions" / "ch9_demo.py").write_text(SOLUTION.replace("Twice x.", "Two times x."))
    assert _cli(course, "--check") == 1 and "stale: " in capsys.readouterr().out   # its stub moved on


def test_an_unknown_existing_file_is_kept_without_manifest(course):
    (course / "exercises").mkdir()
    (course / "exercises" / "ch9_demo.py").write_text("# my own work\n")
    report = sync(course / "solutions", course / "exercises")
    assert report.kept and (course / "exercises" / "ch9_demo.py").read_text() == "# my own work\n"


def test_missing_solutions_folder_is_a_clear_error(tmp_path, capsys):
    assert exercises_main(["sync", "--solutions", str(tmp_path / "nope")]) == 2
    assert "solutions folder not found" in capsys.readouterr().err


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_every_exercise_has_a_solution_and_a_stub(number):
    chapter = CHAPTERS[number]
    ids = [c.id for c in chapter.CHECKS]
    assert len(ids) == len(set(ids)), "check ids must be unique within a chapter"
    for folder in ("solutions", "exercises"):
        tree = ast.parse((ROOT / folder / f"{chapter.MODULE}.py").read_text())
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for exercise in {c.exercise for c in chapter.CHECKS}:
            assert exercise in functions, f"{folder}/{chapter.MODULE}.py lacks {exercise}"
            raises = [n for n in ast.walk(functions[exercise]) if isinstance(n, ast.Raise)
                      and "NotImplementedError" in ast.unparse(n)]
            assert bool(raises) == (folder == "exercises"), f"{folder}: {exercise}"
