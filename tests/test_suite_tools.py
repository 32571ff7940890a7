"""The suite's own tools: the load test's busy processes, the random order, the licence."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SIBLINGS = """
import os, sys
parent = str(os.getppid())
busy = []
for stat in os.listdir("/proc"):
    if stat.isdigit() and stat != str(os.getpid()):
        try:
            fields = open(f"/proc/{stat}/stat").read().rsplit(")", 1)[1].split()
            cmd = open(f"/proc/{stat}/cmdline", "rb").read()
        except OSError:
            continue
        if fields[1] == parent and b"while True" in cmd:
            busy.append(stat)
print("BUSY", " ".join(busy))
sys.exit(3)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="counts processes in /proc")
def test_oversubscribe_runs_the_command_beside_busy_processes_and_stops_them():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "oversubscribe.py"), "--per-core", "1", "--",
                           sys.executable, "-c", SIBLINGS], capture_output=True, text=True, timeout=600)
    assert done.returncode == 3, done.stderr                      # the command's status
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("BUSY")]
    busy = line.split()[1:]
    assert len(busy) == len(os.sched_getaffinity(0))             # one per core, running beside the command
    assert not [pid for pid in busy if Path(f"/proc/{pid}").exists()]   # all stopped afterwards
    assert "busy processes on" in done.stdout and "exit status 3" in done.stdout


ORDER = """
import pathlib
LOG = pathlib.Path(__file__).with_name("order.txt")
""" + "".join(f"\ndef test_{k}():\n    with LOG.open('a') as f:\n        f.write('{k} ')\n" for k in range(12))


def test_random_order_is_a_shuffle_that_its_seed_repeats(tmp_path):
    """make test-random: pytest-random-order shuffles, and the printed seed gives the same order again."""
    (tmp_path / "test_order.py").write_text(ORDER)

    def order(*options):
        (tmp_path / "order.txt").unlink(missing_ok=True)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                               *options, "test_order.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return (tmp_path / "order.txt").read_text().split()

    plain = order()
    assert plain == [str(k) for k in range(12)]                  # without its options the order is unchanged
    first = order("--random-order-bucket=module", "--random-order-seed=5")
    assert sorted(first, key=int) == plain and first != plain
    assert order("--random-order-bucket=module", "--random-order-seed=5") == first
    assert order("--random-order-bucket=module", "--random-order-seed=6") != first


def test_the_licence_is_the_mit_text_pyproject_names():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "the Optimization for Machine Learning course authors" in text
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
