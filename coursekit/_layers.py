"""The floor plan of coursekit: its layers, bottom to top (docs/architecture.md draws them).

A module imports modules of its own layer and of the layers below, never above; a module
on an ``isolated`` layer imports nothing of coursekit at all. tests/test_layers.py reads
this list, parses every module (imports inside functions, relative imports and
``importlib`` calls included) and fails on any other edge, naming file, line and layers.

Each layer names the modules on it today: ``"coursekit.x"`` is that module (or package
``__init__``), ``"coursekit.x.*"`` every module under the package ``x``; the most specific
pattern wins. Data only: this module imports nothing.
"""
from __future__ import annotations

__all__ = ["LAYERS", "ALIASES", "layer_names"]

#: (name, what it holds, module patterns, isolated), bottom first.
LAYERS = (
    ("base", "the array backend and argument checks",
     ("coursekit.backend", "coursekit._validate", "coursekit._layers"), False),
    ("optim", "optimizers (reference math and fast paths), schedules, clipping",
     ("coursekit.optim", "coursekit.optim.*",
      "coursekit.schedules", "coursekit.clipping"), False),   # the last two: aliases of optim.*, one release
    ("problems", "what is minimized: landscapes, models with hand-written gradients, data sets",
     ("coursekit.functions", "coursekit.functions.*", "coursekit.models", "coursekit.models.*",
      "coursekit.data"), False),
    ("theory", "closed forms, and the numbers that test them (rates, noise floors, gradient checks)",
     ("coursekit.theory", "coursekit.theory.*", "coursekit.momentum", "coursekit.noise_floor",
      "coursekit.noise", "coursekit.gradcheck"), False),
    ("plots", "pictures of what they are given, or of closed forms; never run an optimizer",
     ("coursekit.plots", "coursekit.plots.*", "coursekit.tuning.plotting"), False),
    ("runs", "the run loop and its record: minimize, Trajectory, the training loop",
     ("coursekit.runs", "coursekit.runs.*", "coursekit.trajectory", "coursekit.training"), False),
    ("algorithms", "chapter 3's convex methods, chapter 4's searches",
     ("coursekit.convex", "coursekit.convex.*", "coursekit.tuning", "coursekit.tuning.*"), False),
    ("experiments", "the measurements behind the figures, and the speed benchmark",
     ("coursekit.experiments", "coursekit.experiments.*", "coursekit.sweeps", "coursekit.conditioning",
      "coursekit.convex.compare", "coursekit.tuning.experiments", "coursekit.tuning.compare", "coursekit.bench",
      "coursekit.bench.*"), False),
    ("widgets", "the notebooks' explorers and races (ipywidgets, static fallback)",
     ("coursekit.widgets", "coursekit.widgets.*", "coursekit.race", "coursekit.convex_explorer"), False),
    ("exercises", "the exercises' checks, their specs, the stub sync",
     ("coursekit.exercises", "coursekit.exercises.*"), False),
    ("grading child", "the program a submission runs in, and the wire codec: standard library and NumPy only",
     ("coursekit.grade.child", "coursekit.grade.child.*", "coursekit.grade.wire"), True),
    ("grade", "the grader's parent process: sessions, verdicts, reports, the CLI",
     ("coursekit.grade", "coursekit.grade.*"), False),
    ("package", "the package root (lazy front door) and the instructors' tools that ship it",
     ("coursekit", "coursekit.release", "coursekit.autograder"), False),
)

#: Old paths kept for one release after issue 18's moves: old module -> where it went. Each
#: holds ``from <new> import *`` and a DeprecationWarning naming the new path, sits on its
#: target's layer above, and nothing of the repository imports it (tests/test_aliases.py).
ALIASES = {
    "coursekit.schedules": "coursekit.optim.schedules",
    "coursekit.clipping": "coursekit.optim.clipping",
    "coursekit.momentum": "coursekit.theory.momentum",
    "coursekit.gradcheck": "coursekit.theory.gradcheck",
    "coursekit.noise_floor": "coursekit.theory.noise_floor",
    "coursekit.noise": "coursekit.theory.gradient_noise",
    "coursekit.trajectory": "coursekit.runs.trajectory",
    "coursekit.training": "coursekit.runs.training",
    "coursekit.tuning.plotting": "coursekit.plots.tuning",
    "coursekit.conditioning": "coursekit.experiments.ch1_conditioning",
    "coursekit.sweeps": "coursekit.experiments.ch2",
    "coursekit.convex.compare": "coursekit.experiments.ch3",
    "coursekit.tuning.experiments": "coursekit.experiments.ch4",
    "coursekit.tuning.compare": "coursekit.experiments.ch4_compare",
    "coursekit.race": "coursekit.widgets.race",
    "coursekit.convex_explorer": "coursekit.widgets.convex",
}


def layer_names() -> list[str]:
    """The layers' names, bottom first."""
    return [name for name, *_ in LAYERS]
