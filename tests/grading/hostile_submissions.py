"""Hostile (and one honest partial) chapter-1 submissions, written to a tmp folder by the tests.

Each entry: the files of the submission, ``earns`` (the numerical_gradient checks its
honest part passes, or "all"), ``extra`` (other check ids it honestly passes; every other
check of chapter 1 earns nothing), and a phrase its report must contain. Kept as strings
(not fixture folders) so that the conftest.py of one of them can never be picked up by
pytest itself. Optional keys, read by test_hostile.batch: ``path`` (where it lies under
the batch folder, default its key), ``csv_name`` (its CSV row, default its key),
``links`` ({file name: target}), ``fifo`` (file names made FIFOs), ``zip`` (a function
making the .zip from the files), ``needs`` ("seccomp": only where the kernel filter is
active, since without it the attack would hit the test run itself), ``attack`` (the
class of issue 11 it reproduces).

Several of them misbehave only when x has 2+ axes (the "shape" check), so their other
checks must still earn their points. A new numerical_gradient check with such inputs
belongs in their ``all_but(...)`` lists.
"""
import re
import textwrap

from coursekit.exercises.checks import ch1

GRADIENT_CHECKS = [c.name for c in ch1.CHECKS if c.exercise == "numerical_gradient"]


def all_but(*names):
    return [n for n in GRADIENT_CHECKS if n not in names]


def points(spec):
    """The points a submission of SUBMISSIONS honestly deserves."""
    if spec["earns"] == "all":
        return sum(c.points for c in ch1.CHECKS)
    return (sum(c.points for c in ch1.CHECKS if c.exercise == "numerical_gradient" and c.name in spec["earns"])
            + sum(c.points for c in ch1.CHECKS if c.id in spec.get("extra", ())))

MODULE = "ch1_gradient_descent.py"

CORRECT = '''
def _correct(f, x, eps):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad
'''


def _module(body, prelude=""):
    return "import numpy as np\n" + textwrap.dedent(prelude) + CORRECT + textwrap.dedent(body)


def _misbehave_on_matrices(misbehaviour, prelude=""):
    body = f'''
def numerical_gradient(f, x, eps=1e-6):
    if np.ndim(x) > 1:
{textwrap.indent(textwrap.dedent(misbehaviour), "        ")}
    return _correct(f, x, eps)
'''
    return _module(body, prelude)


ZEROS = '''
def numerical_gradient(f, x, eps=1e-6):
    return np.zeros_like(np.asarray(x, dtype=float))
'''

SUBMISSIONS = {
    "honest_partial": dict(  # ignores eps: fails only "central", with the matching hint
        files={MODULE: _module('''
def numerical_gradient(f, x, eps=1e-6):
    return _correct(f, x, 1e-6)
''')}, earns=all_but("central"), phrase="did you ignore the eps argument"),

    "sys_exit_at_import": dict(
        files={MODULE: _module("def numerical_gradient(f, x, eps=1e-6):\n    return _correct(f, x, eps)\n",
                               "import sys\nsys.exit(0)\n")},
        earns=[], phrase="called sys.exit(0)"),

    "os_exit_at_import": dict(
        files={MODULE: _module("def numerical_gradient(f, x, eps=1e-6):\n    return _correct(f, x, eps)\n",
                               "import os\nos._exit(0)\n")},
        earns=[], phrase="exit status 0"),

    "infinite_loop": dict(files={MODULE: _misbehave_on_matrices("while True:\n    pass")},
                          earns=all_but("shape"), phrase="no answer within"),

    "infinite_loop_at_import": dict(
        files={MODULE: _module("def numerical_gradient(f, x, eps=1e-6):\n    return _correct(f, x, eps)\n",
                               "while True:\n    pass\n")},
        earns=[], phrase="while importing the module"),

    "memory_bomb": dict(files={MODULE: _misbehave_on_matrices(
        "blocks = []\nwhile True:\n    blocks.append(np.empty(1 << 24))  # 128 MB each")},
        earns=all_but("shape"), phrase="ran out of memory"),

    # bounded even without a sandbox: at most 2**6 processes, each stopped by the process-group kill
    "fork_bomb": dict(files={MODULE: _misbehave_on_matrices(
        "import os, time\nfor _ in range(6):\n    os.fork()\ntime.sleep(30)")},
        earns=all_but("shape"), phrase="numerical_gradient raised"),  # PermissionError, or BlockingIOError (NPROC)

    "megabytes_of_output": dict(files={MODULE: _module('''
def numerical_gradient(f, x, eps=1e-6):
    print("y" * 3_000_000)
    return _correct(f, x, eps)
''', 'print("x" * 5_000_000)\n')}, earns=GRADIENT_CHECKS, phrase="output of your code was truncated"),

    "conftest_and_pytest_ini": dict(files={
        MODULE: _module(ZEROS),
        "conftest.py": textwrap.dedent('''
            import pytest
            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_makereport(item, call):
                outcome = yield
                report = outcome.get_result()
                report.outcome = "passed"
            import os
            open(os.environ.get("HOSTILE_MARKER", "/tmp/coursekit_hostile_conftest_ran"), "w").write("yes")
        '''),
        "pytest.ini": "[pytest]\naddopts = -p no:cacheprovider --deselect tests\n",
        "sitecustomize.py": "import builtins\nbuiltins.HACKED = True\n",
    }, earns=[], phrase="still all zeros"),

    "monkeypatch_at_import": dict(files={MODULE: _module(ZEROS, '''
        import builtins, sys
        np.allclose = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        np.array_equal = lambda *a, **k: True
        builtins.abs = lambda v: 0
        builtins.isinstance = lambda *a: True
        try:
            import pytest
            pytest.approx = lambda *a, **k: a[0]
        except ImportError:
            pass
        sys.modules["coursekit.exercises.spec"] = None
    ''')}, earns=[], phrase="while importing the module"),

    "always_equal_getattr": dict(files={MODULE: '''
import numpy as np

class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False

class Liar(float):
    def __eq__(self, other):
        return True

def __getattr__(name):
    return AlwaysEqual((2,))

def numerical_gradient(f, x, eps=1e-6):
    if np.ndim(x) > 1:
        return Liar(0.0)
    return np.zeros(np.shape(x)).view(AlwaysEqual)
'''}, earns=[], phrase="Liar"),

    "atexit_results_file": dict(files={MODULE: _module(ZEROS, '''
        import atexit, json, os
        FORGED = json.dumps({"score": 4, "tests": [{"name": "all", "score": 4, "max_score": 4}]})
        def _forge():
            for path in ("results.json", "../results.json", "/tmp/results.json", os.path.expanduser("~/results.json")):
                try:
                    with open(path, "w") as f:
                        f.write(FORGED)
                except OSError:
                    pass
        _forge()
        atexit.register(_forge)
    ''')}, earns=[], phrase="still all zeros"),

    "forged_result_line": dict(files={MODULE: _module(ZEROS, '''
        import json, os, sys
        line = json.dumps({"op": "result", "id": 1, "ok": True, "value": [1.0, 2.0], "score": 4})
        print(line)
        print("CKG1" + line)
        sys.stdout.flush()
        os.write(1, b"PASSED 4/4\\n")
    ''')}, earns=[], phrase="still all zeros"),

    "forged_frames_on_every_fd": dict(files={MODULE: _module(ZEROS, '''
        import json, os, struct
        body = json.dumps({"op": "ready", "ok": True, "nonce": "0" * 32, "names": []}).encode()
        for fd in range(3, 64):
            try:
                os.write(fd, b"CKG1" + struct.pack("<I", len(body)) + body)
            except OSError:
                pass
    ''')}, earns=[], phrase="private channel"),

    "imports_solutions": dict(files={MODULE: _module('''
import os, sys
import coursekit

ROOT = os.path.dirname(os.path.dirname(coursekit.__file__))
try:
    from solutions.ch1_gradient_descent import numerical_gradient
except ImportError:
    sys.path.insert(0, ROOT)
    try:
        from solutions.ch1_gradient_descent import numerical_gradient
    except ImportError:
        try:
            namespace = {}
            exec(open(os.path.join(ROOT, "solutions", "ch1_gradient_descent.py")).read(), namespace)
            numerical_gradient = namespace["numerical_gradient"]
        except OSError:
            def numerical_gradient(f, x, eps=1e-6):
                return np.zeros_like(np.asarray(x, dtype=float))
''')}, earns=[], phrase="No module named 'coursekit'"),

    "reads_expected_values": dict(files={MODULE: _module('''
import glob, os, re
import coursekit

ROOT = os.path.dirname(os.path.dirname(coursekit.__file__))
FOUND = []
for pattern in ("tests/**/*.py", "tests/**/*.json", "tests/**/*.npz", ".grading/**/*"):
    try:
        for path in glob.glob(os.path.join(ROOT, pattern), recursive=True):
            FOUND += re.findall(r"expected\\s*=\\s*([-0-9.e]+)", open(path).read())
    except OSError:
        pass

def numerical_gradient(f, x, eps=1e-6):
    guess = float(FOUND[0]) if FOUND else 0.0
    return np.full(np.shape(x), guess)
''')}, earns=[], phrase="expected"),
}


# ------------------------------------------------------------------------------------------------
# The attacks of issue 11 ("Grader hardening"), one class per ``attack`` number.
import stat as _stat  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = (ROOT / "solutions" / "ch1_gradient_descent.py").read_text()
HONEST_GRADIENT = CORRECT.replace("def _correct(f, x, eps):", "def numerical_gradient(f, x, eps=1e-6):")

# Finds the worker's main loop (its locals: nonce, replies, request) and writes a frame itself.
FORGE = '''
import os, struct, sys, time

def _forge(value_json):
    frame = sys._getframe(1)
    while frame is not None and "nonce" not in frame.f_locals:
        frame = frame.f_back
    loop = frame.f_locals
    head = '{"op":"result","id":%d,"ok":true,"after":[],"nonce":"%s","value":' % (loop["request"]["id"], loop["nonce"])
    body = head.encode() + value_json + b"}"
    os.write(loop["replies"].fileno(), b"CKG1" + struct.pack("<I", len(body)) + body)
    time.sleep(30)
'''


def _forging(value_expression):
    return _misbehave_on_matrices(f"_forge({value_expression})", FORGE)


def _zip_with(patch=None, method=zipfile.ZIP_DEFLATED):
    """A function writing a .zip of ``files`` (then ``patch(bytes) -> bytes``)."""
    def make(path, files):
        with zipfile.ZipFile(path, "w", compression=method) as z:
            for name, text in files.items():
                z.writestr(name, text)
        if patch is not None:
            path.write_bytes(patch(path.read_bytes()))
    return make


def _set_header_field(data, local_offset, central_offset, value, size=2):
    """Patch a field of every local (PK\\3\\4) and central (PK\\1\\2) header."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        start = data.find(signature)
        while start != -1:
            data[start + offset:start + offset + size] = value.to_bytes(size, "little")
            start = data.find(signature, start + 4)
    return bytes(data)


def _corrupt_stream(data):
    """Overwrite part of the first member's compressed bytes (after its 30-byte local header, name and extra)."""
    data = bytearray(data)
    start = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little")
    data[start + 5:start + 45] = bytes(range(7, 47))
    return bytes(data)


def _symlink_member(path, files):
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo(MODULE)
        info.external_attr = (_stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "../../solutions/ch1_gradient_descent.py")


def _many_members(path, files):
    """400 distinct chN_*.py members of 1 MB each (400 MB unpacked, ~0.4 MB zipped) and the real module."""
    block = "#" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MODULE, files[MODULE])
        for i in range(200):
            z.writestr(f"ch{1 + i % 3}_extra_{i}.py", block)
            z.writestr(f"nested/ch1_copy_{i}.py", block)


HONEST = dict(files={MODULE: SOLUTION}, earns="all", phrase="every check passed")

GD_STEP_IN_PLACE = '''
def gd_step(x, grad, lr):
    x -= lr * grad
    return x.copy()
'''

GD_STEP_HIDDEN = '''
import sys

def gd_step(x, grad, lr):
    original = x.copy()
    x -= lr * grad
    result = x.copy()
    for value in list(sys._getframe(1).f_locals.values()):
        if isinstance(value, list):
            for item in value:
                if isinstance(item, np.ndarray) and item.shape == x.shape:
                    item[...] = original  # hide the change from the child's own report
    return result
'''

REACHES = '''
import gc, os, sys

def _found():
    found = []
    for module in ("coursekit.exercises.checks.ch1.objectives", "coursekit.exercises.checks.ch1", "coursekit.grade.grader"):
        try:
            __import__(module)
            found.append(module)
        except ImportError:
            pass
    grade_dir = os.path.dirname(os.path.abspath(sys.argv[0]))
    for path in (os.path.join(grade_dir, "grader.py"), os.path.join(grade_dir, "..", "exercises", "checks", "ch1", "__init__.py"),
                 os.path.join(grade_dir, "..", "..", "solutions", "ch1_gradient_descent.py")):
        try:
            open(path).read()
            found.append(path)
        except OSError:
            pass
    return found

FOUND = _found()

def numerical_gradient(f, x, eps=1e-6):
    owners = [getattr(f, "__self__", None)] + [c.cell_contents for c in (getattr(f, "__closure__", None) or ())]
    for owner in list(owners):
        owners += [c.cell_contents for c in (getattr(owner, "__closure__", None) or ())]
    owners += [o for o in gc.get_objects() if hasattr(type(o), "grad")]
    for owner in owners:
        if hasattr(owner, "grad"):
            return owner.grad(x)
    if FOUND:
        raise RuntimeError(f"reached {FOUND}")
    return np.zeros_like(np.asarray(x, dtype=float))
'''

SABOTAGE = '''
import os, resource
CHANGED = 0
_me = os.getpid()
for _pid in range(max(2, _me - 300), _me + 300):
    if _pid == _me:
        continue
    for _attempt in (lambda: resource.prlimit(_pid, resource.RLIMIT_AS, (1 << 20, 1 << 20)),
                     lambda: os.setpriority(os.PRIO_PROCESS, _pid, 19),
                     lambda: os.sched_setaffinity(_pid, {0})):
        try:
            _attempt()
            CHANGED += 1
        except OSError:
            pass

def gd_step(x, grad, lr):
    raise RuntimeError(f"changed {CHANGED} other processes")
'''

ATTACKS = {
    # 1. forged replies: the nonce is known to the submission; the parent must survive any reply
    "forged_complex_overflow": dict(files={MODULE: _forging("b'{\"$complex\":[1' + b'0' * 400 + b',0]}'")},
                                    earns=all_but("shape"), phrase="a number of 401 characters", attack=1),
    "forged_array_shape": dict(files={MODULE: _forging("b'{\"$array\":[\"f8\",[0,18446744073709551616],\"\"]}'")},
                               earns=all_but("shape"), phrase="was not plain data", attack=1),
    "forged_callback": dict(files={MODULE: _misbehave_on_matrices('''
        import json, os, struct, sys
        loop = sys._getframe(1).f_locals
        body = json.dumps({"op": "callback", "id": loop["request"]["id"], "fn": 99, "args": [], "kwargs": {},
                           "nonce": loop["nonce"]}).encode()
        os.write(loop["replies"].fileno(), b"CKG1" + struct.pack("<I", len(body)) + body)
        raise RuntimeError("forged callback answered: " + str(loop["receive"](loop["requests"]).get("ok")))
    ''')}, earns=all_but("shape"), phrase="forged callback answered: False", attack=1),

    # 2. zip members that zipfile cannot read
    "zip_encrypted": dict(files={MODULE: SOLUTION}, zip=_zip_with(lambda d: _set_header_field(d, 6, 8, 1)),
                          earns=[], phrase="is encrypted", attack=2),
    "zip_unknown_method": dict(files={MODULE: SOLUTION}, zip=_zip_with(lambda d: _set_header_field(d, 8, 10, 99)),
                               earns=[], phrase="compression method", attack=2),
    "zip_corrupt_deflate": dict(files={MODULE: SOLUTION}, zip=_zip_with(_corrupt_stream),
                                earns=[], phrase="corrupt", attack=2),
    "zip_corrupt_lzma": dict(files={MODULE: SOLUTION}, zip=_zip_with(_corrupt_stream, zipfile.ZIP_LZMA),
                             earns=[], phrase="corrupt", attack=2),
    "zip_truncated": dict(files={MODULE: SOLUTION}, zip=_zip_with(lambda d: d[:len(d) // 2] + d[-22:]),
                          earns=[], phrase="zip", attack=2),

    # 3. the child changes the parent's limits
    "prlimit_parent": dict(files={MODULE: _misbehave_on_matrices('''
        import os, resource
        denied = 0
        for which, value in ((resource.RLIMIT_FSIZE, 0), (resource.RLIMIT_NOFILE, 3), (resource.RLIMIT_CPU, 1)):
            try:
                resource.prlimit(os.getppid(), which, (value, value))
            except OSError:
                denied += 1
        raise RuntimeError(f"prlimit on the parent denied {denied} of 3")
    ''')}, earns=all_but("shape"), phrase="prlimit on the parent denied 3 of 3", needs="seccomp", attack=3),

    # 4. the child sabotages its siblings (found by guessing pids: /proc is not readable)
    "sabotage_siblings": dict(files={MODULE: _module(HONEST_GRADIENT + SABOTAGE)},
                              earns=GRADIENT_CHECKS, phrase="changed 0 other processes", needs="seccomp", attack=4),

    # 5. symlinks and special files, read by the parent
    "symlink_to_solutions": dict(files={}, links={MODULE: str(ROOT / "solutions" / "ch1_gradient_descent.py")},
                                 earns=[], phrase="symbolic link", attack=5),
    "symlink_to_kmsg": dict(files={}, links={MODULE: "/proc/kmsg"}, earns=[], phrase="symbolic link", attack=5),
    "fifo_module": dict(files={}, fifo=[MODULE], earns=[], phrase="not a regular file", attack=5),
    "zip_symlink_member": dict(files={}, zip=_symlink_member, earns=[], phrase="symbolic link", attack=5),

    # 6. the grader's reference code and the objects behind the callables
    "reaches_for_the_judges": dict(files={MODULE: _module(REACHES)}, earns=[], phrase="still all zeros", attack=6),

    # 7. in-place changes: an honest mutator gets a note, a hidden one gains nothing over it
    "mutates_input": dict(files={MODULE: _module(HONEST_GRADIENT + GD_STEP_IN_PLACE)}, earns=GRADIENT_CHECKS,
                          extra=["gd_step/new point"], phrase="x was modified by the call", attack=7),
    "mutates_input_and_hides_it": dict(files={MODULE: _module(HONEST_GRADIENT + GD_STEP_HIDDEN)},
                                       earns=GRADIENT_CHECKS, extra=["gd_step/new point"],
                                       phrase=re.compile(r"gd_step\s+1/1\s+passed"), absent="x was modified by the call",
                                       attack=7),   # its report is forged: no note, and no more points

    # 8. replies that would take the parent minutes to parse, decode and judge
    "forged_30mb_of_nested_lists": dict(files={MODULE: _forging('b"[" + b"[]," * 10_000_000 + b"[]]"')},
                                        earns=all_but("shape"), phrase="lists and dicts", attack=8),
    "forged_60mb_frame": dict(files={MODULE: _forging('b"[" + b"[]," * 20_000_000 + b"[]]"')},
                              earns=all_but("shape"), phrase="byte limit", attack=8),
    "forged_flat_list_of_4m_numbers": dict(files={MODULE: _forging('b"[" + b"0.5," * 4_000_000 + b"0.5]"')},
                                           earns=all_but("shape"), phrase="values", attack=8),
    "forged_deep_nesting": dict(files={MODULE: _forging('b"[" * 60_000 + b"]" * 60_000')},
                                earns=all_but("shape"), phrase="not valid JSON", attack=8),
    "huge_callback_arguments": dict(files={MODULE: _misbehave_on_matrices("return f(np.zeros(1 << 21))")},
                                    earns=all_but("shape"), phrase="arrays of more than", attack=8),
    "returns_a_huge_list": dict(files={MODULE: _misbehave_on_matrices("return [[0.0]] * 90_000")},
                                earns=all_but("shape"), phrase="should be a NumPy array", attack=8),

    # 9. text: lone surrogates and terminal escapes in messages and output
    "surrogates_and_escapes": dict(files={MODULE: _misbehave_on_matrices(
        'import os\nos.write(1, b"\\x1b[2J\\x1b]0;pwned\\x07\\xed\\xa0\\x80\\xff CLEARED\\n")\n'
        'raise ValueError("\\ud800 \\x1b[31mRED\\x1b[0m \\x1b]0;title\\x07 \\u202eevil")')},
        earns=all_but("shape"), phrase="RED", attack=9),

    # 10. resources outside the child: unpacked size, SysV IPC objects (temporary folders: test_hostile.py)
    "zip_of_many_big_members": dict(files={MODULE: SUBMISSIONS["honest_partial"]["files"][MODULE]},
                                    zip=_many_members, earns=all_but("central"), phrase="ignore the eps", attack=10),
    "sysv_ipc_objects": dict(files={MODULE: _misbehave_on_matrices('''
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        made = sum(libc.shmget(0, 1 << 20, 0o1600) >= 0 for _ in range(5))
        made += sum(libc.semget(0, 1, 0o1600) >= 0 for _ in range(5))
        made += sum(libc.msgget(0, 0o1600) >= 0 for _ in range(5))
        raise RuntimeError(f"made {made} IPC objects")
    ''')}, earns=all_but("shape"), phrase="made 0 IPC objects", needs="seccomp", attack=10),

    # 11. names: a/hw, b/hw, c/hw-2 are three rows with three results.json
    "a_hw": dict(HONEST, path="a/hw", csv_name="hw", attack=11),
    "b_hw": dict(path="b/hw", csv_name="hw-2", files={MODULE: _module(ZEROS)}, earns=[], phrase="still all zeros",
                 attack=11),
    "c_hw2": dict(path="c/hw-2", csv_name="hw-2-2", files=SUBMISSIONS["honest_partial"]["files"],
                  earns=all_but("central"), phrase="ignore the eps", attack=11),
}

# Issue 19: file metadata from inside the sandbox (each attempt a no-op if it were allowed: same mode, owner,
# times and flags, a lease dropped at once), then expensive callback arguments, long numbers, zip extra fields.
METADATA = '''
    import fcntl, os
    here = os.getcwd()
    attempts = []
    for path in (os.path.dirname(here), here, os.path.join(here, "ch1_gradient_descent.py"), np.__file__):
        try:
            st = os.stat(path)
            mode, owner, times = st.st_mode & 0o7777, (st.st_uid, st.st_gid), (st.st_atime_ns, st.st_mtime_ns)
        except OSError:           # a folder it cannot even walk to (a private TMPDIR)
            mode, owner, times = 0o700, (os.getuid(), os.getgid()), (0, 0)
        attempts += [lambda p=path, m=mode: os.chmod(p, m),
                     lambda p=path, o=owner: os.chown(p, *o),
                     lambda p=path, t=times: os.utime(p, ns=t),
                     lambda p=path: os.setxattr(p, "user.coursekit_probe", b"1")]

    def on_fd(path, request, arg, ioctl=False, undo=None):
        fd = os.open(path, os.O_RDONLY)
        try:
            (fcntl.ioctl if ioctl else fcntl.fcntl)(fd, request, arg)
            if undo is not None:
                fcntl.fcntl(fd, request, undo)
        finally:
            os.close(fd)

    def same_flags(path):
        fd = os.open(path, os.O_RDONLY)
        try:
            flags = fcntl.ioctl(fd, 0x80086601, bytes(8))     # FS_IOC_GETFLAGS
            fcntl.ioctl(fd, 0x40086602, flags)                # FS_IOC_SETFLAGS
        finally:
            os.close(fd)

    attempts += [lambda: on_fd(np.__file__, fcntl.F_SETLEASE, fcntl.F_RDLCK, undo=fcntl.F_UNLCK),
                 lambda: on_fd(here, fcntl.F_NOTIFY, fcntl.DN_MODIFY),
                 lambda: on_fd(np.__file__, fcntl.F_SETOWN, os.getpid()),
                 lambda: on_fd(np.__file__, 10, 0),           # F_SETSIG
                 lambda: same_flags(np.__file__)]
    denied = 0
    for attempt in attempts:
        try:
            attempt()
        except OSError:
            denied += 1
    raise RuntimeError(f"metadata changes denied {denied} of {len(attempts)}")
'''


def _extra_fields_zip(path, files):
    """The real module after 9,000 empty members whose extra fields are 124 bytes of 4-byte fields."""
    with zipfile.ZipFile(path, "w") as z:
        for i in range(9000):
            info = zipfile.ZipInfo(f"padding/f{i}.txt")
            info.extra = b"\x99\x99\x00\x00" * 31
            z.writestr(info, b"")
        z.writestr(MODULE, files[MODULE])


ISSUE_19 = {
    "changes_file_metadata": dict(files={MODULE: _misbehave_on_matrices(METADATA)}, earns=all_but("shape"),
                                  phrase="metadata changes denied 21 of 21", needs="seccomp"),
    "callback_float16_batch": dict(files={MODULE: _module(HONEST_GRADIENT + '''
def minibatch_gradient(grad, w, X, y, batch_size, rng):
    return grad(np.ones((1 << 14, len(w)), dtype=np.float16), X, y)   # 655,360 entries: within the wire limits
''')}, earns=GRADIENT_CHECKS, phrase="given an array of float16"),
    "callback_batch_of_w": dict(files={MODULE: _module(HONEST_GRADIENT + '''
def minibatch_gradient(grad, w, X, y, batch_size, rng):
    big = np.ones((4096, len(w)))
    return grad(big, big, np.ones(4096))
''')}, earns=GRADIENT_CHECKS, phrase="larger than the arrays it is meant for"),
    "forged_long_numbers": dict(files={MODULE: _forging('b"[" + b"0.1234567890123456789012345678901234567890," * 100_000 + b"0]"')},
                                earns=all_but("shape"), phrase="a number of 42 characters"),
    "zip_extra_fields": dict(files={MODULE: SOLUTION}, zip=_extra_fields_zip, earns=[], phrase="extra fields"),
}

# honest submissions between the attacks: they must keep full marks
ALL = dict(SUBMISSIONS)
for _i, (_name, _spec) in enumerate(list(ATTACKS.items()) + list(ISSUE_19.items())):
    if _i % 10 == 0:
        ALL[f"honest_{_i // 10 + 1}"] = dict(HONEST)
    ALL[_name] = _spec
