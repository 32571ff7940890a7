"""What a grading child may use, and how it fails: :class:`Limits`, :class:`ChildError`, :class:`SandboxError`."""
from dataclasses import dataclass

BUDGET_PER_TIMEOUT = 10          # a submission's calls take at most this many per-call timeouts in all


@dataclass(frozen=True)
class Limits:
    """Per-child limits: seconds per call and for the import (CPU plus sleep: a :class:`coursekit.grade.budget.Budget`), memory,
    CPU, output; wall
    seconds for one chapter's checks in all; wall seconds of calls for one submission in all
    (``submission_s``; default ``BUDGET_PER_TIMEOUT * timeout``); ``allow_same_user``: run the
    children with the grader's own rights where they cannot get a user of their own."""

    timeout: float = 10.0
    memory_mb: int = 2048
    cpu_s: int = 120
    output_bytes: int = 64 * 1024
    chapter_s: float = 300.0      # wall seconds for all of one chapter's checks, the grader's own work included
    submission_s: "float | None" = None
    allow_same_user: bool = False

    def __post_init__(self):
        for name in ("timeout", "memory_mb", "cpu_s", "output_bytes", "chapter_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if self.submission_s is not None and not self.submission_s > 0:
            raise ValueError(f"submission_s must be positive, got {self.submission_s!r}")

    @property
    def budget_s(self):
        """Wall seconds of calls (imports included) one submission may use in all."""
        return self.submission_s if self.submission_s is not None else BUDGET_PER_TIMEOUT * self.timeout


class ChildError(Exception):
    """The child timed out, died, or broke the protocol; ``kind`` says which."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message


class SandboxError(RuntimeError):
    """The grader could not start its own worker (an installation problem)."""

