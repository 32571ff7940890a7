"""pytest option ``--target exercises|solutions`` for the exercise tests.

Loaded with ``-p coursekit.exercises.pytest_plugin`` (the project's pytest ``addopts``),
so the option is known before pytest reads its command line: ``--target exercises``
and ``--target=exercises`` then mean the same, and ``exercises`` is never mistaken
for a test path whose ``conftest.py`` pytest would import.
"""


def pytest_addoption(parser):
    parser.addoption("--target", choices=("exercises", "solutions"), default="exercises",
                     help="folder of chapter modules graded by tests/exercises (default: exercises)")
