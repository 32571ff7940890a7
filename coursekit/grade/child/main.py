"""The grading child: the program a submission runs in.

The parent (coursekit.grade.parent) runs this file as a script::

    python -I -S -B -u main.py REQUEST_FD REPLY_FD

and talks to it over two private pipes, in the frames of coursekit/grade/wire.py.
This program imports nothing of coursekit, not even its own package: it loads the
codec (``../wire.py``) and its sibling ``sandbox.py`` by path. Only the standard
library and NumPy are used.

The child (started as root when the grader is root, in a session of its own): reads a hello (nonce, paths, limits, the modules the chapter allows, the
user to become), applies resource limits, imports those modules (NumPy by default),
becomes the unprivileged user it was given (then folders it can no longer walk to, such
as an interpreter under /root, are reached through descriptors opened before:
``/proc/self/fd/N``), asks to die with the grader, confines itself
(``sandbox.py``), says "booted", imports the submitted chapter module, says
"ready", then answers "call" requests until its request pipe closes.
"""
import importlib
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name, folder=_HERE):
    """The module ``name``.py of ``folder``, loaded by path (not through the coursekit package)."""
    path = os.path.join(folder, name + ".py")
    spec = importlib.util.spec_from_file_location("_coursekit_grade_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_wire = _load("wire", os.path.dirname(_HERE))
WireError, encode, decode = _wire.WireError, _wire.encode, _wire.decode
read_frame, write_frame = _wire.read_frame, _wire.write_frame


def _describe_exception(exc, filename):
    """Type, message and the last line of the submission in the traceback."""
    where, tb = None, exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if os.path.basename(code.co_filename) == filename:
            where = f"{filename} line {tb.tb_lineno}, in {code.co_name}"
        tb = tb.tb_next
    try:
        message = str(exc)
    except BaseException:  # a rigged __str__
        message = "<unprintable>"
    return {"type": type(exc).__name__, "message": message[:2000], "where": where}


class _Missing(Exception):
    """The requested function is not defined by the submitted module."""


_RAISABLE = {e.__name__: e for e in (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError,
                                     RuntimeError, OverflowError, FloatingPointError, ArithmeticError, MemoryError)}




def _reach(fds, folders):
    """After the drop: each of ``folders`` the new user cannot walk to (an interpreter under /root,
    a private TMPDIR) is used through its descriptor, ``/proc/self/fd/N``, on sys.path and in the
    ``__path__`` of the packages already imported. Returns the descriptors in use."""
    moved = {p: f"/proc/self/fd/{fds[p]}" for p in folders
             if p in fds and not os.access(p, os.R_OK | os.X_OK)}
    if not moved:
        return set()

    def new(path):
        for old, proxy in moved.items():
            if path == old or path.startswith(old.rstrip(os.sep) + os.sep):
                return proxy + path[len(old):]
        return path

    sys.path[:] = [new(p) for p in sys.path]
    for module in list(sys.modules.values()):
        search = getattr(module, "__path__", None)
        if type(search) is list:
            search[:] = [new(p) if isinstance(p, str) else p for p in search]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    importlib.util.find_spec("_coursekit_grade_no_such_module")  # lists the folders now, before Landlock
    return {fds[p] for p in moved}


def main(request_fd, reply_fd):
    requests = os.fdopen(request_fd, "rb", buffering=0)
    replies = os.fdopen(reply_fd, "wb", buffering=0)
    hello = read_frame(requests)
    nonce = hello["nonce"]
    send, receive = write_frame, read_frame  # bound now: the submission may patch module globals later

    def reply(message):
        message["nonce"] = nonce
        send(replies, message)

    sandbox = _load("sandbox")
    sandbox.set_limits(hello["limits"])
    base_path = [p for p in sys.path if p]
    sys.path[:] = base_path + hello["site_dirs"]
    import tempfile
    tempfile.tempdir = hello["workdir"]   # some allowed modules make a temporary file when imported
    for name in hello["allowed"]:   # the chapter's allow-list (NumPy), imported before confinement
        importlib.import_module(name)
    sys.path[:] = [hello["workdir"]] + base_path   # nothing else of site-packages is importable
    folders = list(dict.fromkeys(sys.path + hello["site_dirs"]))
    fds = sandbox.open_paths(folders)                  # while they are reachable
    ruleset = sandbox.landlock_ruleset(hello["read_paths"])
    identity, kept = [], set()
    if hello.get("user") is not None:
        try:
            identity = [sandbox.drop_privileges(*hello["user"])]
        except OSError as exc:
            reply({"op": "booted", "error": f"could not become user {hello['user'][0]}: {exc}"})
            return
        kept = _reach(fds, folders)
    sandbox.die_with_parent(hello["parent"])
    layers = sandbox.confine(hello["read_paths"], hello["limits"], ruleset)
    for fd in set(fds.values()) - kept:
        os.close(fd)
    reply({"op": "booted", "sandbox": identity + layers})

    import numpy
    ndarray = numpy.ndarray
    current = {"id": None}

    def exchange(k, args, kwargs):
        """Ask the parent to evaluate callable k of the current call on (args, kwargs)."""
        try:
            message = {"op": "callback", "id": current["id"], "fn": k, "args": encode(list(args)),
                       "kwargs": encode(dict(kwargs))}
        except WireError as exc:
            raise TypeError(f"this function takes NumPy arrays and numbers: it was given {exc}") from None
        reply(message)
        answer = receive(requests)
        if not isinstance(answer, dict) or answer.get("op") != "callback_result":
            raise RuntimeError("the grader did not answer")
        if not answer.get("ok"):
            kind, text = str(answer.get("type")), str(answer.get("message"))
            raise _RAISABLE.get(kind, RuntimeError)(text if kind in _RAISABLE else f"{kind}: {text}")
        value = decode(answer["value"])
        return value[()] if type(value) is ndarray and value.ndim == 0 else value

    def stub(k):
        def function(*args, **kwargs):
            return exchange(k, args, kwargs)
        return function

    filename = hello["module"] + ".py"
    try:
        module = importlib.import_module(hello["module"])
        reply({"op": "ready", "ok": True, "names": sorted(n for n in vars(module) if not n.startswith("_"))[:1000]})
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too
        module = None
        reply({"op": "ready", "ok": False, "error": _describe_exception(exc, filename)})

    while True:
        request = receive(requests)
        if request is None:
            return
        current["id"] = request["id"]
        answer = {"op": "result", "id": request["id"]}
        function = vars(module).get(request["function"]) if module is not None else None
        try:
            if function is None:
                raise _Missing(request["function"])
            args = decode(request["args"], fns=stub)
            kwargs = decode(request["kwargs"], fns=stub)
            value = function(*args, **kwargs)
            answer["ok"] = True
            answer["value"] = encode(value)
            answer["after"] = encode([a if type(a) is ndarray or (type(a) is list and a and all(
                type(x) is ndarray for x in a)) else None for a in args])     # lists of arrays: clip_by_global_norm
        except WireError as exc:
            answer.update(ok=False, error={"type": "ReturnTypeError", "message": f"returned {exc}", "where": None})
        except _Missing:
            answer.update(ok=False, error={"type": "MissingFunction", "message": request["function"], "where": None})
        except BaseException as exc:
            answer.update(ok=False, error=_describe_exception(exc, filename))
        try:
            reply(answer)
        except WireError as exc:  # e.g. a reply over the frame limit
            reply({"op": "result", "id": request["id"], "ok": False,
                   "error": {"type": "ReturnTypeError", "message": f"returned {exc}", "where": None}})


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
