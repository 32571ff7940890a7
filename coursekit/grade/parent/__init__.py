"""The grader's side of the trust boundary: starting a grading child and talking to it.

- coursekit.grade.parent.process: :class:`Child` (one child process: start, calls, callbacks, close),
  :func:`close_all`;
- coursekit.grade.parent.limits: :class:`Limits`, :class:`ChildError`, :class:`SandboxError`;
- coursekit.grade.parent.paths: what a child may read and import;
- coursekit.grade.parent.pipes: the parent's ends of the child's pipes.

The child's side is coursekit/grade/child/ (run by path, never imported); the frames both
sides exchange are coursekit.grade.wire.
"""
from coursekit.grade.parent.limits import BUDGET_PER_TIMEOUT, ChildError, Limits, SandboxError
from coursekit.grade.parent.paths import read_paths
from coursekit.grade.parent.process import Child, close_all

__all__ = ["BUDGET_PER_TIMEOUT", "Child", "ChildError", "Limits", "SandboxError", "close_all", "read_paths"]
