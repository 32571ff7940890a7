"""Deprecated alias of coursekit.grade.wire (the codec), kept for one release.

This module was both the grading child's program and the wire codec. The codec is now
coursekit.grade.wire; the child's program is coursekit/grade/child/main.py.
"""
import warnings

from coursekit.grade.wire import (DTYPES, INT_RANGE, MAGIC, MAX_CONTAINERS, MAX_DEPTH, MAX_ELEMENTS,  # noqa: F401
                                  MAX_FRAME, MAX_NUMBER, MAX_VALUES, WireError, decode, encode, frame,
                                  parse_payload, payload_length, read_frame, write_frame)

warnings.warn("coursekit.grade.worker is deprecated: import the codec from coursekit.grade.wire "
              "(the grading child's program is coursekit/grade/child/main.py)", DeprecationWarning, stacklevel=2)
