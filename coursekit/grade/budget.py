"""The time budget of one exchange with a grading child: CPU seconds, not the machine's load.

The rule (docs/grading.md, "Time budgets"): what decides "too slow" is the CPU time spent on
a call, the child's and the grader's own on its behalf, which a busy machine does not
inflate; the wall clock only bounds a child that waits instead of computing, with a
ceiling (``WALL_FACTOR`` x the CPU budget + ``WALL_MARGIN``) that a correct call meets
even on a machine oversubscribed several times over.
"""
import os
import time

WALL_FACTOR, WALL_MARGIN = 3.0, 20.0   # wall-clock ceiling of a call: 3 x its CPU budget + 20 s


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
    for the load. ``wall_s`` (default ``WALL_FACTOR * cpu_s + WALL_MARGIN``) is a ceiling on
    the wall-clock time, for a child that waits instead of computing (a sleep, a blocked
    read); where the child's CPU time cannot be read (no /proc), the wall clock is all
    there is, and ``cpu_s`` applies to it. ``pid`` None: a wall-clock budget of ``wall_s``.
    """

    def __init__(self, pid, cpu_s, wall_s=None):
        self.cpu_s = cpu_s
        self.wall_s = WALL_FACTOR * cpu_s + WALL_MARGIN if wall_s is None else wall_s
        self.started = time.monotonic()
        self.wall_deadline = self.started + self.wall_s
        self.pid, self.child0, self.own0 = pid, (_cpu_seconds(pid) if pid is not None else None), time.thread_time()

    def cpu_used(self):
        """CPU seconds spent on this exchange so far (wall seconds where the child's are not known)."""
        child = _cpu_seconds(self.pid) if self.child0 is not None else None
        if child is None:
            return time.monotonic() - self.started
        return child - self.child0 + time.thread_time() - self.own0

    def past_wall(self):
        return time.monotonic() >= self.wall_deadline

    def spent(self):
        return self.past_wall() or (self.pid is not None and self.cpu_used() >= self.cpu_s)

    def next_look(self):
        """Seconds to wait before looking again: the CPU left cannot be used up sooner (on every core)."""
        wall_left = self.wall_deadline - time.monotonic()
        if self.pid is None:
            return max(wall_left, 0.0)
        cpu_left = (self.cpu_s - self.cpu_used()) / (os.cpu_count() or 1)
        return max(min(wall_left, cpu_left), 0.01)
