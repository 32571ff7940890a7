"""The grading child process and the wire format it shares with the parent.

The parent (coursekit.grade.child) runs this file as a script::

    python -I -S -B -u worker.py REQUEST_FD REPLY_FD

and talks to it over two private pipes. Every message is one frame:
``b"CKG1" + uint32 length + UTF-8 JSON``. Values are plain data only: None, bool,
int, float, complex, str, list, tuple, dict with str keys, NumPy arrays of a
numeric dtype (sent as raw bytes) and, from parent to child only, :class:`Ref`
(a coursekit callable named by its dotted path, resolved inside the child).
Nothing is pickled, so no object with a rigged ``__eq__`` can cross.

The child: reads a hello (nonce, paths, limits), applies resource limits, imports
NumPy and coursekit, confines itself (coursekit.grade.sandbox), says "booted",
imports the submitted chapter module, says "ready", then answers "call" requests
until its request pipe closes. Only the standard library and NumPy are used here.
"""
import base64
import importlib
import importlib.util
import json
import math
import os
import struct
import sys

MAGIC = b"CKG1"
MAX_FRAME = 64 << 20  # bytes of JSON per message
MAX_DEPTH = 32
DTYPES = ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16")


class WireError(ValueError):
    """A message that is not valid plain data (or not a valid frame)."""


class Ref:
    """A coursekit (or NumPy) callable named by path, built inside the child.

    A class is instantiated with the given arguments (plain data), a function is
    called only when arguments are given (a factory), then ``method`` is taken:
    ``Ref("coursekit.functions.Rosenbrock", method="value")`` becomes
    ``coursekit.functions.Rosenbrock().value``; ``Ref("numpy.sum")`` is ``numpy.sum``;
    ``Ref("coursekit.schedules.constant", 0.1)`` is ``coursekit.schedules.constant(0.1)``.
    """

    def __init__(self, path, *args, method=None, **kwargs):
        if not isinstance(path, str) or not path.startswith(("coursekit.", "numpy.")):
            raise ValueError(f"path must name a coursekit.* or numpy.* object, got {path!r}")
        self.path, self.args, self.kwargs, self.method = path, args, kwargs, method

    def __repr__(self):
        inner = [repr(self.path)] + [_short(a) for a in self.args]
        inner += [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        if self.method:
            inner.append(f"method={self.method!r}")
        return f"Ref({', '.join(inner)})"

    def resolve(self):
        """The object this names (called in the child)."""
        module_name, _, attr = self.path.rpartition(".")
        obj = importlib.import_module(module_name)
        obj = getattr(obj, attr)
        if isinstance(obj, type) or self.args or self.kwargs:
            obj = obj(*self.args, **self.kwargs)
        return getattr(obj, self.method) if self.method else obj


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ----------------------------------------------------------------- framing --
def write_frame(stream, message):
    data = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
    if len(data) > MAX_FRAME:
        raise WireError(f"a value of {len(data)} bytes (the limit is {MAX_FRAME})")
    stream.write(MAGIC + struct.pack("<I", len(data)) + data)
    stream.flush()


def read_frame(stream):
    """Blocking read of one frame (child side); None at end of stream."""
    header = _read_exact(stream, 8)
    if header is None:
        return None
    return parse_payload(header, _read_exact(stream, payload_length(header)) or b"")


def payload_length(header):
    if header[:4] != MAGIC:
        raise WireError("not a grader frame (bad magic)")
    (length,) = struct.unpack("<I", header[4:8])
    if length > MAX_FRAME:
        raise WireError(f"frame of {length} bytes exceeds the {MAX_FRAME} byte limit")
    return length


def parse_payload(header, payload):
    if len(payload) != payload_length(header):
        raise WireError("truncated frame")
    try:
        message = json.loads(payload.decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"frame is not valid JSON: {exc}") from None
    if not isinstance(message, dict):
        raise WireError("frame is not a JSON object")
    return message


def _read_exact(stream, n):
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------- codec --
def encode(value, depth=0):
    """Plain data -> JSON-able tree (raises WireError for anything else)."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int or kind is float:
        return value
    if kind is complex:
        return {"$complex": [value.real, value.imag]}
    if isinstance(value, np.generic) and not isinstance(value, (np.void, np.object_, np.str_, np.bytes_)):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        array = np.asarray(value)  # a plain ndarray, whatever the subclass; tobytes() is C order
        code = array.dtype.str[1:] if array.dtype.kind != "b" else "b1"
        if array.dtype.kind == "c":
            code = "c" + str(array.dtype.itemsize)
        if code not in DTYPES:
            raise WireError(f"an array of dtype {array.dtype} (only numeric arrays can be returned)")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        return {"$array": [code, list(array.shape), base64.b64encode(data).decode()]}
    if kind is list or kind is tuple:
        items = [encode(v, depth + 1) for v in value]
        return items if kind is list else {"$tuple": items}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise WireError("a dict whose keys are not all strings")
        return {"$dict": {k: encode(v, depth + 1) for k, v in value.items()}}
    if kind is Ref:
        return {"$ref": [value.path, encode(list(value.args), depth + 1),
                         encode(dict(value.kwargs), depth + 1), value.method]}
    raise WireError(f"an object of type {kind.__module__}.{kind.__qualname__}")


def decode(tree, depth=0, refs=False):
    """JSON tree -> plain data, validating every node (raises WireError)."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        return [decode(v, depth + 1, refs) for v in tree]
    if type(tree) is not dict or len(tree) != 1:
        raise WireError("malformed value")
    (tag, body), = tree.items()
    if tag == "$tuple" and type(body) is list:
        return tuple(decode(v, depth + 1, refs) for v in body)
    if tag == "$dict" and type(body) is dict:
        return {k: decode(v, depth + 1, refs) for k, v in body.items()}
    if tag == "$complex" and type(body) is list and len(body) == 2:
        if not all(type(v) in (int, float) for v in body):
            raise WireError("malformed complex number")
        return complex(body[0], body[1])
    if tag == "$array" and type(body) is list and len(body) == 3:
        code, shape, data = body
        if code not in DTYPES or type(shape) is not list or type(data) is not str:
            raise WireError("malformed array")
        if len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
            raise WireError("malformed array shape")
        try:
            raw = base64.b64decode(data.encode(), validate=True)
        except ValueError:
            raise WireError("malformed array data") from None
        dtype = np.dtype("?" if code == "b1" else "<" + code)
        if len(raw) != dtype.itemsize * math.prod(shape):
            raise WireError("array data does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    if tag == "$ref" and refs and type(body) is list and len(body) == 4:
        path, args, kwargs, method = body
        return Ref(path, *decode(args, depth + 1, refs), method=method, **decode(kwargs, depth + 1, refs))
    raise WireError(f"unexpected tag {tag!r}")


# ------------------------------------------------------------- child side --
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


def _load_sibling(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    spec = importlib.util.spec_from_file_location("_coursekit_grade_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _register_package(name, directory):
    init = os.path.join(directory, "__init__.py")
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[directory])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def main(request_fd, reply_fd):
    requests = os.fdopen(request_fd, "rb", buffering=0)
    replies = os.fdopen(reply_fd, "wb", buffering=0)
    hello = read_frame(requests)
    nonce = hello["nonce"]
    send = write_frame  # bound now: the submission may patch module globals later

    def reply(message):
        message["nonce"] = nonce
        send(replies, message)

    sandbox = _load_sibling("sandbox")
    sandbox.set_limits(hello["limits"])
    sys.path[:] = [hello["workdir"]] + [p for p in sys.path if p] + hello["site_dirs"]
    import numpy  # imported before confinement, once per child

    ndarray = numpy.ndarray

    _register_package("coursekit", hello["coursekit_dir"])
    for name in hello.get("preload", ()):
        importlib.import_module(name)
    layers = sandbox.confine(hello["read_paths"], hello["limits"])
    reply({"op": "booted", "sandbox": layers})

    filename = hello["module"] + ".py"
    try:
        module = importlib.import_module(hello["module"])
        reply({"op": "ready", "ok": True, "names": sorted(n for n in vars(module) if not n.startswith("_"))})
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too
        module = None
        reply({"op": "ready", "ok": False, "error": _describe_exception(exc, filename)})

    while True:
        request = read_frame(requests)
        if request is None:
            return
        answer = {"op": "result", "id": request["id"]}
        function = vars(module).get(request["function"]) if module is not None else None
        try:
            if function is None:
                raise _Missing(request["function"])
            args = decode(request["args"], refs=True)
            kwargs = decode(request["kwargs"], refs=True)
            call_args = [a.resolve() if isinstance(a, Ref) else a for a in args]
            call_kwargs = {k: v.resolve() if isinstance(v, Ref) else v for k, v in kwargs.items()}
            value = function(*call_args, **call_kwargs)
            answer["ok"] = True
            answer["value"] = encode(value)
            answer["after"] = encode([a if type(a) is ndarray else None for a in call_args])
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
