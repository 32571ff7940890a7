"""The old paths of moved modules keep working for one release, and say where the module went."""
import importlib
import sys
import warnings

import pytest

MOVED = {"coursekit.schedules": "coursekit.optim.schedules", "coursekit.clipping": "coursekit.optim.clipping"}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_warns_naming_the_new_one_and_exports_the_same_objects(old):
    new = importlib.import_module(MOVED[old])
    sys.modules.pop(old, None)                       # a fresh import: the warning is raised once per import
    with pytest.warns(DeprecationWarning, match=MOVED[old].replace(".", r"\.")) as record:
        alias = importlib.import_module(old)
    assert alias.__all__ == new.__all__ and new.__all__
    for name in new.__all__:
        assert getattr(alias, name) is getattr(new, name), name


def test_the_new_paths_import_without_warning():
    for new in MOVED.values():
        sys.modules.pop(new, None)
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            importlib.import_module(new)
