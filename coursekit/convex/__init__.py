"""Convex and second-order tools (chapter 3), one idea per module.

- ``convexity``: find_violation (the chord test), min_hessian_eigenvalue, regularized
- ``line_search``: backtracking (Armijo)
- ``newton``: newton (pure and damped), newton_step (solve, never invert)
- ``cg``: conjugate_gradient, cg_bound, as_momentum / momentum_iterates (CG as momentum)
- ``projections``: project_box, project_ball, project_simplex
- ``prox``: prox_l1, projected_gradient, proximal_gradient (ISTA / FISTA)
- ``lasso``: lasso, lasso_path, lam_max
- ``assembly``: assemble_hessian, SpringChain (finite-element style Hessians)
- ``kkt``: kkt_box, kkt_ball (multipliers and residuals)
- ``stationary``: stationary_kind (minimum, saddle or maximum, from the Hessian's signs)
- ``duality``: lasso_duality_gap (a certificate of suboptimality and a stopping rule)
- ``subgradient``: subgradient_lasso (the foil: no exact zeros, O(1/sqrt k))

The measurement of GD, Newton and L-BFGS as d grows is :mod:`coursekit.experiments.ch3`.
Iterative methods return a :class:`coursekit.runs.trajectory.Trajectory`; arrays come from the
inputs' namespace (NumPy or CuPy).
"""
from .assembly import SpringChain, assemble_hessian
from .cg import as_momentum, cg_bound, conjugate_gradient, momentum_iterates
from .duality import lasso_dual_objective, lasso_dual_point, lasso_duality_gap
from .convexity import chord_gaps, find_violation, min_hessian_eigenvalue, regularized
from .kkt import KKT, kkt_ball, kkt_box
from .lasso import lam_max, lasso, lasso_objective, lasso_path
from .line_search import backtracking
from .newton import newton, newton_step
from .projections import project_ball, project_box, project_simplex
from .prox import projected_gradient, prox_l1, proximal_gradient
from .stationary import stationary_kind
from .subgradient import subgradient_lasso

__all__ = ["newton", "newton_step", "backtracking", "conjugate_gradient", "cg_bound", "as_momentum",
           "momentum_iterates", "project_box", "project_ball", "project_simplex", "prox_l1",
           "projected_gradient", "proximal_gradient", "lasso", "lasso_path", "lasso_objective", "lam_max",
           "find_violation", "chord_gaps", "min_hessian_eigenvalue", "regularized", "assemble_hessian",
           "SpringChain", "KKT", "kkt_box", "kkt_ball", "stationary_kind", "lasso_duality_gap",
           "lasso_dual_point", "lasso_dual_objective", "subgradient_lasso"]
