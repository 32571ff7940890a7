"""The time budget of one exchange with a grading child: CPU seconds, not the machine's load.

The rule (docs/grading.md, "Time budgets"): what decides "too slow" is the CPU time spent on
a call, the child's and the grader's own on its behalf, which a busy machine does not
inflate. The wall clock only bounds a child that waits instead of computing: it is stopped
after ``IDLE_FACTOR`` x the CPU budget + ``IDLE_MARGIN`` seconds without progress (no CPU
used, nothing received), and in any case after ``WALL_FACTOR`` x + ``WALL_MARGIN``, a
ceiling that a correct call meets even on a machine oversubscribed ten times over.
"""
import os
import time

IDLE_FACTOR, IDLE_MARGIN = 3.0, 20.0   # a call that makes no progress this long is waiting: 3 x + 20 s
WALL_FACTOR, WALL_MARGIN = 10.0, 60.0  # the wall-clock ceiling of any call: 10 x its CPU budget + 60 s


def _cpu_seconds(pid):
    """CPU seconds (user + system, all threads) used so far by process ``pid``; None where not known."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


_TICKS = os.sysconf("SC_CLK_TCK") if "SC_CLK_TCK" in getattr(os, "sysconf_names", {}) else 100


class Budget:
    """The time one exchange may take, measuring the submission rather than the machine.

    ``cpu_s`` bounds the CPU seconds spent on it: the child's (all its threads, from
    /proc) plus this thread's own (reading its replies, evaluating its callbacks). A busy
    machine slows a call down but adds no CPU time to it, so a correct call is never failed
    for the load. A child that waits instead of computing (a sleep, a blocked read) is
    stopped after ``idle_s`` without progress (no CPU time of its own, nothing received:
    :meth:`progress`), and any call after ``wall_s``. Where the child's CPU time cannot be
    read (no /proc), the wall clock is all there is, and ``cpu_s`` applies to it.
    ``pid`` None: a plain wall-clock budget of ``wall_s``.
    """

    def __init__(self, pid, cpu_s, wall_s=None):
        self.cpu_s = cpu_s
        self.wall_s = WALL_FACTOR * cpu_s + WALL_MARGIN if wall_s is None else wall_s
        self.idle_s = min(IDLE_FACTOR * cpu_s + IDLE_MARGIN, self.wall_s)
        self.started = self.last_progress = time.monotonic()
        self.wall_deadline = self.started + self.wall_s
        self.pid, self.child0, self.own0 = pid, (_cpu_seconds(pid) if pid is not None else None), time.thread_time()
        self.child_seen = self.child0

    def cpu_used(self):
        """CPU seconds spent on this exchange so far (wall seconds where the child's are not known)."""
        child = _cpu_seconds(self.pid) if self.child0 is not None else None
        if child is None:
            return time.monotonic() - self.started
        if child != self.child_seen:
            self.child_seen, self.last_progress = child, time.monotonic()
        return child - self.child0 + time.thread_time() - self.own0

    def progress(self):
        """Something arrived from the child: it is not waiting."""
        self.last_progress = time.monotonic()

    def past_wall(self):
        """Past the wall-clock ceiling, or idle for ``idle_s`` (see :meth:`waiting`)."""
        return time.monotonic() >= self.wall_deadline or self.waiting()

    def waiting(self):
        return self.child0 is not None and time.monotonic() - self.last_progress >= self.idle_s

    def spent(self):
        return (self.pid is not None and self.cpu_used() >= self.cpu_s) or self.past_wall()

    def next_look(self):
        """Seconds to wait before looking again: the CPU left cannot be used up sooner (on every core)."""
        now = time.monotonic()
        wall_left = self.wall_deadline - now
        if self.pid is None:
            return max(wall_left, 0.0)
        cpu_left = (self.cpu_s - self.cpu_used()) / (os.cpu_count() or 1)
        idle_left = self.last_progress + self.idle_s - now
        return max(min(wall_left, cpu_left, idle_left, 1.0), 0.01)
