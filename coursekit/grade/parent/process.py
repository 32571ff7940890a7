"""One sandboxed child process that imports a submitted module and serves calls.

The parent side of the trust boundary: :class:`Child` starts the child program
(``python -I -S -B coursekit/grade/child/main.py``) in a
fresh temporary directory with a scrubbed environment, talks to it over two private
pipes (frames of coursekit.grade.wire), drains its stdout/stderr into a bounded buffer
(coursekit.grade.parent.pipes), enforces the time budget of every exchange
(coursekit.grade.budget) (killing the child), and validates every reply (frame, nonce, id,
bounded plain data). Callables of a call (:class:`coursekit.exercises.spec.Ref`)
are evaluated here, in the parent, when the child's stub asks, on arguments no larger
than the call's own inputs (coursekit.grade.callbacks). Any misbehaviour,
and any exception while reading a reply, becomes a :class:`ChildError`: the grader
never trusts the child.

Who the child is (coursekit.grade.identity): when the grader runs as root, a user of
its own that owns nothing (its folder and files belong to the grader and are only
readable by the child's group); elsewhere no child starts unless
``Limits.allow_same_user`` says so. Each child leads a session and
process group of its own (one scheduler autogroup each, as before), dies with the
grader (parent-death signal: the grader killed with SIGKILL included), and
:func:`close_all` kills every child's group at exit and on interrupt or SIGTERM.
"""
import atexit
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from coursekit.exercises.spec import Ref
from coursekit.grade import wire
from coursekit.grade.budget import Budget
from coursekit.grade.callbacks import Bound
from coursekit.grade.identity import release, worker_user
from coursekit.grade.parent.limits import ChildError, Limits, SandboxError
from coursekit.grade.parent.paths import read_paths, site_dirs
from coursekit.grade.parent.pipes import Drain, FdWriter
from coursekit.grade.submission import MAX_MODULE_BYTES, read_source
from coursekit.grade.text import clean

MAX_CALLBACK_ELEMENTS = 1 << 20  # array entries in the arguments of one callback
BOOT_TIMEOUT = 60.0  # starting Python + NumPy; not the submission's time
CHILD_PROGRAM = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "child", "main.py")
_LIVE, _LIVE_LOCK = set(), threading.Lock()


def close_all():
    """Kill every live child's process group and remove its folder (at exit, and when the grader is
    interrupted or terminated)."""
    with _LIVE_LOCK:
        children = list(_LIVE)
    for child in children:
        child.close()


atexit.register(close_all)


class Child:
    """A worker process serving calls into the module ``source``, imported as ``module``.

    ``source`` and ``companions`` ({module name: source}, e.g. the submission's other
    chapter modules, importable from it) are bytes or paths (read by :func:`read_source`).
    They are written alone into a fresh private temporary directory: the child's working
    directory and the only submitted files it can read. ``allowed``: the modules the child
    may import besides the standard library (a chapter's ``ALLOWED_IMPORTS``; NumPy always).
    """

    def __init__(self, source, module, limits=Limits(), companions=None, allowed=("numpy",)):
        self.module, self.limits = module, limits
        self._closed, self.proc, self.user, self.import_seconds = False, None, None, 0.0
        self.last_charge = 0.0   # what the last call cost: CPU seconds plus seconds slept (Budget.charge)
        allowed = tuple(dict.fromkeys(("numpy",) + tuple(allowed)))
        files = {name: src if isinstance(src, bytes) else read_source(src)
                 for name, src in {**(companions or {}), module: source}.items()}
        self.user = worker_user(limits)
        self.workdir = tempfile.mkdtemp(prefix="coursekit-grade-")  # 0700
        with _LIVE_LOCK:
            _LIVE.add(self)
        self._write_files(files)
        self.nonce = secrets.token_hex(16)
        self.sandbox, self.names = [], []
        self._buffer = bytearray()
        self._next_id = 0
        self._spawn()
        self._drain = Drain(self.proc.stdout, limits.output_bytes)
        self._drain.start()
        self._send(self._hello(allowed), time.monotonic() + BOOT_TIMEOUT)

    def _write_files(self, files):
        """The submitted modules, alone in the private folder; when the child has a user of its own, the
        grader's files readable by its group (it owns nothing)."""
        user = self.user
        for name, data in files.items():
            target = os.path.join(self.workdir, f"{name}.py")
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data[:MAX_MODULE_BYTES])
            if user is not None:
                os.chown(target, -1, user[1])
                os.chmod(target, 0o640)
        if user is not None:
            os.chown(self.workdir, -1, user[1])
            os.chmod(self.workdir, 0o750)

    def _spawn(self):
        """Start the child program on two private pipes, with a scrubbed environment, in a session of its own."""
        request_r, self._request_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        env = {"PATH": os.defpath, "HOME": self.workdir, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:   # started as the grader (the interpreter may be reachable by root only); it drops to `user` itself
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-B", "-u", CHILD_PROGRAM, str(request_r), str(reply_w)],
                pass_fds=(request_r, reply_w), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, cwd=self.workdir, env=env, start_new_session=True)
        except OSError as exc:
            self.close()
            raise SandboxError(f"could not start the grading worker ({sys.executable}): {exc}") from None
        finally:
            os.close(request_r)
            os.close(reply_w)
        os.set_blocking(self._request_w, False)

    def _hello(self, allowed):
        """The child's first message: what it imports, may read, and becomes."""
        limits, user = self.limits, self.user
        return {"nonce": self.nonce, "workdir": self.workdir, "module": self.module, "site_dirs": site_dirs(),
                "allowed": list(allowed), "read_paths": list(read_paths(allowed)) + [self.workdir],
                "limits": {"memory_mb": limits.memory_mb, "cpu_s": limits.cpu_s},
                "user": list(user) if user is not None else None, "parent": os.getpid()}

    # ------------------------------------------------------------ protocol --
    def start(self, timeout=None):
        """Wait for the worker to boot and import the module (``timeout``: seconds for the import, default
        the per-call limit); returns the "ready" reply."""
        try:
            booted = self._receive("booted", Budget(None, BOOT_TIMEOUT, wall_s=BOOT_TIMEOUT))
        except ChildError as exc:
            self.close()
            raise SandboxError(f"the grading worker did not start: {exc.message}\n{self.output}") from None
        if "error" in booted:
            self.close()
            raise SandboxError(f"the grading worker did not start: {clean(booted['error'], 500)}")
        layers = booted.get("sandbox")
        self.sandbox = [clean(layer, 200) for layer in layers[:20]] if isinstance(layers, list) else []
        budget = Budget(self.proc.pid, timeout or self.limits.timeout)
        try:
            ready = self._receive("ready", budget, during="importing the module")
        finally:
            self.import_seconds = budget.charge()
        ready["ok"] = ready.get("ok") is True
        if not ready["ok"]:
            ready["error"] = _clean_error(ready.get("error"))
        names = ready.get("names", [])
        self.names = [clean(n, 100) for n in names if isinstance(n, str)] if isinstance(names, list) else []
        return ready

    def call(self, function, args=(), kwargs=None, timeout=None):
        """Call ``function(*args, **kwargs)`` in the child; returns the validated reply.

        Top-level :class:`Ref` arguments reach the child as plain stub functions that
        this process evaluates, on arguments no larger than this call's own
        (:class:`coursekit.grade.callbacks.Bound`). The reply has ``ok``; then ``value`` and ``after``
        (decoded plain data) or ``error`` (dict of str). Raises ChildError on timeout,
        death or a malformed reply.
        """
        self._next_id += 1
        refs = []
        request = _call_request(self._next_id, function, args, kwargs, refs)
        budget = Budget(self.proc.pid, timeout or self.limits.timeout)
        self.last_charge = 0.0
        bound = Bound([args, dict(kwargs or {})])
        self._send(request, budget.wall_deadline)
        try:
            reply = self._receive("result", budget, during=f"running {function}", id=self._next_id,
                                  callbacks=lambda message: self._callback(refs, message, budget.wall_deadline, bound))
        finally:
            self.last_charge = budget.charge()
        return self._checked(reply, len(args))

    def _checked(self, reply, n_args):
        """The child's "result", decoded and bounded (ChildError, and the child stopped, if it is not plain data)."""
        try:
            if reply.get("ok") is True:
                reply["value"] = wire.decode(reply.get("value"))
                after = wire.decode(reply.get("after"))
                reply["after"] = after if isinstance(after, list) and len(after) == n_args else [None] * n_args
            else:
                reply["ok"] = False
                reply["error"] = _clean_error(reply.get("error"))
        except Exception as exc:  # noqa: BLE001 -- whatever the child sent, the reply fails this call only
            self.close()
            raise ChildError("protocol", f"the reply was not plain data ({clean(exc, 200)})") from None
        return reply

    def _callback(self, refs, message, deadline, bound):
        """Evaluate callable ``fn`` of the current call for the child's stub, and answer."""
        try:
            k = message.get("fn")
            if type(k) is not int or not 0 <= k < len(refs):
                raise ValueError("no such function")
            args = wire.decode(message.get("args"), max_elements=MAX_CALLBACK_ELEMENTS)
            kwargs = wire.decode(message.get("kwargs"), max_elements=MAX_CALLBACK_ELEMENTS)
            if type(args) is not list or type(kwargs) is not dict:
                raise ValueError("malformed arguments")
            bound.check([args, kwargs])
            if refs[k][1] is None:
                refs[k][1] = refs[k][0].resolve()
            with np.errstate(all="ignore"):
                value = refs[k][1](*args, **kwargs)
            answer = {"op": "callback_result", "ok": True, "value": wire.encode(value)}
        except Exception as exc:  # noqa: BLE001 -- bad arguments are the submission's error, raised there
            answer = {"op": "callback_result", "ok": False, "type": type(exc).__name__,
                      "message": clean(exc, 500)}
        try:
            data = wire.frame(answer)
        except wire.WireError as exc:   # e.g. a value over the frame limit
            data = wire.frame({"op": "callback_result", "ok": False, "type": "ValueError",
                                 "message": f"the function's value cannot be sent back: {clean(exc, 200)}"})
        self._send(data, deadline)

    def _send(self, message, deadline):
        try:
            data = message if isinstance(message, bytes) else wire.frame(message)
            FdWriter(self._request_w, deadline).write(data)
        except wire.WireError as exc:     # a request the grader built: not the child's doing
            self.close()
            raise ChildError("protocol", f"a request could not be sent ({clean(exc, 200)})") from None
        except TimeoutError:
            self.close()
            message = "the process stopped reading its requests (past the call's wall-clock ceiling)"
            raise ChildError("timeout", message) from None
        except OSError:
            pass  # the child is gone; the next receive reports how it ended

    def _receive(self, op, budget, during="starting", id=None, callbacks=None):
        while True:
            message = self._parse()
            if message is not None and budget.spent():   # reading and parsing count too
                self._time_out(budget, during, "still calling its function arguments: does its loop end?"
                               if message.get("op") == "callback" else "an answer too large to read in time?")
            if message is not None:
                if (callbacks is not None and message.get("op") == "callback" and message.get("nonce") == self.nonce
                        and message.get("id") == id):
                    callbacks(message)
                    budget.resume()
                    continue
                if message.get("nonce") != self.nonce or message.get("op") != op or message.get("id") != id:
                    self.close()
                    raise ChildError("protocol", f"an unexpected message on the private channel while {during}"
                                                 " (forged or out of order); the process was stopped")
                return message
            ready, _, _ = select.select([self._reply_r], [], [], 0)
            if not ready:
                if budget.spent():
                    self._time_out(budget, during, "an infinite loop, or far too slow?")
                ready, _, _ = select.select([self._reply_r], [], [], budget.next_look())
                if not ready:
                    budget.waited()        # only an empty wait can be the child's sleep (Budget.cpu_used)
            if ready:
                chunk = os.read(self._reply_r, 1 << 20)
                if not chunk:
                    raise ChildError("crashed", f"the process ended while {during}: {self._exit_reason()}")
                self._buffer += chunk
                budget.progress()

    def _time_out(self, budget, during, why):
        self.close()
        if budget.slept >= budget.cpu_s / 2:
            raise ChildError("timeout", f"no answer while {during}: asleep for {budget.slept:.3g} s of its "
                                        f"{budget.cpu_s:g} s (waiting rather than computing: a sleep, or a read "
                                        "that never ends?)")
        if budget.waiting():
            raise ChildError("timeout", f"no answer while {during}, and nothing computed for {budget.idle_s:g} s "
                                        "(waiting rather than computing: a sleep, or a read that never ends?)")
        if budget.past_wall():
            raise ChildError("timeout", f"no answer within {budget.wall_s:g} s while {during} (the wall-clock "
                                        "ceiling of a call)")
        raise ChildError("timeout", f"no answer within {budget.cpu_s:g} s of CPU time while {during} ({why})")

    def _parse(self):
        if len(self._buffer) < 8:
            return None
        try:
            length = wire.payload_length(bytes(self._buffer[:8]))
            if len(self._buffer) < 8 + length:
                return None
            message = wire.parse_payload(bytes(self._buffer[:8]), bytes(self._buffer[8:8 + length]))
        except Exception as exc:  # noqa: BLE001 -- WireError, or anything else odd: never the grader's crash
            self.close()
            raise ChildError("protocol", f"garbage on the private channel ({clean(exc, 200)}); "
                                         "the process was stopped") from None
        del self._buffer[:8 + length]
        return message

    # ------------------------------------------------------------ lifecycle --
    def _exit_reason(self):
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.close()
            return "it closed its channel and was stopped"
        finally:
            self.close()
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            why = {"SIGXCPU": f"CPU time limit ({self.limits.cpu_s} s) exceeded",
                   "SIGKILL": "killed (out of memory?)", "SIGSEGV": "crashed (segmentation fault)",
                   "SIGABRT": "aborted"}.get(name, "")
            return f"killed by {name}" + (f": {why}" if why else "") + self._output_tail()
        return (f"exit status {code} (the code called sys.exit(), os._exit() or exit(), or broke the grader's"
                f" worker by tampering with Python)" + self._output_tail())

    def _output_tail(self, n=300):
        self._drain.join(timeout=1)
        tail = clean(self._drain.tail[-n:].decode("utf-8", errors="replace")).strip()
        return f"; its last output: {tail!r}" if tail else ""

    def close(self):
        """Kill the child's process group, release the pipes, remove the folder (idempotent)."""
        with _LIVE_LOCK:
            if self._closed:
                return
            self._closed = True
            _LIVE.discard(self)
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            for fd in (self._request_w, self._reply_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            if hasattr(self, "_drain"):
                self._drain.join(timeout=5)
            self.proc.stdout.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.user is not None:
            release(self.user)

    @property
    def alive(self):
        return not self._closed and self.proc is not None and self.proc.poll() is None

    @property
    def output(self):
        """What the child printed (first ``output_bytes``, sanitized), with a note when more was dropped."""
        text = clean(self._drain.kept.decode("utf-8", errors="replace"), keep_lines=True)
        dropped = self._drain.total - len(self._drain.kept)
        return text + (f"\n[... {dropped} more bytes of output dropped]" if dropped > 0 else "")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()



def _call_request(id, function, args, kwargs, refs):
    """The "call" message; each top-level :class:`Ref` argument is appended to ``refs`` and sent as ``{"$fn": k}``."""
    def put(value):
        if isinstance(value, Ref):
            refs.append([value, None])
            return {"$fn": len(refs) - 1}
        return wire.encode(value)

    return {"op": "call", "id": id, "function": function, "args": [put(a) for a in args],
            "kwargs": {"$dict": {k: put(v) for k, v in dict(kwargs or {}).items()}}}


def _clean_error(error):
    """The child's error description, reduced to bounded, sanitized strings."""
    error = error if isinstance(error, dict) else {}
    text = {k: error.get(k) for k in ("type", "message", "where")}
    return {k: (clean(v, 2000) if isinstance(v, str) else None) for k, v in text.items()}
