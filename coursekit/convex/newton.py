"""Newton's method: minimize the local quadratic model at each step.

    x_{k+1} = x_k + t_k p_k,   H(x_k) p_k = -grad f(x_k)   (solve, never invert)

Pure Newton takes t_k = 1 and converges quadratically near a minimizer with a positive
definite Hessian; on a quadratic it lands on the minimizer in one step. Damped Newton
(``line_search=True``) picks t_k by Armijo backtracking; where the Hessian is not
positive definite it adds tau I (tau doubled until a Cholesky factorization succeeds),
which turns the step into a descent direction (Nocedal & Wright, 3.4).
"""
from __future__ import annotations

from coursekit import backend
from coursekit._validate import count

from ._record import Recorder, floating, positive
from .line_search import backtracking

__all__ = ["newton", "newton_step"]


def _is_positive_definite(xp, H) -> bool:
    try:
        factor = xp.linalg.cholesky(H)
    except Exception:            # numpy.linalg.LinAlgError; CuPy may return NaNs instead
        return False
    return bool(xp.all(xp.isfinite(factor)))


def newton_step(H, g, *, damped=False):
    """The Newton direction p solving ``H p = -g``.

    ``damped=True``: if H is not positive definite, solve with H + tau I instead (tau the
    smallest power of two times 1e-8 |H| that makes it positive definite). Otherwise a
    singular H raises ValueError (never a bare LinAlgError).
    """
    xp = backend.get_namespace(H, g)
    if damped and not _is_positive_definite(xp, H):
        eye = xp.eye(H.shape[0], dtype=H.dtype)
        tau = 1e-8 * max(float(xp.max(xp.abs(H))), 1.0)
        while not _is_positive_definite(xp, H + tau * eye):
            tau *= 2
        H = H + tau * eye
    try:
        p = xp.linalg.solve(H, -g)
    except Exception as exc:      # LinAlgError: singular matrix
        raise ValueError("the Hessian is singular here, so the Newton step is not defined: "
                         "use line_search=True (damped Newton) or add a regularizer") from exc
    if not bool(xp.all(xp.isfinite(p))):
        raise ValueError("the Hessian is singular here (the Newton step is not finite): "
                         "use line_search=True (damped Newton) or add a regularizer")
    return p


def _fgh(fun):
    if hasattr(fun, "hessian") and hasattr(fun, "value"):
        return lambda x: (fun.value(x), fun.grad(x), fun.hessian(x))
    if callable(fun):
        return fun
    raise TypeError(f"fun must be callable x -> (f, g, H) or a landscape, got {type(fun).__name__}")


def newton(fun, x0, *, steps=50, tol=1e-10, line_search=True):
    """Minimize with Newton's method; returns a Trajectory (``.lrs``: the step sizes t_k).

    fun: ``x -> (f, g, H)``, or a landscape (with ``value``, ``grad``, ``hessian``).
    x0: start, shape (d,). steps: the most Newton steps. tol: stop when |g| <= tol.
    line_search: damped Newton (Armijo backtracking from t = 1, with the positive
    definite fallback); False: pure Newton, t = 1 (a singular Hessian raises ValueError).
    """
    fgh = _fgh(fun)
    xp = backend.get_namespace(x0)
    x = floating(x0, "x0", xp)
    if x.ndim != 1:
        raise ValueError(f"x0 must be a vector of shape (d,), got shape {x.shape}")
    tol = positive(tol, "tol") if tol else 0.0
    steps = count(steps, "steps", minimum=0)
    value = (lambda z: fgh(z)[0])
    rec = Recorder("Newton (damped)" if line_search else "Newton")
    for k in range(steps + 1):
        f, g, H = fgh(x)
        gnorm = float(xp.linalg.norm(g))
        rec.add(x, f, gnorm)
        if gnorm <= tol:
            kind = "" if _is_positive_definite(xp, H) else (
                " at a stationary point that is no minimum (the Hessian is not positive definite)")
            return rec.trajectory(f"converged{kind}: |grad| = {gnorm:.2e} <= tol after {k} steps", True)
        if k == steps:
            break
        if H.shape != (x.shape[0], x.shape[0]):
            raise ValueError(f"fun returned a Hessian of shape {H.shape}, expected {(x.shape[0],) * 2}")
        p = newton_step(H, g, damped=line_search)
        if line_search and not float(xp.sum(g * p)) < 0:   # only at rounding level
            return rec.trajectory(f"stopped after {k} steps: no descent left at rounding level "
                                  f"(|grad| = {gnorm:.2e})", gnorm <= 1e-8 * (1 + abs(float(f))))
        slope = float(xp.sum(g * p))
        tiny = -slope <= 1e-12 * (1 + abs(float(f)))   # Armijo cannot see a decrease below rounding
        t = backtracking(value, x, p, g) if line_search and not tiny else 1.0
        rec.lrs.append(t)
        x = x + t * p
    return rec.trajectory(f"stopped after {steps} steps: |grad| = {gnorm:.2e} > tol {tol:g}")
