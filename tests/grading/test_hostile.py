"""Hostile submissions earn exactly what their honest parts deserve, and the batch finishes.

One batch (every submission of hostile_submissions.py plus the reference solutions,
``--jobs 2``) is graded once for the module; each test reads its CSV and results.json.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursekit.exercises import ch1
from coursekit.grade.child import Child, Limits
from coursekit.grade.cli import main
from hostile_submissions import SUBMISSIONS, points

ROOT = Path(__file__).resolve().parents[2]
CH1_TOTAL = sum(c.points for c in ch1.CHECKS)


def _fork_is_contained(tmp):
    """Process creation is blocked (seccomp) or the child is not root (RLIMIT_NPROC = 0 applies)."""
    (tmp / "m.py").write_text("import os\ndef uid():\n    return os.getuid()\n")
    with Child(tmp / "m.py", "m", Limits(timeout=10)) as child:
        child.start()
        return any(layer.startswith("seccomp:") for layer in child.sandbox) or child.call("uid")["value"] != 0


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    contained = _fork_is_contained(tmp_path_factory.mktemp("probe"))
    names = [n for n in SUBMISSIONS if contained or n != "fork_bomb"]
    for name in names:
        (root / name).mkdir()
        for filename, source in SUBMISSIONS[name]["files"].items():
            (root / name / filename).write_text(source)
    grades = root / "out" / "grades.csv"
    start = time.perf_counter()
    code = main([str(root / n) for n in names] + [str(ROOT / "solutions"), "--jobs", "2", "--timeout", "2",
                                                  "--memory", "1024", "--csv", str(grades), "--seed", "0",
                                                  "--chapter", "1"])
    seconds = time.perf_counter() - start
    with open(grades, newline="") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    return dict(root=root, code=code, seconds=seconds, rows=rows, contained=contained,
                results={name: json.loads(Path(row["results_json"]).read_text()) for name, row in rows.items()})


def test_the_batch_finishes_with_the_right_csv(batch):
    assert batch["code"] == 0 and batch["seconds"] < 60
    expected = {name: points(spec) for name, spec in SUBMISSIONS.items() if name in batch["rows"]}
    expected["solutions"] = CH1_TOTAL
    assert {name: float(row["score"]) for name, row in batch["rows"].items()} == expected
    assert all(float(row["max_score"]) == CH1_TOTAL and row["ch1"] == row["score"] for row in batch["rows"].values())


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_each_submission_earns_what_it_honestly_deserves(batch, name):
    if name not in batch["rows"]:
        pytest.skip("process creation cannot be contained here (root without seccomp)")
    results, spec = batch["results"][name], SUBMISSIONS[name]
    assert results["score"] == points(spec) == sum(t["score"] for t in results["tests"])
    text = results["output"] + "\n".join(t["output"] for t in results["tests"])
    assert spec["phrase"] in text


def test_nothing_was_written_by_the_submissions(batch):
    assert not list(batch["root"].rglob("results.json"))
    forged = Path("/tmp/results.json")
    assert not forged.exists() or '"score": 4, "tests": [{"name": "all"' not in forged.read_text()


def test_no_child_process_is_left(batch):
    mine = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        assert fields[1] != mine or fields[0] == "Z", f"left behind: {stat.parent}"


def test_pytest_route_never_reports_a_score_forged_by_a_conftest(batch, tmp_path):
    """A learner layout (tests/ + exercises/) whose exercises/ holds the hostile conftest.py and pytest.ini."""
    (tmp_path / "tests" / "exercises").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "tests" / "conftest.py")
    shutil.copy(ROOT / "tests" / "exercises" / "test_ch1.py", tmp_path / "tests" / "exercises" / "test_ch1.py")
    shutil.copytree(batch["root"] / "conftest_and_pytest_ini", tmp_path / "exercises")

    marker = tmp_path / "conftest_ran"

    def pytest_run(*target):
        return subprocess.run([sys.executable, "-m", "pytest", "tests/exercises", "-q", "-p", "no:cacheprovider",
                               *target], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HOSTILE_MARKER": str(marker)})

    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")  # registers --target early
    for target in (["--target=exercises"], ["--target", "exercises"]):  # the submission's files are never loaded
        done = pytest_run(*target)
        assert done.returncode == 1 and f"{len(ch1.CHECKS)} failed" in done.stdout, done.stdout[-2000:]
        assert "still all zeros" in done.stdout
        assert not marker.exists()
    (tmp_path / "pyproject.toml").unlink()   # without the project's config pytest refuses the option
    done = pytest_run("--target", "exercises")
    assert done.returncode == 4 and "unrecognized arguments: --target" in done.stderr
    assert " passed" not in done.stdout
