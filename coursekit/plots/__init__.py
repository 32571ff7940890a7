"""Pictures of landscapes and runs (matplotlib).

These functions take results (a :class:`~coursekit.runs.trajectory.Trajectory`, arrays of
iterates or losses) and draw them; they never run an optimizer. Each returns the
matplotlib Axes (or an HTML object for :func:`animate`) so a notebook can add to it.

- :func:`contour`: the landscape's contour map with one or several paths on it;
- :func:`surface`: the landscape as a 3-D surface;
- :func:`slice_1d`: the function along a line with the iterates on it (the 2/L story);
- :func:`loss_curves`: loss (or optimality gap) per step, log scale by default;
- :func:`heatmap`: a grid of results, e.g. final losses of a (lr, momentum) sweep;
- :func:`against_theory`: a measurement with its theory drawn over it; :func:`gradient_cloud`:
  mini-batch gradients as point clouds; :func:`integer_steps`: integer ticks on a step axis;
- :func:`animate`: paths growing step by step, as HTML for a notebook;
- :func:`linear_boundaries`: two classes in the plane and linear decision boundaries;
- :func:`paths_1d`: a function of one variable with gradient-descent iterates on its curve;
- chapter 2 (module ``optimizers``): :func:`frequency_response`, :func:`stability_region`,
  :func:`sweep_heatmap`, :func:`decision_regions`; module ``eigen``: momentum one
  eigen-direction at a time (``eigen.contraction``, ``eigen.components``);
- chapter 4 (module ``tuning``, not loaded by this package): studies, brackets, comparisons.

Modules: ``landscape`` (contour, surface, slice_1d, landscape_grid, level_values),
``curves`` (loss_curves, heatmap), ``animation`` (animate); ``_common`` turns the
accepted inputs into plain NumPy paths.

Artists carry a ``gid`` ("trajectory", "start", "end", "diverged", "minimizer",
"stationary", "slice") so that tests and notebooks can find them.
"""
from . import eigen
from .animation import animate
from .classes import linear_boundaries
from .oned import paths_1d
from .curves import against_theory, gradient_cloud, heatmap, integer_steps, loss_curves
from .landscape import contour, landscape_grid, landscape_title, level_values, slice_1d, surface
from .optimizers import decision_regions, frequency_response, stability_region, sweep_heatmap

__all__ = ["contour", "surface", "loss_curves", "slice_1d", "heatmap", "animate",
           "landscape_grid", "landscape_title", "level_values", "against_theory", "gradient_cloud",
           "integer_steps", "frequency_response", "stability_region", "sweep_heatmap", "decision_regions",
           "linear_boundaries", "paths_1d"]
