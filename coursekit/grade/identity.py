"""Who a grading worker runs as: a user of its own, or (only when allowed) the grader's own user.

When the grader runs as root (with CAP_SETUID and CAP_SETGID), :func:`worker_user`
chooses for each new worker a uid and gid (the same number) from the first range of
``ID_RANGES`` mapped in this user namespace: one with no passwd or group entry, used
by no process and by no other live worker. The worker starts as root and drops to it
itself (coursekit/grade/child/main.py, child/sandbox.py: drop_privileges). Elsewhere
the grader refuses (:class:`PrivilegeError`, with what to do) unless
``Limits.allow_same_user`` or COURSEKIT_GRADE_ALLOW_SAME_USER=1 says that running
submissions with the grader's own rights is intended (a learner grading their own work;
the test suite). Only the standard library is used.
"""
import functools
import os
import random
import sys
import threading
import time
from pathlib import Path

ID_RANGES = ((0x70000000, 1 << 20), (60000, 1024))   # uids/gids for workers: the first one mapped is used
_TAKEN, _LOCK = set(), threading.Lock()              # uids of live workers
SCAN_S = 30.0                                        # how long a scan of the processes' ids is reused


class PrivilegeError(RuntimeError):
    """The grader cannot give its workers a user of their own, and running them as itself was not allowed."""


def _mapped(path):
    try:
        with open(path) as f:
            return [tuple(int(v) for v in line.split()) for line in f if line.strip()]
    except OSError:
        return [(0, 0, 1 << 32)] if sys.platform == "linux" else []


@functools.lru_cache(maxsize=1)
def _id_range():
    """(first id, count) of the ids for workers: the first range of ID_RANGES that is mapped (uid and gid)."""
    maps = [_mapped("/proc/self/uid_map"), _mapped("/proc/self/gid_map")]
    for first, count in ID_RANGES:
        if all(any(inner <= first and first + count <= inner + n for inner, _, n in m) for m in maps):
            return first, count
    return None


def _can_switch_user():
    """Why the grader cannot give each worker a user of its own ("" if it can)."""
    if not hasattr(os, "setresuid"):
        return "this system has no setresuid"
    if os.geteuid() != 0:
        return f"the grader runs as uid {os.geteuid()}, not as root"
    try:
        with open("/proc/self/status") as f:
            caps = int(next(line.split()[1] for line in f if line.startswith("CapEff:")), 16)
    except (OSError, StopIteration, ValueError):
        caps = (1 << 8) - 1 if sys.platform != "linux" else 0
    if caps & (1 << 6 | 1 << 7) != 1 << 6 | 1 << 7:
        return "the grader runs as root without CAP_SETUID and CAP_SETGID"
    if _id_range() is None:
        return f"none of the ids {ID_RANGES} is mapped in this user namespace"
    return ""


def require_user(limits):
    """Raise PrivilegeError where workers cannot get a user of their own and ``limits`` does not allow
    running them as the grader (checked once before a batch, so that it stops at once)."""
    why = _can_switch_user()
    if why and not _same_user_allowed(limits):
        raise PrivilegeError(_refusal(why))


def _same_user_allowed(limits):
    """``limits.allow_same_user``, or COURSEKIT_GRADE_ALLOW_SAME_USER=1 in the grader's environment (the
    test suite sets it: it grades this project's own solutions and exercises, and runs as any user)."""
    return limits.allow_same_user or os.environ.get("COURSEKIT_GRADE_ALLOW_SAME_USER") == "1"


def _refusal(why):
    return (f"refusing to grade: {why}, so submitted code would run with the grader's own rights (it could change"
            " or delete the grader's files and the other submissions' results). Run the grader as root (for instance"
            " in the grading container): each worker then becomes a user of its own that owns nothing. To grade code"
            " you trust (your own work) as yourself, pass --allow-same-user.")


def _ids_in_use(_seen=[0.0, set()]):   # noqa: B006 -- the cache: (when, ids)
    """uids and gids of every process this grader can see (scanned at most every SCAN_S seconds: the ids
    are drawn at random from a range of 2^20, and a live worker's id stays taken in _TAKEN)."""
    if time.monotonic() - _seen[0] < SCAN_S:
        return _seen[1]
    used = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            with open(status) as f:
                for line in f:
                    if line.startswith(("Uid:", "Gid:")):
                        used.update(int(v) for v in line.split()[1:])
        except (OSError, ValueError):
            continue
    _seen[:] = [time.monotonic(), used]
    return used


def worker_user(limits):
    """(uid, gid) for a new worker: ids with no passwd or group entry, no process, no other live worker;
    None where the worker runs as the grader (``limits.allow_same_user``); raises PrivilegeError otherwise."""
    why = _can_switch_user()
    if why:
        if _same_user_allowed(limits):
            return None
        raise PrivilegeError(_refusal(why))
    import grp
    import pwd

    first, count = _id_range()
    used = _ids_in_use()
    with _LOCK:
        for _ in range(count):
            uid = first + random.randrange(count)
            if uid in _TAKEN or uid in used:
                continue
            try:
                pwd.getpwuid(uid)
                continue
            except KeyError:
                pass
            try:
                grp.getgrgid(uid)
                continue
            except KeyError:
                pass
            _TAKEN.add(uid)
            return uid, uid
    raise PrivilegeError(f"no free id for a worker in {first}..{first + count - 1}")


def release(user):
    """The worker of ``user`` (uid, gid) is gone: its ids may be chosen again."""
    with _LOCK:
        _TAKEN.discard(user[0])
