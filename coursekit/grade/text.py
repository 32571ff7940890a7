"""Text from a submission, made safe for the terminal, the CSV and the JSON.

Everything a child sends (exception messages, printed output, returned strings shown
in hints) and every submission name passes through :func:`clean` before it is shown
or written: lone surrogates become U+FFFD, ANSI escape sequences and other control
characters (C0, C1, bidirectional overrides) are removed, the length is bounded.
"""
import re

_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_AND_LINES = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(value, limit=None, keep_lines=False):
    """``str(value)`` with invalid Unicode replaced and control characters removed, cut at ``limit``.

    ``keep_lines``: keep newlines and tabs (printed output); otherwise they become spaces.
    """
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 -- a rigged __str__
        text = "<unprintable>"
    if limit is not None and len(text) > 4 * limit:
        text = text[: 4 * limit]
    text = _SURROGATES.sub("\ufffd", _ESCAPES.sub("", text))
    if keep_lines:
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    else:
        text = _CONTROL_AND_LINES.sub(lambda m: " " if m.group() in "\n\t\r" else "", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def file_name(value, limit=100):
    """A submission name usable as a file name: clean, no path separators, not hidden."""
    name = re.sub(r"[^\w.+-]+", "_", clean(value, limit)).strip("._") or "submission"
    return name[:limit]
