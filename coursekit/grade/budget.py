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
LOOK_S = 0.1                           # at most this long between two looks at the child (sleep is sampled)


def _read_stat(pid):
    """(CPU seconds, user + system, all threads, used so far by process ``pid``; its state letter), or
    (None, None) where not known. State "S" or "D": sleeping by choice (a sleep, a blocked read), not
    waiting for a core as a busy machine makes a computing process wait ("R")."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS, fields[0].decode("ascii", "replace")
    except (OSError, IndexError, ValueError):
        return None, None


_cpu_and_state = _read_stat     # what a Budget reads (tests replace it)


def _cpu_seconds(pid):
    return _read_stat(pid)[0]


_TICKS = os.sysconf("SC_CLK_TCK") if "SC_CLK_TCK" in getattr(os, "sysconf_names", {}) else 100


class Budget:
    """The time one exchange may take, measuring the submission rather than the machine.

    ``cpu_s`` bounds the CPU seconds spent on it: the child's (all its threads, from
    /proc) plus this thread's own (reading its replies, evaluating its callbacks), plus the
    wall seconds the child spent asleep by its own choice while this thread waited for it
    (``slept``: a sleep or a blocked read, seen only over intervals in which this thread waited
    on an empty channel; a process that waits for a core on a busy machine is runnable, not
    asleep, and one blocked on a full channel waits for this thread). A busy machine slows a call down but adds neither to it, so a
    correct call is never failed for the load; :meth:`charge` is what the call cost the
    submission. A child that waits instead of computing (a sleep, a blocked read) is
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
        self.child_seen, self.slept, self.last_look = self.child0, 0.0, self.started

    def cpu_used(self, waited=False):
        """CPU seconds spent on this exchange so far (wall seconds where the child's are not known).
        ``waited``: this thread has only waited since the last look, and the channel stayed empty;
        if the child used no CPU and is asleep, that interval is added to ``slept``. Only such an
        interval can be the child's sleep: while this thread reads, parses or answers, a child
        blocked on the channel is waiting for this thread (slow on a busy machine), not by choice."""
        child, state = _cpu_and_state(self.pid) if self.child0 is not None else (None, None)
        now = time.monotonic()
        if child is None:
            return now - self.started
        if child != self.child_seen:
            self.child_seen, self.last_progress = child, now
        elif waited and state in ("S", "D"):
            self.slept += now - self.last_look
        self.last_look = now
        return child - self.child0 + time.thread_time() - self.own0

    def waited(self):
        """This thread waited for the child and nothing came: account the wait (see :meth:`cpu_used`)."""
        self.cpu_used(waited=True)

    def charge(self):
        """What this exchange cost the submission: CPU seconds plus seconds slept by choice."""
        return self.cpu_used() + self.slept

    def progress(self):
        """Something arrived from the child: it is not waiting."""
        self.cpu_used()
        self.last_progress = time.monotonic()

    def resume(self):
        """This thread has answered the child (a callback): the child's wait for it is not its sleep."""
        self.last_progress = self.last_look = time.monotonic()

    def past_wall(self):
        """Past the wall-clock ceiling, or idle for ``idle_s`` (see :meth:`waiting`)."""
        return time.monotonic() >= self.wall_deadline or self.waiting()

    def waiting(self):
        return self.child0 is not None and time.monotonic() - self.last_progress >= self.idle_s

    def spent(self):
        return (self.pid is not None and self.charge() >= self.cpu_s) or self.past_wall()

    def next_look(self):
        """Seconds to wait before looking again: the CPU left cannot be used up sooner (on every core)."""
        now = time.monotonic()
        wall_left = self.wall_deadline - now
        if self.pid is None:
            return max(wall_left, 0.0)
        cpu_left = (self.cpu_s - self.charge()) / (os.cpu_count() or 1)
        idle_left = self.last_progress + self.idle_s - now
        return max(min(wall_left, cpu_left, idle_left, LOOK_S), 0.01)
