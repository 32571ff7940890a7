"""The wire format between grader and child: only validated plain data crosses."""
import io
import json
import struct
import subprocess
import sys
import warnings

import numpy as np
import pytest

from coursekit.exercises.spec import Ref
from coursekit.grade.wire import (MAGIC, MAX_CONTAINERS, MAX_FRAME, WireError, decode, encode, parse_payload,
                                  read_frame, write_frame)


def roundtrip(value):
    stream = io.BytesIO()
    write_frame(stream, {"value": encode(value)})
    stream.seek(0)
    return decode(read_frame(stream)["value"])


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "uint16", "float16", "float32", "float64", "complex128"])
def test_arrays_roundtrip_bit_for_bit(dtype):
    a = (np.arange(12).reshape(3, 4) * 1.5 - 4).astype(dtype)
    b = roundtrip(a)
    assert type(b) is np.ndarray and b.dtype == a.dtype and b.shape == a.shape
    assert np.array_equal(a, b) and b.flags.writeable


def test_nested_plain_data_roundtrips():
    value = {"a": [1, 2.5, None, True, "s", (3, np.float64(0.5))], "nan": float("nan"), "inf": -float("inf"),
             "z": 1 + 2j, "empty": np.zeros((0, 3)), "scalar": np.array(7.0)}
    out = roundtrip(value)
    assert out["a"] == [1, 2.5, None, True, "s", (3, np.array(0.5))]
    assert np.isnan(out["nan"]) and out["inf"] == -np.inf and out["z"] == 1 + 2j
    assert out["empty"].shape == (0, 3) and out["scalar"].shape == () and out["scalar"] == 7.0


class RiggedFloat(float):
    def __eq__(self, other):
        return True


class RiggedArray(np.ndarray):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [object(), {1: 2}, np.array(["a"]), np.array([object()]), RiggedFloat(1.0),
                                   lambda: 0, b"bytes", {1, 2}, 10**30, Ref("numpy.sum")])
def test_anything_else_is_refused(value):
    with pytest.raises(WireError):
        encode(value)


def test_array_subclasses_arrive_as_plain_arrays():
    out = roundtrip(np.zeros(3).view(RiggedArray))
    assert type(out) is np.ndarray and not np.array_equal(out, np.ones(3))


@pytest.mark.parametrize("tree", [
    {"$array": ["O", [1], "AA=="]},
    {"$array": ["f8", [2], "AAAAAAAAAAA="]},              # 8 bytes for 2 float64
    {"$array": ["f8", [-1], ""]},
    {"$array": ["f8", [1], "not base64!"]},
    {"$unknown": 1},
    {"a": 1, "b": 2},
    {"$fn": 0},                                            # functions only travel to the child
    {"$complex": ["1", 2]},
    {"$complex": [10**400, 0]},                            # forged: OverflowError in complex()
    {"$complex": [2**60, 0]},
    10**400, -(2**64),                                     # integers beyond 64 bits
    {"$array": ["f8", [0, 2**64], ""]},                    # forged: reshape would raise ValueError
    {"$array": ["f8", [2**40, 2**40], ""]},
    {"$array": ["f8", [1 << 23], ""]},                     # over MAX_ELEMENTS
    {"$tuple": 3}, {"$dict": [1]}, {"$array": 1},
])
def test_malformed_values_are_refused(tree):
    with pytest.raises(WireError):
        decode(tree)


def test_nesting_is_bounded():
    deep = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(WireError, match="nested too deeply"):
        encode(deep)


def test_frames_are_checked():
    with pytest.raises(WireError, match="bad magic"):
        read_frame(io.BytesIO(b"XXXX" + struct.pack("<I", 2) + b"{}"))
    with pytest.raises(WireError, match="exceeds"):
        read_frame(io.BytesIO(MAGIC + struct.pack("<I", MAX_FRAME + 1)))
    with pytest.raises(WireError, match="JSON object"):
        read_frame(io.BytesIO(MAGIC + struct.pack("<I", 2) + b"[]"))
    assert read_frame(io.BytesIO(b"")) is None


def test_a_frame_of_nested_empty_lists_is_refused_before_parsing():
    payload = b"[" + b"[]," * (MAX_CONTAINERS + 1) + b"[]]"
    header = MAGIC + struct.pack("<I", len(payload))
    with pytest.raises(WireError, match="lists and dicts"):
        parse_payload(header, payload)
    deep = b"[" * 5000 + b"]" * 5000
    with pytest.raises(WireError, match="valid JSON"):
        parse_payload(MAGIC + struct.pack("<I", len(deep)), deep)


def test_a_frame_of_millions_of_numbers_is_refused_before_parsing():
    """One flat list of 2M numbers (16 MB, one container) would cost the grader seconds to parse."""
    import time
    from coursekit.grade.wire import MAX_VALUES

    payload = b'{"value":[' + b"0.1," * (2 * MAX_VALUES) + b'0.1]}'
    header = MAGIC + struct.pack("<I", len(payload))
    start = time.thread_time()      # CPU time: a busy machine does not fail it
    with pytest.raises(WireError, match="values"):
        parse_payload(header, payload)
    assert time.thread_time() - start < 0.5
    small = b'{"value":[' + b"0.1," * 1000 + b'0.1]}'
    assert len(parse_payload(MAGIC + struct.pack("<I", len(small)), small)["value"]) == 1001


def test_functions_reach_the_child_as_stubs():
    assert decode([{"$fn": 2}], fns=lambda k: ("stub", k)) == [("stub", 2)]


def test_refs_name_coursekit_or_numpy_objects_only():
    with pytest.raises(ValueError, match="path"):
        Ref("os.system", "rm -rf /")
    f = Ref("coursekit.exercises.checks.ch1.objectives.WeightedSquares", np.ones(2)).resolve()
    assert f(np.array([1.0, 2.0])) == 2.5                       # a class is instantiated
    assert Ref("numpy.sum").resolve() is np.sum                  # a function is passed as is
    value = Ref("coursekit.functions.Rosenbrock", method="value").resolve()
    assert float(value(np.array([1.0, 1.0]))) == 0.0             # then the method is taken
    with pytest.raises(WireError):       # a Ref never crosses: the grader evaluates it (Child.call)
        encode([Ref("coursekit.exercises.checks.ch1.objectives.SumOfCubes")])


def test_the_codec_imports_alone_and_the_child_program_imports_no_coursekit():
    """Both sides load coursekit/grade/wire.py: the parent as a module (nothing else of the grader comes
    with it), the child program by path, in an interpreter that cannot import coursekit (nor NumPy) at all."""
    probe = ("import json, sys, coursekit.grade.wire; "
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('coursekit'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["coursekit", "coursekit.grade", "coursekit.grade.wire"]
    import coursekit.grade.child as child_package

    main = child_package.__path__[0] + "/main.py"
    probe = (f"import runpy, sys; g = runpy.run_path({main!r}, run_name='probe'); "
             "assert g['encode'].__module__ == g['WireError'].__module__ == '_coursekit_grade_wire'; "
             "assert not [m for m in sys.modules if m.startswith('coursekit')]; print('ok')")
    done = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_the_old_module_paths_say_where_their_names_went():
    import coursekit.grade.wire as wire

    sys.modules.pop("coursekit.grade.worker", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import coursekit.grade.worker as worker
    assert worker.encode is wire.encode and worker.WireError is wire.WireError
    assert any(issubclass(w.category, DeprecationWarning) and "coursekit.grade.wire" in str(w.message) for w in caught)
    with pytest.raises(ImportError, match="coursekit.grade.parent"):
        from coursekit.grade.child import Limits  # noqa: F401
    from coursekit.grade import Child, ChildError, Limits  # noqa: F401  -- the public names, unchanged
    from coursekit.grade.parent import Child as parent_child

    assert Child is parent_child
