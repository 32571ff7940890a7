"""The grader: isolated, tamper-proof grading of exercise submissions.

``python -m coursekit.grade [SUBMISSION ...]`` (coursekit.grade.cli) or, in Python::

    from coursekit.grade import grade_submission
    result = grade_submission("exercises", chapters=[1])
    check("ch1.gd_step")      # in a notebook: one exercise checked in place, shown as a table

Submitted code runs only in child processes (the program coursekit/grade/child/main.py,
confined by child/sandbox.py), started and spoken to by coursekit.grade.parent over the
frames of coursekit.grade.wire; the parent computes every verdict
(coursekit.grade.grader) and reports it (coursekit.grade.report). This package
never imports coursekit.plots or coursekit.widgets.
"""
_EXPORTS = {
    "grade_submission": "coursekit.grade.grader", "ChapterSession": "coursekit.grade.grader",
    "CheckResult": "coursekit.grade.grader", "ChapterResult": "coursekit.grade.grader",
    "SubmissionResult": "coursekit.grade.grader", "Limits": "coursekit.grade.parent",
    "Child": "coursekit.grade.parent", "ChildError": "coursekit.grade.parent",
    "check": "coursekit.grade.notebook", "CheckReport": "coursekit.grade.notebook",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):  # imported lazily: `import coursekit.grade.wire` loads nothing else
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'coursekit.grade' has no attribute {name!r}")
