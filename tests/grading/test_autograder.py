"""The Gradescope autograder (``python -m coursekit.autograder build``), tried the way Gradescope runs it.

The chapter-1 zip is unpacked into a temporary root laid out like Gradescope's (``source/``,
``submission/``, ``results/``; ``AUTOGRADER_ROOT`` replaces ``/autograder``); ``setup.sh``
installs coursekit from the zip's wheel with the venv's own pip, offline (``pip --no-index``: the
venv sees this checkout's site-packages through a .pth file, so the dependencies are there); then
``run_autograder`` grades a good, a partial and hostile submissions, and each results.json
is checked against Gradescope's documented format
(https://gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format").
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import jsonschema   # nbformat's dependency (extra "dev")
import pytest

from coursekit.exercises.checks import ch1
from hostile_submissions import ATTACKS, MODULE, SUBMISSIONS, points

ROOT = Path(__file__).resolve().parents[2]
CH1_TOTAL = sum(c.points for c in ch1.CHECKS)
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
TEST = {
    "type": "object",
    "properties": {"score": {"type": "number"}, "max_score": {"type": "number"},
                   "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"}, "name_format": FORMAT,
                   "number": {"type": "string"}, "output": {"type": "string"}, "output_format": FORMAT,
                   "tags": {"type": "array", "items": {"type": "string"}}, "visibility": VISIBILITY,
                   "extra_data": {"type": "object"}},
    "additionalProperties": False,
}
RESULTS = {   # the documented keys; score required unless every test has one (ours always sets both)
    "type": "object",
    "required": ["score", "tests"],
    "properties": {"score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
                   "output_format": FORMAT, "test_output_format": FORMAT, "test_name_format": FORMAT,
                   "visibility": VISIBILITY, "stdout_visibility": VISIBILITY, "extra_data": {"type": "object"},
                   "tests": {"type": "array", "items": TEST}, "leaderboard": {"type": "array"}},
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory):
    """A Gradescope-like root with the chapter-1 autograder set up; returns a function grading one submission."""
    out = tmp_path_factory.mktemp("autograder")
    done = subprocess.run([sys.executable, "-m", "coursekit.autograder", "build", "--chapter", "1", "--out", str(out),
                           "--visibility", "after_published"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    archive = out / "autograder-ch1.zip"
    root = Path(tempfile.mkdtemp(prefix="gradescope-"))    # 0755 below: readable by `nobody`, as on Gradescope
    root.chmod(0o755)
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "autograder.json"} <= names and any(n.endswith(".whl") for n in names)
        assert all(zf.getinfo(s).external_attr >> 16 & 0o111 for s in ("setup.sh", "run_autograder"))
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")      # what Gradescope does
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, timeout=300)   # its own pip
    purelib = subprocess.run([str(root / "venv" / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "checkout-site.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PIP_ARGS="--no-index")
    env.pop("PYTHONPATH", None)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True,
                           timeout=600, env=env, cwd=root / "source")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    where = subprocess.run([str(root / "venv" / "bin" / "python"), "-c", "import coursekit; print(coursekit.__file__)"],
                           capture_output=True, text=True, env=env, cwd="/")
    assert Path(where.stdout.strip()).is_relative_to(root / "venv"), where.stdout   # the wheel's, not this checkout's

    def grade(files, layout=None):
        """Put ``files`` ({relative path: text}) in submission/, run run_autograder; returns results.json."""
        shutil.rmtree(root / "submission", ignore_errors=True)
        shutil.rmtree(root / "results", ignore_errors=True)
        (root / "submission").mkdir()
        for rel, text in files.items():
            (root / "submission" / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / "submission" / rel).write_text(text)
        if layout:
            layout(root / "submission")
        done = subprocess.run([str(root / "run_autograder")], capture_output=True, text=True, timeout=600,
                              env=env, cwd=root)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        results = json.loads((root / "results" / "results.json").read_text())
        jsonschema.validate(results, RESULTS)
        assert results["score"] == sum(t["score"] for t in results["tests"])
        assert sum(t["max_score"] for t in results["tests"]) == CH1_TOTAL
        assert results["visibility"] == "after_published" and {t["visibility"] for t in results["tests"]} == {
            "after_published"}
        seed = results["extra_data"]["seed"]
        assert isinstance(seed, int) and f"seed {seed}" in results["output"]
        return results

    yield grade, setup.stdout
    shutil.rmtree(root, ignore_errors=True)


def test_setup_installs_from_the_wheel_and_starts_a_sandboxed_worker(gradescope):
    _, log = gradescope
    assert "the grading worker started" in log
    if sys.platform == "linux":
        assert "seccomp" in log or "landlock" in log or "resource limits" in log


def test_a_good_submission_in_a_nested_folder_gets_every_point(gradescope):
    grade, _ = gradescope
    solution = (ROOT / "solutions" / MODULE).read_text()
    results = grade({f"my-course/exercises/{MODULE}": solution, "my-course/README.md": "hello"})
    assert results["score"] == CH1_TOTAL and all(t["status"] == "passed" for t in results["tests"])
    assert results["extra_data"]["graded"] == "my-course/exercises"


def test_a_partial_submission_gets_its_points_and_the_hint(gradescope):
    grade, _ = gradescope
    spec = SUBMISSIONS["honest_partial"]
    results = grade(spec["files"])
    assert 0 < results["score"] == points(spec) < CH1_TOTAL
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert any(spec["phrase"] in t["output"] for t in failed), failed[:3]
    assert all(t["score"] == 0 for t in failed) and all(t["score"] == t["max_score"] for t in results["tests"]
                                                          if t["status"] == "passed")


@pytest.mark.parametrize("name", ["forged_complex_overflow", "sys_exit_at_import"])
def test_a_hostile_submission_gets_only_what_it_honestly_earns(gradescope, name):
    grade, _ = gradescope
    spec = {**SUBMISSIONS, **ATTACKS}[name]
    results = grade(spec["files"])
    assert results["score"] == points(spec)
    assert spec["phrase"] in results["output"] + "\n".join(t["output"] for t in results["tests"])


def test_a_link_out_of_the_submission_is_not_followed(gradescope):
    grade, _ = gradescope

    def links(folder):
        (folder / "exercises").symlink_to(ROOT / "solutions", target_is_directory=True)
        (folder / MODULE).symlink_to(ROOT / "solutions" / MODULE)

    results = grade({}, layout=links)
    assert results["score"] == 0 and "symbolic link" in results["output"]


def test_the_schema_check_rejects_what_gradescope_does_not_document():
    good = {"score": 1.0, "tests": [{"name": "a", "score": 1, "max_score": 1, "status": "passed", "output": ""}]}
    jsonschema.validate(good, RESULTS)
    for bad in [{**good, "seed": 3}, {**good, "visibility": "students"}, {"tests": good["tests"]},
                {**good, "tests": [{**good["tests"][0], "status": "ok"}]}]:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, RESULTS)


def test_finish_moves_undocumented_keys_to_extra_data_and_adds_the_seed():
    from coursekit.autograder import finish

    config = {"chapters": [1], "visibility": "hidden"}
    raw = {"score": 2, "output": "table", "seed": 7, "tests": [{"name": "t", "score": 2, "max_score": 3,
                                                               "status": "failed", "output": "hint", "check": "x"}]}
    results = finish(raw, config, seed=7, graded=".", seconds=1.5)
    jsonschema.validate(results, RESULTS)
    assert results["extra_data"]["seed"] == 7 and results["tests"][0]["extra_data"] == {"check": "x"}
    assert results["visibility"] == results["tests"][0]["visibility"] == "hidden" and results["score"] == 2.0


def test_collect_gathers_an_export_into_one_folder_of_modules_each(tmp_path):
    from coursekit.autograder import collect

    export = tmp_path / "assignment_1_export"
    solution = (ROOT / "solutions" / MODULE).read_text()
    (export / "submission_11" / "repo" / "exercises").mkdir(parents=True)
    (export / "submission_11" / "repo" / "exercises" / MODULE).write_text(solution)
    (export / "submission_12").mkdir()
    (export / "submission_12" / MODULE).write_text("x = 1\n")
    (export / "submission_13").mkdir()
    (export / "submission_13" / MODULE).symlink_to(ROOT / "solutions" / MODULE)
    with zipfile.ZipFile(export / "late.zip", "w") as zf:
        zf.writestr(f"deep/er/{MODULE}", solution)
    (export / "submission_metadata.yml").write_text("submission_11: {}\n")
    notes = collect(export, tmp_path / "out")
    assert sorted(notes) == ["late", "submission_11", "submission_12", "submission_13"]
    assert (tmp_path / "out" / "submission_11" / MODULE).read_text() == solution
    assert (tmp_path / "out" / "late" / MODULE).read_text() == solution
    assert (tmp_path / "out" / "submission_12" / MODULE).read_text() == "x = 1\n"
    assert not (tmp_path / "out" / "submission_13" / MODULE).exists() and "symbolic link" in notes["submission_13"]
    assert notes["submission_11"] == notes["late"] == ""
