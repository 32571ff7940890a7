"""Hostile submissions earn exactly what their honest parts deserve, and the batch finishes.

One batch (every submission of hostile_submissions.py, the attacks of issue 11 among
them, honest copies of the solution between them, and the reference solutions;
``--jobs 2``, ``-v``) is graded once for the module; each test reads its CSV and
results.json.
"""
import contextlib
import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from coursekit.exercises.checks import ch1
from coursekit.grade.parent import Child, Limits
from coursekit.grade.cli import main
from hostile_submissions import ALL, ATTACKS, points

ROOT = Path(__file__).resolve().parents[2]
CH1_TOTAL = sum(c.points for c in ch1.CHECKS)


def _fork_is_contained(tmp):
    """Process creation is blocked (seccomp) or the child is not root (RLIMIT_NPROC = 0 applies)."""
    (tmp / "m.py").write_text("import os\ndef uid():\n    return os.getuid()\n")
    with Child(tmp / "m.py", "m", Limits(timeout=10)) as child:
        child.start()
        return any(layer.startswith("seccomp:") for layer in child.sandbox) or child.call("uid")["value"] != 0


def _seccomp_is_active(tmp):
    (tmp / "m.py").write_text("def f():\n    return 1\n")
    with Child(tmp / "m.py", "m", Limits(timeout=10)) as child:
        child.start()
        return any(layer.startswith("seccomp:") for layer in child.sandbox)


def _write(root, name, spec):
    """Lay out one submission under ``root``; returns its path on the command line."""
    path = root / spec.get("path", name)
    if "zip" in spec:
        path.parent.mkdir(parents=True, exist_ok=True)
        path = path.with_name(path.name + ".zip")
        spec["zip"](path, spec["files"])
        return path
    path.mkdir(parents=True)
    for filename, source in spec["files"].items():
        (path / filename).write_text(source)
    for filename, target in spec.get("links", {}).items():
        (path / filename).symlink_to(target)
    for filename in spec.get("fifo", []):
        os.mkfifo(path / filename)
    return path


def _ipc_objects():
    return {kind: len(Path(f"/proc/sysvipc/{kind}").read_text().splitlines()) if Path("/proc/sysvipc").is_dir()
            else 0 for kind in ("shm", "sem", "msg")}


def _children():
    """This process's live child processes (pids): other tests may leave some of their own (the
    resource tracker that multiprocessing starts once per process and keeps), so the batch is
    judged on what it adds."""
    mine, found = str(os.getpid()), set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == mine and fields[0] != "Z":
            found.add(status.parent.name)
    return found


def _grader_temp_folders(folder):
    return {p for p in Path(folder).glob("coursekit-*")}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    contained = _fork_is_contained(tmp_path_factory.mktemp("probe"))
    seccomp = _seccomp_is_active(tmp_path_factory.mktemp("probe"))
    names = [n for n, spec in ALL.items()
             if (contained or n != "fork_bomb") and (seccomp or spec.get("needs") != "seccomp")]
    paths = [str(_write(root, name, ALL[name])) for name in names]
    grades = root / "out" / "grades.csv"
    # A private temporary folder: other tests (xdist workers) create grader folders of their own meanwhile.
    temp = tmp_path_factory.mktemp("tmp")
    ipc_before, temp_before, children_before = _ipc_objects(), _grader_temp_folders(temp), _children()
    modes_before = [stat.S_IMODE(temp.stat().st_mode)]
    start = time.perf_counter()
    stdout = io.StringIO()
    saved, tempfile.tempdir = (tempfile.tempdir, os.environ.get("TMPDIR")), str(temp)
    os.environ["TMPDIR"] = str(temp)
    try:
        with contextlib.redirect_stdout(stdout):
            code = main(paths + [str(ROOT / "solutions"), "--jobs", "2", "--timeout", "2", "--memory", "1024",
                                 "--csv", str(grades), "--seed", "0", "--chapter", "1", "-v"])
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = saved[1]
    seconds = time.perf_counter() - start
    with open(grades, newline="", encoding="utf-8") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    by_name = {ALL[n].get("csv_name", n): n for n in names}
    by_name["solutions"] = "solutions"
    return dict(root=root, code=code, seconds=seconds, rows=rows, contained=contained, seccomp=seccomp,
                by_name=by_name, stdout=stdout.getvalue(), grades=grades, ipc=(ipc_before, _ipc_objects()),
                temp=(temp_before, _grader_temp_folders(temp)), children=(children_before, _children()),
                modes=(modes_before, [stat.S_IMODE(temp.stat().st_mode)]),
                results={name: json.loads(Path(row["results_json"]).read_text(encoding="utf-8"))
                         for name, row in rows.items()})


def test_the_batch_finishes_with_the_right_csv(batch):
    # wall-clock bounds calibrated on this machine, now: the honest solution's time in the same batch
    assert batch["code"] == 0 and batch["seconds"] < max(240, 30 * _honest_seconds(batch))
    expected = {csv_name: points(ALL[name]) if name != "solutions" else CH1_TOTAL
                for csv_name, name in batch["by_name"].items()}
    assert {name: float(row["score"]) for name, row in batch["rows"].items()} == expected
    assert all(float(row["max_score"]) == CH1_TOTAL and row["ch1"] == row["score"] for row in batch["rows"].values())


@pytest.mark.parametrize("name", sorted(ALL))
def test_each_submission_earns_what_it_honestly_deserves(batch, name):
    csv_name = ALL[name].get("csv_name", name)
    if csv_name not in batch["rows"]:
        pytest.skip("this attack cannot be contained here (no seccomp): it would hit the test run itself")
    results, spec = batch["results"][csv_name], ALL[name]
    assert results["score"] == points(spec) == sum(t["score"] for t in results["tests"])
    text = results["output"] + "\n".join(t["output"] for t in results["tests"])
    phrase = spec["phrase"]
    assert phrase.search(text) if hasattr(phrase, "search") else phrase in text, text[-3000:]
    assert "absent" not in spec or spec["absent"] not in text, text[-3000:]


def test_every_attack_class_of_issue_11_is_in_the_batch(batch):
    assert sorted({spec["attack"] for spec in ATTACKS.values()}) == list(range(1, 12))
    honest = [spec.get("csv_name", n) for n, spec in ALL.items() if spec["earns"] == "all"] + ["solutions"]
    assert len(honest) >= 3 and all(float(batch["rows"][n]["score"]) == CH1_TOTAL for n in honest)


def test_every_reply_is_bounded_in_time(batch):
    """Attack 8: forged replies of 30 MB of nested lists, 60 MB frames, deep nesting cost seconds, not minutes
    (at most a few times what the honest solution takes in the same batch: about 8 s on a busy 2-core machine)."""
    for name, spec in ATTACKS.items():
        if spec["attack"] == 8:
            assert float(batch["rows"][name]["seconds"]) < max(30, 5 * _honest_seconds(batch)), name


def _honest_seconds(batch):
    return float(batch["rows"]["solutions"]["seconds"])


def test_text_reaches_terminal_csv_and_json_sanitized(batch):
    """Attack 9: no escape sequence, control character or lone surrogate in any output."""
    texts = [batch["stdout"], batch["grades"].read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in batch["grades"].with_name("grades_results").glob("*.json")]
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "\\u001b" not in text and "\\ud800" not in text and "\\u202e" not in text
        text.encode("utf-8")   # no lone surrogate
    assert "CLEARED" in batch["stdout"] and "RED" in batch["stdout"]   # -v shows the output, cleaned


def test_nothing_is_left_outside_the_children(batch):
    """Attack 10: no SysV IPC object and no temporary folder outlives the batch."""
    if batch["seccomp"]:
        assert batch["ipc"][1] == batch["ipc"][0]
    before, after = batch["temp"]
    assert after <= before


def test_the_graders_temporary_folder_keeps_its_mode(batch):
    """Issue 19: a worker that chmods its parent folder (the grader's TMPDIR) or sets its times is refused:
    the honest copies beside it keep full marks (test_every_attack_class...) and the folder is unchanged."""
    assert batch["modes"][1][0] == batch["modes"][0][0]


def test_names_are_unique(batch):
    """Attack 11: a/hw, b/hw, c/hw-2: three rows, three results.json."""
    rows = batch["rows"]
    assert {"hw", "hw-2", "hw-2-2"} <= set(rows)
    files = [row["results_json"] for row in rows.values()]
    assert len(set(files)) == len(files) == len(rows)


def test_nothing_was_written_by_the_submissions(batch):
    assert not list(batch["root"].rglob("results.json"))
    forged = Path("/tmp/results.json")
    assert not forged.exists() or '"score": 4, "tests": [{"name": "all"' not in forged.read_text()


def test_no_child_process_is_left(batch):
    before, after = batch["children"]
    assert not after - before, f"left behind: {sorted(after - before)}"


def test_the_children_count_sees_a_child():
    """The count above can fail: a child started here is seen, and is gone once reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert str(proc.pid) in _children()
    finally:
        proc.kill()
        proc.wait()
    assert str(proc.pid) not in _children()


def test_pytest_route_never_reports_a_score_forged_by_a_conftest(batch, tmp_path):
    """A learner layout (tests/ + exercises/) whose exercises/ holds the hostile conftest.py and pytest.ini."""
    (tmp_path / "tests" / "exercises").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "tests" / "conftest.py")
    shutil.copy(ROOT / "tests" / "exercises" / "test_checks.py", tmp_path / "tests" / "exercises" / "test_checks.py")
    shutil.copytree(batch["root"] / "conftest_and_pytest_ini", tmp_path / "exercises")

    marker = tmp_path / "conftest_ran"

    def pytest_run(*target):
        return subprocess.run([sys.executable, "-m", "pytest", "tests/exercises", "-k", "ch1", "-q",
                               "-p", "no:cacheprovider", *target], cwd=tmp_path, capture_output=True, text=True, timeout=600,
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


RESTORE_SIGINT = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                  "sys.argv[0] = 'coursekit.grade'; runpy.run_module('coursekit.grade', run_name='__main__')")


def test_temporary_folders_are_private_and_removed_when_the_grader_is_stopped(tmp_path):
    """Attack 10: the child's folder is private (0700 and its files 0600; as root: the grader's, readable by
    the worker's group only, 0750 and 0640, so the worker owns nothing) and SIGTERM or Ctrl-C removes it."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ch1_gradient_descent.py").write_text(
        "def numerical_gradient(f, x, eps=1e-6):\n    while True:\n        pass\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    for stop in (signal.SIGTERM, signal.SIGINT):
        # Ctrl-C as a terminal sends it: SIGINT handled even when this run inherited it ignored (a
        # background job of a non-interactive shell does, and its children too)
        grader = subprocess.Popen([sys.executable, "-c", RESTORE_SIGINT, str(tmp_path / "sub"), "--timeout", "60"],
                                  env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300   # ceilings for a hang, not a speed test
        while not list(temp.glob("coursekit-*/ch1_gradient_descent.py")) and time.monotonic() < deadline:
            time.sleep(0.05)
        (folder,) = temp.glob("coursekit-*")
        module = folder / "ch1_gradient_descent.py"
        if folder.stat().st_gid != os.getegid():     # a worker of its own: its group reads, nothing is its own
            assert stat.S_IMODE(folder.stat().st_mode) == 0o750 and stat.S_IMODE(module.stat().st_mode) == 0o640
            assert folder.stat().st_uid == module.stat().st_uid == os.geteuid()
        else:
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(module.stat().st_mode) == 0o600
        time.sleep(0.5)                       # the child is now in its loop
        grader.send_signal(stop)
        out, err = grader.communicate(timeout=300)
        assert grader.returncode == 130 and "interrupted" in err, err
        assert not list(temp.iterdir())
