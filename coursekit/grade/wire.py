"""The wire format the grader and its child share: framing and plain-data encoding.

Both sides use this one module: the parent (coursekit.grade.parent) imports it as
``coursekit.grade.wire``; the child program (coursekit.grade.child.main), which imports
nothing of coursekit, loads this file by path. It uses the standard library only (and
NumPy, imported when an array is encoded or decoded).

Every message is one frame: ``b"CKG1" + uint32 length + UTF-8 JSON``. Values are plain
data only: None, bool, int (64-bit), float, complex, str, list, tuple, dict with str keys
and NumPy arrays of a numeric dtype (sent as raw bytes). Nothing is pickled, so no object
with a rigged ``__eq__`` can cross. From parent to child a value may also be
``{"$fn": k}``: a function the child receives as a plain stub; calling it sends the
arguments back to the parent, which evaluates the k-th callable of the call (an
exercise's objective, say) in its own process and returns the value. Nothing of the
callable crosses.

Every bound on the wire (frame size, containers per frame, nesting, integers,
array size) is checked by :func:`parse_payload` and :func:`decode`, which raise
only :class:`WireError`: the parent treats every byte from a child as hostile,
including frames forged with the nonce (the submission runs in the child's process).
"""
import base64
import json
import math
import struct

MAGIC = b"CKG1"
MAX_FRAME = 32 << 20          # bytes of JSON per message
MAX_CONTAINERS = 100_000      # JSON arrays + objects per message
MAX_VALUES = 1 << 20          # JSON values per message (arrays travel as one base64 string each)
MAX_DEPTH = 32
MAX_ELEMENTS = 1 << 22        # entries of one array
MAX_NUMBER = 32               # characters of one number (a float's repr has at most 24): parsing stays linear
INT_RANGE = (-(1 << 63), 1 << 64)
DTYPES = ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16")


class WireError(ValueError):
    """A message that is not valid plain data (or not a valid frame)."""


# ----------------------------------------------------------------- framing --
def frame(message):
    """The bytes of one frame (raises WireError over MAX_FRAME)."""
    data = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
    if len(data) > MAX_FRAME:
        raise WireError(f"a value of {len(data)} bytes (the limit is {MAX_FRAME})")
    return MAGIC + struct.pack("<I", len(data)) + data


def write_frame(stream, message):
    stream.write(frame(message))
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
    """The JSON object of one frame; bounded before parsing (size, containers)."""
    if len(payload) != payload_length(header):
        raise WireError("truncated frame")
    if payload.count(b"[") + payload.count(b"{") > MAX_CONTAINERS:
        raise WireError(f"a frame with more than {MAX_CONTAINERS} lists and dicts")
    if payload.count(b",") >= MAX_VALUES:      # parsing millions of numbers takes the grader seconds
        raise WireError(f"a frame with more than {MAX_VALUES} values (return a NumPy array, not a list)")
    try:
        message = json.loads(payload.decode(), parse_float=_bounded(float), parse_int=_bounded(int))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"frame is not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(message, dict):
        raise WireError("frame is not a JSON object")
    return message


def _bounded(parse):
    def number(text):
        if len(text) > MAX_NUMBER:
            raise WireError(f"a number of {len(text)} characters (the limit is {MAX_NUMBER})")
        return parse(text)
    return number


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
    if value is None or kind in (bool, str, float):
        return value
    if kind is int:
        if not INT_RANGE[0] <= value < INT_RANGE[1]:
            raise WireError("an integer beyond 64 bits")
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
        if array.size > MAX_ELEMENTS:
            raise WireError(f"an array of {array.size} entries (the limit is {MAX_ELEMENTS})")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        return {"$array": [code, list(array.shape), base64.b64encode(data).decode()]}
    if kind is list or kind is tuple:
        items = [encode(v, depth + 1) for v in value]
        return items if kind is list else {"$tuple": items}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise WireError("a dict whose keys are not all strings")
        return {"$dict": {k: encode(v, depth + 1) for k, v in value.items()}}
    raise WireError(f"an object of type {kind.__module__}.{kind.__qualname__}")


def decode(tree, depth=0, fns=None, max_elements=MAX_ELEMENTS):
    """JSON tree -> plain data, validating every node (raises WireError only).

    ``fns(k)`` builds the stub of ``{"$fn": k}`` (child side); without it that tag is refused.
    ``max_elements`` bounds the entries of all arrays together.
    """
    budget = [max_elements, max_elements]   # left, limit
    try:
        return _decode(tree, depth, fns, budget)
    except WireError:
        raise
    except (ValueError, TypeError, OverflowError, MemoryError, RecursionError) as exc:
        raise WireError(f"malformed value ({type(exc).__name__})") from None


def _decode(tree, depth, fns, budget):
    import numpy as np

    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    kind = type(tree)
    if tree is None or kind in (bool, float, str):
        return tree
    if kind is int:
        if not INT_RANGE[0] <= tree < INT_RANGE[1]:
            raise WireError("an integer beyond 64 bits")
        return tree
    if kind is list:
        return [_decode(v, depth + 1, fns, budget) for v in tree]
    if kind is not dict or len(tree) != 1:
        raise WireError("malformed value")
    (tag, body), = tree.items()
    if tag == "$tuple" and type(body) is list:
        return tuple(_decode(v, depth + 1, fns, budget) for v in body)
    if tag == "$dict" and type(body) is dict:
        return {k: _decode(v, depth + 1, fns, budget) for k, v in body.items()}
    if tag == "$complex" and type(body) is list and len(body) == 2:
        if not all(type(v) is float or (type(v) is int and abs(v) < 1 << 53) for v in body):
            raise WireError("malformed complex number")
        return complex(body[0], body[1])
    if tag == "$array" and type(body) is list and len(body) == 3:
        code, shape, data = body
        if code not in DTYPES or type(shape) is not list or type(data) is not str:
            raise WireError("malformed array")
        if len(shape) > 32 or not all(type(n) is int and 0 <= n <= MAX_ELEMENTS for n in shape):
            raise WireError("malformed array shape")
        size = math.prod(shape)
        if size > budget[0]:
            raise WireError(f"arrays of more than {budget[1]} entries in all")
        budget[0] -= size
        dtype = np.dtype("?" if code == "b1" else "<" + code)
        if len(data) != 4 * math.ceil(dtype.itemsize * size / 3):
            raise WireError("array data does not match its shape")
        try:
            raw = base64.b64decode(data.encode(), validate=True)
        except ValueError:
            raise WireError("malformed array data") from None
        if len(raw) != dtype.itemsize * size:
            raise WireError("array data does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    if tag == "$fn" and fns is not None and type(body) is int:
        return fns(body)
    raise WireError(f"unexpected tag {str(tag)[:40]!r}")
