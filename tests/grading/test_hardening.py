"""Issue 19: the attacks of the third red-team round, each held (the batch of test_hostile.py runs
their in-sandbox parts beside honest copies; these tests the rest).

A worker is a user of its own that owns nothing; seccomp refuses metadata changes, leases,
notifications; workers die with the grader, SIGKILL included; callbacks are bounded by the
call's inputs; a submission's calls share a time budget; a worker that does not boot is
started again; frames, CSV cells and zips are read at bounded cost; the grader refuses to
run submissions as itself unless told to. No test here asserts a tight wall-clock time.
"""
import csv
import io
import os
import pwd
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from coursekit.exercises.checks import ch1
from coursekit.exercises.spec import Ref
from coursekit.grade import identity
from coursekit.grade import grader as grader_module
from coursekit.grade.callbacks import Bound
from coursekit.grade.parent import Child, Limits, SandboxError
from coursekit.grade.cli import main
from coursekit.grade.grader import BOOT_TRIES, ChapterSession, grade_submission
from coursekit.grade.report import _cell, csv_row
from coursekit.grade.submission import read_submission
from coursekit.grade.wire import WireError, parse_payload

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = (ROOT / "solutions" / "ch1_gradient_descent.py").read_text()
CH1_TOTAL = sum(c.points for c in ch1.CHECKS)
LINUX = sys.platform == "linux"
AS_ROOT = LINUX and os.geteuid() == 0 and not identity._can_switch_user()

PROBE = '''
import fcntl, os, pwd
import numpy as np

def identity():
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        name = None
    return {"ids": [os.getresuid(), os.getresgid()], "groups": os.getgroups(), "name": name,
            "pgid": os.getpgid(0), "ppid": os.getppid()}

def _on_fd(path, request, arg, ioctl=False):
    fd = os.open(path, os.O_RDONLY)
    try:
        (fcntl.ioctl if ioctl else fcntl.fcntl)(fd, request, arg)
    finally:
        os.close(fd)

def attempt(action):
    here = os.getcwd()
    st = os.stat(here)
    try:
        {"chmod folder": lambda: os.chmod(here, st.st_mode & 0o7777),
         "chmod parent": lambda: os.chmod(os.path.dirname(here), 0o700),
         "chown module": lambda: os.chown("probe.py", st.st_uid, st.st_gid),
         "utime module": lambda: os.utime("probe.py"),
         "setxattr": lambda: os.setxattr("probe.py", "user.probe", b"1"),
         "lease on numpy": lambda: _on_fd(np.__file__, fcntl.F_SETLEASE, fcntl.F_RDLCK),
         "notify": lambda: _on_fd(here, fcntl.F_NOTIFY, fcntl.DN_MODIFY),
         "setown": lambda: _on_fd("probe.py", fcntl.F_SETOWN, os.getpid()),
         "setsig": lambda: _on_fd("probe.py", 10, 0),
         "inode flags": lambda: _on_fd("probe.py", 0x40086602, bytes(8), ioctl=True),
         "setuid": lambda: os.setuid(0),
         }[action]()
    except OSError as exc:
        return "denied: " + os.strerror(exc.errno)
    return "allowed"

def calls(f, x):
    out = []
    for a in (x, x.astype(np.float16), np.ones((600, 600))):
        try:
            out.append(float(np.sum(f(a))))
        except Exception as exc:
            out.append(type(exc).__name__ + ": " + str(exc))
    return out

def big(f):
    return f(4_000_000)

def nap(seconds):
    import time
    time.sleep(seconds)
    return 0.0
'''


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe")
    (folder / "probe.py").write_text(PROBE)
    with Child(folder / "probe.py", "probe", Limits(timeout=30)) as child:
        assert child.start()["ok"]
        yield child


def value(child, function, *args):
    reply = child.call(function, args)
    assert reply["ok"], reply
    return reply["value"]


# ------------------------------------------------------------------ who the worker is --
@pytest.mark.skipif(not AS_ROOT, reason="a worker gets a user of its own only when the grader is root")
def test_each_worker_is_a_user_of_its_own_that_owns_nothing(probe, tmp_path):
    me = value(probe, "identity")
    (uid, *_), (gid, *_) = me["ids"]
    assert uid != 0 and me["ids"] == [(uid,) * 3, (gid,) * 3] and me["groups"] == [] and me["name"] is None
    with pytest.raises(KeyError):
        pwd.getpwuid(uid)
    folder = Path(probe.workdir)
    assert folder.stat().st_uid == os.geteuid() != uid and (folder / "probe.py").stat().st_uid != uid
    assert any(layer.startswith(f"user {uid}:{gid}") for layer in probe.sandbox)
    (tmp_path / "m.py").write_text("def f():\n    return 1\n")
    with Child(tmp_path / "m.py", "m", Limits(timeout=30)) as other:   # another worker: other ids
        other.start()
        assert other.user[0] != uid


@pytest.mark.skipif(not LINUX, reason="seccomp is Linux-only")
@pytest.mark.parametrize("action", ["chmod folder", "chmod parent", "chown module", "utime module", "setxattr",
                                    "lease on numpy", "notify", "setown", "setsig", "inode flags", "setuid"])
def test_no_file_metadata_lease_or_identity_can_be_changed(probe, action):
    if not any(layer.startswith("seccomp:") for layer in probe.sandbox):
        pytest.skip("seccomp unavailable")
    assert value(probe, "attempt", action).startswith("denied"), action


def test_the_grader_refuses_to_run_submissions_as_itself_unless_told(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(identity, "_can_switch_user", lambda: "the grader runs as uid 1000, not as root")
    monkeypatch.delenv("COURSEKIT_GRADE_ALLOW_SAME_USER", raising=False)
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "ch1_gradient_descent.py").write_text(SOLUTION)
    target = [str(tmp_path / "alice"), "--chapter", "1"]
    assert main(target) == 2
    err = capsys.readouterr().err
    assert "refusing to grade: the grader runs as uid 1000, not as root" in err and "--allow-same-user" in err
    assert main(target + ["--allow-same-user"]) == 0
    assert f"Total: {CH1_TOTAL:g}/{CH1_TOTAL:g}" in capsys.readouterr().out
    with pytest.raises(identity.PrivilegeError):   # the library refuses too
        Child(SOLUTION.encode(), "ch1_gradient_descent", Limits())


@pytest.mark.skipif(not AS_ROOT, reason="needs root to become an ordinary user")
def test_an_ordinary_user_is_refused_with_a_clear_message(tmp_path):
    script = ("import os, sys, argparse, gettext, locale\nfrom coursekit.grade.cli import main\n"   # the stdlib lives
              # under /root here, which the user becomes unable to read: import what the CLI needs first
              "os.setgroups([]); os.setresgid(61999, 61999, 61999); os.setresuid(61999, 61999, 61999)\n"
              f"sys.exit(main([{str(ROOT / 'solutions')!r}, '--chapter', '1']))\n")
    env = {k: v for k, v in os.environ.items() if k != "COURSEKIT_GRADE_ALLOW_SAME_USER"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "refusing to grade: the grader runs as uid 61999, not as root" in done.stderr
    assert "--allow-same-user" in done.stderr and not done.stdout


# ----------------------------------------------------------- workers die with the grader --
def _children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(pid) and fields[0] != "Z":
            found.append((int(stat.parent.name), int(fields[2])))   # (pid, process group)
    return found


@pytest.mark.skipif(not LINUX, reason="the parent-death signal is Linux-only")
def test_workers_die_when_the_grader_is_killed(tmp_path):
    """Each worker leads a process group of its own (the grader kills it on every exit path it sees) and asks
    the kernel for SIGKILL when the grader dies: SIGKILL of the grader, which runs no handler, leaves none."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ch1_gradient_descent.py").write_text(
            "def numerical_gradient(f, x, eps=1e-6):\n    while True:\n        pass\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    grader = subprocess.Popen([sys.executable, "-m", "coursekit.grade", str(tmp_path / "a"), str(tmp_path / "b"),
                               "--jobs", "2", "--timeout", "300", "--chapter", "1"],
                              env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(workers := _children(grader.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, workers
        time.sleep(1.0)            # both have booted
        workers = _children(grader.pid)
        assert all(group == pid != os.getpgid(grader.pid) for pid, group in workers)
        grader.kill()              # SIGKILL: no handler, no atexit
        grader.wait()
        deadline = time.monotonic() + 60
        alive = [pid for pid, _ in workers]
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in alive if Path(f"/proc/{pid}").exists()
                     and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        assert not alive
    finally:
        if grader.poll() is None:
            grader.kill()
            grader.wait()


# ---------------------------------------------------------------------------- callbacks --
def test_callback_arguments_are_bounded_by_the_calls_inputs():
    bound = Bound([[np.zeros(40), np.eye(40), np.zeros(40)], {}])
    bound.check([[np.zeros(40), np.ones((5, 40)), np.zeros(5)], {}])             # a mini-batch: fine
    bound.check([[np.ones((40, 40)), np.eye(40), np.zeros(40)], {}])              # a batch of w as large as X
    bound.check([[np.zeros(1000)], {}])                                           # small: always fine
    with pytest.raises(TypeError, match="float16"):
        bound.check([[np.zeros(40, dtype=np.float16)], {}])
    with pytest.raises(TypeError, match="complex"):
        bound.check([[np.zeros(40, dtype=complex)], {}])
    with pytest.raises(ValueError, match=r"shape \(4096, 40\): larger than"):
        bound.check([[np.ones((4096, 40))], {}])
    with pytest.raises(ValueError, match="entries in all"):
        bound.check([[np.eye(40)] * 20, {}])


def test_a_callback_is_refused_in_the_child_and_the_grader_goes_on(probe):
    f = Ref("coursekit.exercises.checks.ch1.objectives.SumOfCubes")
    reply = probe.call("calls", (f, np.ones(3)))
    assert reply["ok"] and reply["value"][0] == 3.0
    assert "float16" in reply["value"][1] and "larger than the arrays" in reply["value"][2]


def test_a_callback_value_too_large_to_send_is_the_submissions_error(probe):
    reply = probe.call("big", (Ref("numpy.ones"),))
    assert not reply["ok"] and "cannot be sent back" in reply["error"]["message"]
    assert probe.alive and value(probe, "nap", 0) == 0.0


# ------------------------------------------------------------------------- time budget --
SLEEPER = "import time\n" + "".join(f"\ndef {name}(*args, **kwargs):\n    time.sleep({{seconds}})\n    return 0.0\n"
                                   for name in sorted({c.exercise for c in ch1.CHECKS}))


def test_the_submission_budget_stops_a_long_check_and_skips_the_rest(tmp_path):
    source = SLEEPER.format(seconds=600).encode()
    with ChapterSession(source, ch1, Limits(timeout=300, submission_s=2)) as session:
        results = [session.run(c) for c in ch1.CHECKS[:4]]
    assert results[0].status == "timeout" and "stopped after " in results[0].hint
    assert "used all of its time budget (2 s" in results[0].hint
    assert all(r.status == "not run" and "time budget" in r.hint for r in results[1:]) and session.budget.left <= 0


def test_checks_near_the_timeout_stop_at_the_budget(tmp_path):
    (tmp_path / "ch1_gradient_descent.py").write_text(SLEEPER.format(seconds=0.3))
    result = grade_submission(tmp_path, chapters=[1], limits=Limits(timeout=5, submission_s=3))
    skipped = [c for c in result.chapters[0].checks if "time budget" in c.hint]
    assert result.score == 0 and skipped and all(c.status in ("not run", "timeout") for c in skipped)
    assert Limits(timeout=7).budget_s == 70          # the default: 10 per-call timeouts


# ----------------------------------------------------------------------- boot retried --
def test_a_worker_that_does_not_boot_is_started_again(monkeypatch, tmp_path):
    start, tries = Child.start, []

    def flaky(self, *args, **kwargs):
        tries.append(1)
        if len(tries) == 1:
            self.close()
            raise SandboxError("the grading worker did not start: simulated")
        return start(self, *args, **kwargs)

    monkeypatch.setattr(Child, "start", flaky)
    (tmp_path / "ch1_gradient_descent.py").write_text(SOLUTION)
    result = grade_submission(tmp_path, chapters=[1])
    assert result.score == CH1_TOTAL and len(tries) >= 2


def test_a_worker_that_never_boots_marks_that_submission_only(monkeypatch, tmp_path, capsys):
    tries = []

    def broken(self, *args, **kwargs):
        tries.append(1)
        self.close()
        raise SandboxError("the grading worker did not start: simulated")

    monkeypatch.setattr(Child, "start", broken)
    (tmp_path / "ch1_gradient_descent.py").write_text(SOLUTION)
    grades = tmp_path / "grades.csv"
    assert main([str(tmp_path), "--chapter", "1", "--csv", str(grades)]) == 0
    assert len(tries) == BOOT_TRIES and "not graded: the grading worker did not start" in grades.read_text()


# ------------------------------------------------------------- the grader's own memory --
MEMORY_HUNGRY = SOLUTION + '''

def minibatch_gradient(grad, w, X, y, batch_size, rng):
    big = np.ones((24000, 20))          # within the wire limits; the residual would be 24000 x 24000 (4.6 GB)
    return grad(big, big, np.ones(24000))
'''


@pytest.mark.skipif(not LINUX, reason="address-space limits as set here are Linux-specific")
def test_a_memory_hungry_callback_leaves_the_batch_alive(tmp_path):
    """Run under an address-space limit this test sets (4 GiB): were the callback evaluated, the
    grader would get a MemoryError, never the machine's memory."""
    for name, source in (("hungry", MEMORY_HUNGRY), ("honest", SOLUTION)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ch1_gradient_descent.py").write_text(source)
    grades = tmp_path / "grades.csv"

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    done = subprocess.run([sys.executable, "-m", "coursekit.grade", str(tmp_path / "hungry"), str(tmp_path / "honest"),
                           "--chapter", "1", "--jobs", "2", "--memory", "1024", "--csv", str(grades), "-v"],
                          preexec_fn=limit, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["submission"]: row for row in csv.DictReader(io.StringIO(grades.read_text()))}
    assert float(rows["honest"]["score"]) == CH1_TOTAL
    minibatch = sum(c.points for c in ch1.CHECKS if c.exercise == "minibatch_gradient")
    assert float(rows["hungry"]["score"]) == CH1_TOTAL - minibatch
    results = (grades.parent / "grades_results" / "hungry.json").read_text()
    assert "larger than the arrays it is meant for" in results


@pytest.mark.skipif(not LINUX, reason="RLIMIT_DATA and /proc/meminfo are Linux's")
def test_the_graders_heap_is_capped():
    script = ("import resource\nfrom coursekit.grade.cli import limit_own_memory\nlimit_own_memory()\n"
              "soft = resource.getrlimit(resource.RLIMIT_DATA)[0]\nprint(soft, flush=True)\nbytearray(soft + 1)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    total = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))) * 1024
    assert int(done.stdout.split()[0]) <= max(1 << 30, total // 2)
    assert done.returncode != 0 and "MemoryError" in done.stderr


# ------------------------------------------------------------------ bounded parsing --
def test_long_numbers_in_a_frame_are_refused_before_they_are_parsed():
    def frame(payload):
        return b"CKG1" + len(payload).to_bytes(4, "little"), payload

    assert parse_payload(*frame(b'{"v":[1.2345678901234567e-308,-9223372036854775808]}'))["v"][1] == -(1 << 63)
    for payload in (b'{"v":1' + b"0" * 400 + b"}", b'{"v":[' + b"0.1234567890123456789012345678901234567890," * 50_000
                    + b"0]}"):
        with pytest.raises(WireError, match="a number of"):
            parse_payload(*frame(payload))


def test_csv_cells_never_start_a_formula_behind_invisible_characters():
    for text in ("=1+1", " =1+1", "\ufeff=1+1", "\u200b\u00a0-2", "\u2060@SUM(A1)", "\t=1"):
        assert _cell(text).startswith("'") and _cell(text)[1] in "=-@"
    assert _cell("alice") == "alice" and _cell("a\u200bb") == "ab"
    result = grader_module.SubmissionResult("\ufeff=HYPERLINK(1)", "/x", note=" +cmd|' /C calc'!A0")
    row = csv_row(result)
    assert row[0].startswith("'") and row[-2].startswith("'")


def test_zip_extra_fields_are_bounded_before_zipfile_reads_them(tmp_path):
    path = tmp_path / "padded.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(2000):
            info = zipfile.ZipInfo(f"pad/f{i}.txt")
            info.extra = b"\x99\x99\x00\x00" * 31
            z.writestr(info, b"")
        z.writestr("ch1_gradient_descent.py", SOLUTION)
    modules, note = read_submission(path)
    assert modules == {} and "extra fields" in note
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as z:   # what common tools write is read as before
        info = zipfile.ZipInfo("ch1_gradient_descent.py")
        info.extra = b"UT\x05\x00\x03\x00\x00\x00\x00" + b"ux\x0b\x00\x01\x04\x00\x00\x00\x00\x04\x00\x00\x00\x00"
        z.writestr(info, SOLUTION)
    assert read_submission(tmp_path / "plain.zip") == ({1: ("ch1_gradient_descent.py", SOLUTION.encode())}, "")
