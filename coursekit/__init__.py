"""coursekit: the package behind the course *Optimization for Machine Learning*."""
__version__ = "0.1.0"
from .runs import minimize, Trajectory
