"""The student edition (``python -m coursekit.release``): one command builds it; no solution body is
in it but the worked example a notebook shows; the learner's side of ``make test`` works inside it
(its checks say "not implemented", chapter 1's notebook runs top to bottom on its own coursekit)."""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coursekit.exercises.chapters import CHAPTERS
from coursekit.release import NAME, hidden_bodies, leaked_bodies, solution_bodies, worked_examples

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    done = subprocess.run([sys.executable, "-m", "coursekit.release", "--root", str(ROOT), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return out / NAME, out / f"{NAME}.zip"


def _in_release(folder, *command, timeout=300):
    """Run ``command`` in the release folder on the release's own coursekit (not this checkout's)."""
    env = dict(os.environ, PYTHONPATH=str(folder), MPLBACKEND="Agg", COURSEKIT_STATIC="1")
    return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout, cwd=folder, env=env)


def test_the_release_holds_what_a_learner_needs_and_no_instructor_files(release):
    folder, archive = release
    for rel in ["README.md", "Makefile", "pyproject.toml", "environment.yml", "coursekit/grade/cli.py",
                "course/src/01_gradient_descent.py", "course/data/tuning_comparison.json"]:
        assert (folder / rel).is_file(), rel
    for ch in CHAPTERS.values():
        assert (folder / ch.NOTEBOOK).is_file() and (folder / "exercises" / f"{ch.MODULE}.py").is_file()
    for rel in ["solutions", "tests", "tools", "benchmarks", ".ci"]:
        assert not (folder / rel).exists(), rel
    assert not list(folder.rglob("__pycache__")) and not list(folder.rglob("*.pyc"))
    files = sorted(str(Path(NAME) / p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == files
    makefile = (folder / "Makefile").read_text()
    assert "check:" in makefile and "test:" in makefile and "lab:" in makefile and "solutions" not in makefile


def test_no_solution_body_is_in_the_release(release):
    folder, archive = release
    assert len(hidden_bodies(ROOT)) >= 25          # every exercise but the worked example
    assert leaked_bodies(folder, hidden_bodies(ROOT)) == []


def test_the_leak_detector_finds_a_solution_body_where_there_is_one(release, tmp_path):
    folder, _ = release
    # the worked example is shown on purpose: in its file and in chapter 1's executed notebook, nowhere else
    assert worked_examples(ROOT) == {(1, "numerical_gradient")}
    leaks = leaked_bodies(folder, solution_bodies(ROOT))
    assert {key for _, key in leaks} == {("ch1_gradient_descent.py", "numerical_gradient")}
    assert {path for path, _ in leaks} == {"worked_examples/ch1_gradient_descent.py",
                                           "course/01_gradient_descent.ipynb"}
    # and every body of solutions/ is found in a copy of it, reindented and commented
    copy = tmp_path / "leaky"
    copy.mkdir()
    for path in (ROOT / "solutions").glob("ch*_*.py"):
        text = path.read_text().replace("# BEGIN SOLUTION", "# solved").replace("\n", "\n  # a comment\n")
        (copy / path.name).write_text("\n".join("        " + line for line in text.splitlines()))
    assert {key for _, key in leaked_bodies(copy, hidden_bodies(ROOT))} == set(hidden_bodies(ROOT))


def test_the_checks_run_in_the_release_and_say_not_implemented(release):
    folder, _ = release
    where = _in_release(folder, sys.executable, "-c", "import coursekit; print(coursekit.__file__)")
    assert Path(where.stdout.strip()).resolve().is_relative_to(folder.resolve()), where.stdout + where.stderr
    done = _in_release(folder, sys.executable, "-m", "coursekit.grade", "exercises", "--chapter", "1",
                       "--chapter", "2", "--timeout", "30")
    assert done.returncode == 0, done.stderr[-3000:]
    total = sum(c.points for n in (1, 2) for c in CHAPTERS[n].CHECKS)
    assert f"Total: 0/{total:g} points" in done.stdout, done.stdout[-3000:]
    for n in (1, 2):
        for exercise in {c.exercise for c in CHAPTERS[n].CHECKS}:
            rows = [line for line in done.stdout.splitlines() if line.strip().startswith(exercise + " ")]
            assert rows and all("not implemented" in row for row in rows), (exercise, done.stdout[-3000:])


def test_the_release_makefile_collects_the_notebooks_with_its_nbval_options(release):
    folder, _ = release
    recipe = (folder / "Makefile").read_text().split("\ntest:", 1)[1]
    options = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "nbval_sanitize.cfg"]
    assert all(o in recipe for o in options)
    done = _in_release(folder, sys.executable, "-m", "pytest", "course", *options, "-p", "no:cacheprovider",
                       "--collect-only", "-q")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line} == {
        f"course/{Path(ch.NOTEBOOK).name}" for ch in CHAPTERS.values()}


@pytest.mark.skipif(os.environ.get("COURSEKIT_EXPECT_FLOORS") == "1",
                    reason="notebooks run at the current versions (make test), not in the lowest-versions run")
def test_chapter_1_notebook_runs_in_the_release(release, tmp_path):
    """What the release's ``make test`` runs on every chapter, here on chapter 1 (the one with the worked example)."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    folder, _ = release
    work = tmp_path / NAME
    shutil.copytree(folder, work)
    script = ("import nbformat, nbclient, sys; nb = nbformat.read(sys.argv[1], as_version=4); "
              "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3', "
              "resources={'metadata': {'path': 'course'}}).execute(); nbformat.write(nb, sys.argv[2])")
    done = _in_release(work, sys.executable, "-c", script, "course/01_gradient_descent.ipynb",
                       str(tmp_path / "executed.ipynb"), timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    nb = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]

    def text(cell):
        return "".join(o.get("text", "") + "".join(str(v) for v in o.get("data", {}).values()) for o in cell.outputs)

    checks = [c for c in code if c.source.startswith("check(")]
    assert len(checks) >= 6 and all("not implemented" in text(c) for c in checks)
    shown = [c for c in code if "solution_source" in c.source]
    assert shown and "def numerical_gradient" in text(shown[0]) and "return grad" in text(shown[0])
