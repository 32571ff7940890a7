"""The child process: isolated interpreter, scrubbed environment, limits, confinement."""
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from coursekit.exercises.checks import ch1
from coursekit.grade.parent import Child, ChildError, Limits
from coursekit.grade.grader import ChapterSession

ROOT = Path(__file__).resolve().parents[2]
LINUX = sys.platform == "linux"

PROBE = '''
import os, sys
import numpy as np

def attempt(action, *args):
    try:
        {"fork": os.fork, "kill_parent": lambda: os.kill(os.getppid(), 0),
         "socket": lambda: __import__("socket").socket(),
         "write": lambda p: open(p, "w").write("x"), "read": lambda p: open(p).read(),
         "listdir": os.listdir, "spawn": lambda: __import__("subprocess").run(["true"]),
         "raise_memory_limit": lambda: __import__("resource").setrlimit(__import__("resource").RLIMIT_AS, (-1, -1)),
         "limit_parent": lambda: __import__("resource").prlimit(os.getppid(), __import__("resource").RLIMIT_NOFILE),
         "renice_parent": lambda: os.setpriority(os.PRIO_PROCESS, os.getppid(), 19),
         "pin_parent": lambda: os.sched_setaffinity(os.getppid(), {0}),
         "shared_memory": lambda: _ipc("shmget", 0, 4096, 0o1600),
         "semaphore": lambda: _ipc("semget", 0, 1, 0o1600),
         "message_queue": lambda: _ipc("msgget", 0, 0o1600),
         }[action](*args)
    except BaseException as exc:
        return "denied: " + type(exc).__name__
    return "allowed"

def _ipc(name, *args):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) < 0:
        raise OSError(ctypes.get_errno(), name)

def own_limits():
    import resource
    return [resource.getrlimit(resource.RLIMIT_AS)[0], resource.prlimit(0, resource.RLIMIT_NOFILE)[0]]

def environment():
    return {"env": sorted(os.environ), "cwd": os.getcwd(), "path": list(sys.path), "uid": os.getuid(),
            "isolated": sys.flags.isolated, "no_site": sys.flags.no_site, "modules": sorted(sys.modules)}

def try_import(name):
    try:
        __import__(name)
    except BaseException as exc:
        return "denied: " + type(exc).__name__
    return "allowed"

def spam(n):
    os.write(1, b"z" * n)
    return n

def die():
    os._exit(3)

def echo(x):
    return x
'''


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe")
    (folder / "probe.py").write_text(PROBE)
    (folder / "sitecustomize.py").write_text("raise SystemExit('sitecustomize must not run')\n")
    with Child(folder / "probe.py", "probe", Limits(timeout=5, output_bytes=1000)) as child:
        assert child.start()["ok"]
        yield child


def value(child, function, *args):
    reply = child.call(function, args)
    assert reply["ok"], reply
    return reply["value"]


def test_interpreter_is_isolated_with_a_scrubbed_environment(probe):
    env = value(probe, "environment")
    assert env["isolated"] == 1 and env["no_site"] == 1
    assert set(env["env"]) <= {"PATH", "HOME", "LANG", "LC_ALL", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                               "MKL_NUM_THREADS", "LC_CTYPE"}
    assert Path(env["cwd"]) == Path(probe.workdir) and sorted(os.listdir(probe.workdir)) == ["probe.py"]
    assert str(ROOT) not in env["path"] and "" not in env["path"]
    assert "sitecustomize" not in env["modules"] and "coursekit.plots" not in env["modules"]


def test_only_numpy_and_the_standard_library_are_importable(probe):
    for name in ("solutions", "tests", "coursekit", "coursekit.exercises", "coursekit.grade.grader", "scipy"):
        assert value(probe, "try_import", name).startswith("denied"), name
    for name in ("numpy.linalg", "numpy.fft", "math", "itertools"):
        assert value(probe, "try_import", name) == "allowed", name


@pytest.mark.skipif(not LINUX, reason="kernel confinement is Linux-only")
def test_confinement_layers_are_active(probe):
    layers = " | ".join(probe.sandbox)
    assert "resource limits" in layers
    if "landlock v" not in layers or "seccomp:" not in layers:
        pytest.skip(f"this kernel lacks Landlock or seccomp: {layers}")


@pytest.mark.skipif(not LINUX, reason="kernel confinement is Linux-only")
@pytest.mark.parametrize("action, args", [
    ("fork", ()), ("spawn", ()), ("kill_parent", ()), ("socket", ()),
    ("write", (str(ROOT / "coursekit" / "grade" / "pwned.py"),)), ("write", ("results.json",)),
    ("read", (str(ROOT / "solutions" / "ch1_gradient_descent.py"),)), ("listdir", (str(ROOT / "tests"),)),
    ("raise_memory_limit", ()), ("limit_parent", ()), ("renice_parent", ()), ("pin_parent", ()),
    ("shared_memory", ()), ("semaphore", ()), ("message_queue", ()),
])
def test_the_child_cannot_escape(probe, action, args):
    if "seccomp:" not in " ".join(probe.sandbox) or "landlock v" not in " ".join(probe.sandbox):
        pytest.skip("kernel confinement unavailable")
    assert value(probe, "attempt", action, *args).startswith("denied")
    assert not (ROOT / "coursekit" / "grade" / "pwned.py").exists()


def test_the_child_still_reads_its_own_limits(probe):
    assert value(probe, "own_limits") == [1024 * 2048 * 1024, 256]


def test_output_is_captured_and_truncated(probe):
    assert value(probe, "spam", 3_000_000) == 3_000_000
    time.sleep(0.2)
    assert probe.output.startswith("z" * 1000) and "more bytes of output dropped" in probe.output


def test_a_timeout_kills_the_process_group(tmp_path):
    """An infinite loop is stopped once it has used its CPU budget, whatever the load made that take."""
    (tmp_path / "slow.py").write_text("def spin(n):\n    while n:\n        pass\n    return n\n")
    with Child(tmp_path / "slow.py", "slow", Limits(timeout=0.5)) as child:
        child.start()
        assert child.call("spin", (0,))["value"] == 0
        start = time.perf_counter()
        with pytest.raises(ChildError, match=r"no answer within 0.5 s of CPU time while running spin") as info:
            child.call("spin", (1,))
        assert info.value.kind == "timeout" and 0.4 <= time.perf_counter() - start < 65   # grader + child CPU; ceiling 65 s
        assert not child.alive


def test_a_crash_is_reported_and_the_session_restarts(tmp_path):
    (tmp_path / "ch1_gradient_descent.py").write_text(
        "import os, numpy as np\n"
        "def numerical_gradient(f, x, eps=1e-6):\n"
        "    if np.ndim(x) == 1 and len(x) == 4:\n"
        "        os._exit(7)\n"
        "    g = np.zeros_like(x)\n"
        "    for i in np.ndindex(x.shape):\n"
        "        e = np.zeros_like(x); e[i] = eps\n"
        "        g[i] = (f(x + e) - f(x - e)) / (2 * eps)\n"
        "    return g\n")
    with ChapterSession(tmp_path / "ch1_gradient_descent.py", ch1, Limits(timeout=5)) as session:
        quadratic, central = session.run(ch1.CHECKS[0]), session.run(ch1.CHECKS[1])
    assert quadratic.status == "crashed" and "exit status 7" in quadratic.hint
    assert central.passed  # a fresh child served the next check


def test_no_process_is_left_behind(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n    return 1\n")
    children = [Child(tmp_path / "m.py", "m", Limits(timeout=5)) for _ in range(3)]
    pids = [c.proc.pid for c in children]
    for c in children:
        c.start()
        assert c.call("f")["value"] == 1
        c.close()
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    assert not any(Path(c.workdir).exists() for c in children)


def test_large_arrays_cross_both_ways(probe):
    x = np.random.default_rng(0).normal(size=(500, 400))
    reply = probe.call("echo", (x,))
    assert np.array_equal(reply["value"], x) and np.array_equal(reply["after"][0], x)


def test_limits_are_validated():
    with pytest.raises(ValueError, match="timeout"):
        Limits(timeout=0)


@pytest.mark.skipif(not LINUX or os.geteuid() != 0, reason="only meaningful when grading as root")
def test_as_root_the_child_is_unprivileged_or_stripped_of_capabilities(probe):
    uid = value(probe, "environment")["uid"]
    assert uid != 0 or "capabilities dropped" in probe.sandbox


def test_companion_modules_are_importable_and_nothing_else(tmp_path):
    (tmp_path / "helpers.py").write_text("def twice(x):\n    return 2 * x\n")
    (tmp_path / "main.py").write_text("import os\nfrom helpers import twice\n"
                                      "def run(x):\n    return twice(x), sorted(os.listdir('.'))\n")
    (tmp_path / "conftest.py").write_text("raise SystemExit\n")
    with Child(tmp_path / "main.py", "main", Limits(timeout=5), companions={"helpers": tmp_path / "helpers.py"}) as c:
        assert c.start()["ok"]
        assert c.call("run", (3,))["value"] == (6, ["helpers.py", "main.py"])


def test_a_syntax_error_is_reported_with_its_line(tmp_path):
    (tmp_path / "ch1_gradient_descent.py").write_text("import numpy as np\n\ndef numerical_gradient(f, x, eps=1e-6)\n")
    with ChapterSession(tmp_path / "ch1_gradient_descent.py", ch1, Limits(timeout=5)) as session:
        results = [session.run(c) for c in ch1.CHECKS]
    assert all(r.status == "import error" and "SyntaxError" in r.hint and "line 3" in r.hint for r in results)
