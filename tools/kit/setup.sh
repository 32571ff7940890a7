#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image; this zip is unpacked in
# /autograder/source. It installs coursekit from the wheel beside this script into a virtual
# environment, /autograder/venv, then starts one sandboxed grading worker to show that it works.
# Needs Python 3.10+ (Gradescope's Ubuntu 22.04 image or newer); the wheel's dependencies (NumPy,
# SciPy, ...) come from PyPI. For a trial outside Gradescope:
#   AUTOGRADER_ROOT    instead of /autograder
#   AUTOGRADER_PYTHON  the interpreter that makes the venv (default python3)
#   AUTOGRADER_PIP_ARGS  options for pip, e.g. --no-index (offline: the dependencies already visible)
# An existing $AUTOGRADER_ROOT/venv is reused.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-python3}"
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/venv"

if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
            && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip
    fi
    "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "coursekit needs Python 3.10 or newer, found " + sys.version.split()[0] + ": choose a newer base image (Ubuntu 22.04+)")'
    "$PYTHON" -m venv "$VENV"
fi
if [ -z "${AUTOGRADER_PIP_ARGS:-}" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
# shellcheck disable=SC2086  # AUTOGRADER_PIP_ARGS holds several options
"$VENV/bin/python" -m pip install --quiet ${AUTOGRADER_PIP_ARGS:-} "$SOURCE"/coursekit-*-py3-none-any.whl
"$VENV/bin/python" -m coursekit.autograder selftest
