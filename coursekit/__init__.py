"""coursekit: the package behind the course *Optimization for Machine Learning*.

``import coursekit`` loads nothing else (every ``import coursekit.x`` runs this first);
``coursekit.minimize`` and ``coursekit.Trajectory`` load the run loop when first used.
"""
__version__ = "0.1.0"
_EXPORTS = {"minimize": "coursekit.runs", "Trajectory": "coursekit.runs"}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'coursekit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
