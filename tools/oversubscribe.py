"""Run a command with the CPUs oversubscribed: PER_CORE busy processes per core for its whole run.

    python tools/oversubscribe.py [--per-core 2] -- make test

The load test of the suite (``make test-load``): the suite's time limits must hold on a
machine this busy. The busy processes (pure-Python loops at normal priority) are started
before the command and stopped after it, by their own ids, whatever way it ends. Prints the
load and the wall time; exits with the command's status.
"""
import argparse
import os
import shlex
import signal
import subprocess
import sys
import time

BUSY = "while True:\n    pass\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tools/oversubscribe.py", description=__doc__.splitlines()[0])
    parser.add_argument("--per-core", type=int, default=2, metavar="N", help="busy processes per core (default 2)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or args.per_core < 0:
        parser.error("give a command after --, and --per-core >= 0")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    busy = [subprocess.Popen([sys.executable, "-c", BUSY], stdin=subprocess.DEVNULL)
            for _ in range(args.per_core * cores)]
    print(f"oversubscribe: {len(busy)} busy processes on {cores} cores ({args.per_core} per core) "
          f"while running: {shlex.join(command)}", flush=True)
    start, code = time.monotonic(), 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        code = subprocess.call(command)
    except KeyboardInterrupt:
        code = 130
    finally:
        for proc in busy:
            proc.kill()
        for proc in busy:
            proc.wait()
        load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
        print(f"oversubscribe: exit status {code} after {time.monotonic() - start:.0f} s; "
              f"load average at the end {' '.join(f'{x:.1f}' for x in load)}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
