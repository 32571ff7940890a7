"""Hostile (and one honest partial) chapter-1 submissions, written to a tmp folder by the tests.

Each entry: the files of the submission, ``earns`` (the numerical_gradient checks its
honest part passes; every other check of chapter 1 earns nothing), and a phrase its
report must contain. Kept as strings (not fixture folders) so that the conftest.py of
one of them can never be picked up by pytest itself.

Several of them misbehave only when x has 2+ axes (the "shape" check), so their other
checks must still earn their points. A new numerical_gradient check with such inputs
belongs in their ``all_but(...)`` lists.
"""
import textwrap

from coursekit.exercises import ch1

GRADIENT_CHECKS = [c.name for c in ch1.CHECKS if c.exercise == "numerical_gradient"]


def all_but(*names):
    return [n for n in GRADIENT_CHECKS if n not in names]


def points(spec):
    """The points a submission of SUBMISSIONS honestly deserves."""
    return sum(c.points for c in ch1.CHECKS if c.exercise == "numerical_gradient" and c.name in spec["earns"])

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
