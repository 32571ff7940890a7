"""Where a grading child finds its interpreter's packages, and what it may read once confined."""
import functools
import importlib.util
import os
import sysconfig
from pathlib import Path

from coursekit.grade.parent.limits import SandboxError

_SITE_NAMES = ("site-packages", "dist-packages")


def site_dirs():
    """The folders the child adds to sys.path for the allowed imports only (NumPy's included)."""
    import numpy

    dirs = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], str(Path(numpy.__file__).parents[1])]
    return list(dict.fromkeys(dirs))


@functools.lru_cache(maxsize=None)
def read_paths(allowed=("numpy",)):
    """What a child may read: the standard library (not its site-packages), the allowed packages, system libraries."""
    paths = []
    for key in ("stdlib", "platstdlib"):
        root = sysconfig.get_paths()[key]
        try:
            paths += [os.path.join(root, e) for e in sorted(os.listdir(root)) if e not in _SITE_NAMES]
        except OSError:
            continue
    for name in allowed:            # "scipy.stats": all of the scipy package is readable
        top = name.partition(".")[0]
        spec = importlib.util.find_spec(top)
        if spec is None:
            raise SandboxError(f"the module {name!r} a chapter allows is not installed")
        found = list(spec.submodule_search_locations or []) or [spec.origin]
        paths += found + [os.path.join(os.path.dirname(found[0]), f"{top}.libs")]  # wheels' bundled libraries
    multiarch = sysconfig.get_config_var("MULTIARCH")
    system = ["/lib64", "/usr/lib64", "/etc/ld.so.cache"] + ([f"/usr/lib/{multiarch}", f"/lib/{multiarch}"]
                                                           if multiarch else [])
    paths += [p for p in system if os.path.realpath(p) not in ("/usr/lib", "/lib", "/usr/local/lib")]
    return tuple(dict.fromkeys(p for p in paths if os.path.exists(p)))
