"""The chapters' registry: ``CHAPTERS`` (number -> checks package) and ``chapter(number)``."""
from coursekit.exercises.checks import ch1, ch2, ch3, ch4

CHAPTERS = {module.NUMBER: module for module in (ch1, ch2, ch3, ch4)}


def chapter(number):
    """The checks of chapter ``number`` (int, or "ch1" / "1"): its package under coursekit.exercises.checks."""
    key = str(number).lower().removeprefix("ch")
    if not key.isdigit() or int(key) not in CHAPTERS:
        raise ValueError(f"chapter must be one of {sorted(CHAPTERS)}, got {number!r}")
    return CHAPTERS[int(key)]
