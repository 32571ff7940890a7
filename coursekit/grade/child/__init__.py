"""The grading child: the program a submission runs in (``main.py``) and its confinement (``sandbox.py``).

The parent runs ``main.py`` by path (``python -I -S -B``); nothing here imports coursekit, and
this ``__init__`` is never run in the child. In coursekit 0.1.0 this path was the parent's
module: ``Child``, ``Limits``, ``ChildError``, ``SandboxError`` and ``close_all`` now live in
coursekit.grade.parent (the first three are exported by coursekit.grade as before).
"""
_MOVED = ("Child", "Limits", "ChildError", "SandboxError", "close_all", "read_paths", "BUDGET_PER_TIMEOUT")


def __getattr__(name):
    if name in _MOVED:
        raise ImportError(f"coursekit.grade.child is the grading child's program now: import {name} from "
                          f"coursekit.grade.parent (Child, Limits and ChildError also from coursekit.grade)")
    raise AttributeError(f"module 'coursekit.grade.child' has no attribute {name!r}")
