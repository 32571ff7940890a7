"""Time budgets measure the submission, not the machine (coursekit.grade.budget, docs/grading.md)."""
import os
import signal
import sys
import threading
import time

import pytest

from coursekit.grade import budget
from coursekit.grade.budget import Budget
from coursekit.grade.parent import Child, ChildError, Limits

LINUX = sys.platform == "linux"
WORK = "import time\ndef nap(s):\n    time.sleep(s)\n    return s\ndef work(n):\n    return sum(range(n))\n"


@pytest.mark.skipif(not LINUX, reason="the child's CPU time is read from /proc")
def test_a_call_starved_of_the_cpu_is_not_failed(tmp_path):
    """The child is frozen (SIGSTOP) for 3 s in the middle of a 0.5 s-budget call: what a busy machine
    does to it, only more so. It uses no CPU meanwhile, so the call still passes."""
    (tmp_path / "m.py").write_text(WORK)
    with Child(tmp_path / "m.py", "m", Limits(timeout=0.5)) as child:
        child.start()

        def freeze():
            os.kill(child.proc.pid, signal.SIGSTOP)
            time.sleep(3.0)
            os.kill(child.proc.pid, signal.SIGCONT)

        thread = threading.Thread(target=freeze)
        start = time.perf_counter()
        thread.start()
        try:
            reply = child.call("work", (2_000_000,))
        finally:
            thread.join()
        assert reply["ok"] and reply["value"] == sum(range(2_000_000))
        assert time.perf_counter() - start >= 3.0      # six times the budget, on the wall clock


def test_a_child_that_sleeps_spends_its_budget_and_is_told_so(tmp_path):
    """Sleeping by choice counts like computing (a busy machine never puts a computing child to
    sleep, only makes it wait for a core): a 60 s nap ends at the 0.5 s budget, and says why."""
    (tmp_path / "m.py").write_text(WORK)
    with Child(tmp_path / "m.py", "m", Limits(timeout=0.5)) as child:
        child.start()
        assert child.call("nap", (0.01,))["value"] == 0.01
        assert child.last_charge < 0.5
        start = time.perf_counter()
        with pytest.raises(ChildError, match=r"no answer while running nap: asleep for") as info:
            child.call("nap", (60,))
        assert info.value.kind == "timeout" and 0.5 <= time.perf_counter() - start < 30
        assert child.last_charge >= 0.5
        assert not child.alive


@pytest.mark.skipif(not LINUX, reason="the child's state is read from /proc")
def test_a_child_blocked_on_a_slow_reader_is_not_asleep(tmp_path, monkeypatch):
    """A 4 MB answer fills the pipe again and again; the grader, slowed as a busy machine slows it,
    takes 20 ms per read. Meanwhile the child is blocked on its write (state S, no CPU): waiting for
    the grader, not asleep by choice, so the 0.5 s call passes (test-load found this case)."""
    (tmp_path / "m.py").write_text("import numpy as np\ndef big():\n    return np.ones(1 << 19)\n")
    with Child(tmp_path / "m.py", "m", Limits(timeout=0.5)) as child:
        child.start()
        read = os.read

        def slow_read(fd, n):
            if fd == child._reply_r:
                time.sleep(0.02)
            return read(fd, n)

        monkeypatch.setattr(os, "read", slow_read)
        start = time.perf_counter()
        reply = child.call("big")
        assert reply["ok"] and reply["value"].shape == (1 << 19,) and reply["value"].sum() == 1 << 19
        assert time.perf_counter() - start > 1.0       # twice the budget on the wall clock
        assert child.last_charge < 0.5


def test_a_child_that_waits_is_stopped_when_it_stops_making_progress(tmp_path, monkeypatch):
    """Where sleep cannot be seen (no /proc state), the idle rule still stops a waiting child."""
    monkeypatch.setattr(budget, "IDLE_FACTOR", 1.0)
    monkeypatch.setattr(budget, "IDLE_MARGIN", 1.0)
    monkeypatch.setattr(budget, "_cpu_and_state", lambda pid: (budget._read_stat(pid)[0], None))
    (tmp_path / "m.py").write_text(WORK)
    with Child(tmp_path / "m.py", "m", Limits(timeout=0.5)) as child:
        child.start()
        assert child.call("nap", (0.01,))["value"] == 0.01
        start = time.perf_counter()
        with pytest.raises(ChildError, match=r"no answer while running nap, and nothing computed for 1.5 s") as info:
            child.call("nap", (60,))
        assert info.value.kind == "timeout" and 1.5 <= time.perf_counter() - start < 30
        assert not child.alive


def test_a_call_that_computes_meets_the_wall_clock_ceiling(tmp_path, monkeypatch):
    """A spinning child makes progress, so only the ceiling (here 2 s, the CPU budget being 100 s) ends it."""
    monkeypatch.setattr(budget, "WALL_FACTOR", 0.0)
    monkeypatch.setattr(budget, "WALL_MARGIN", 2.0)
    (tmp_path / "m.py").write_text("def spin():\n    while True:\n        pass\n")
    with Child(tmp_path / "m.py", "m", Limits(timeout=100)) as child:
        child.start()
        with pytest.raises(ChildError, match=r"no answer within 2 s while running spin \(the wall-clock ceiling"):
            child.call("spin")
        assert not child.alive


def test_the_default_ceilings_leave_room_for_a_busy_machine():
    b = Budget(os.getpid(), 2.0)
    assert b.idle_s == 3 * 2.0 + 20 and b.wall_s == 10 * 2.0 + 60
    assert Budget(None, 60.0, wall_s=60.0).wall_s == 60.0


@pytest.mark.skipif(not LINUX, reason="/proc")
def test_cpu_time_is_counted_not_sleep():
    """This process's own budget: sleeping spends none of it, spinning does."""
    b = Budget(os.getpid(), 0.2)
    time.sleep(0.3)
    assert not b.spent() and b.cpu_used() < 0.1
    end = time.thread_time() + 0.3
    while time.thread_time() < end:
        pass
    assert b.spent() and b.cpu_used() >= 0.2


def test_without_proc_the_wall_clock_is_the_budget(monkeypatch):
    monkeypatch.setattr(budget, "_cpu_seconds", lambda pid: None)
    b = Budget(12345, 0.2)
    assert not b.spent()
    time.sleep(0.25)
    assert b.spent() and b.cpu_used() >= 0.2


def test_bad_pid_reads_as_unknown():
    assert budget._cpu_seconds(2 ** 22 + 12345) is None
