"""First- against second-order cost: steps and wall time to a gradient tolerance as d grows.

The test problem is L2-regularized logistic regression on n = 4d synthetic examples
(standard normal features, labels of a random linear rule with 10% flipped),

    f(w) = 1/n sum_i softplus(-y_i x_i^T w) + mu/2 |w|^2,

whose Hessian X^T D X / n + mu I costs O(n d^2) to form and O(d^3) to factor, while a
gradient costs O(n d). The spectrum of X^T X / n does not depend on d (Marchenko-Pastur with
ratio d/n = 1/4), so the conditioning, and with it the number of GD steps, stays comparable
as d grows: only the cost per step changes. Each method runs from w = 0 until |grad f| <= tol.
"""
from __future__ import annotations

import contextlib
import time

import numpy as np
import scipy.optimize

from ..convex.newton import newton

__all__ = ["LogisticProblem", "gradient_descent", "time_to_tolerance", "crossover", "spd_benchmark"]


class LogisticProblem:
    """The regularized logistic loss above, with value, gradient and Hessian (NumPy)."""

    def __init__(self, d, *, n=None, mu=1e-2, seed=0):
        rng = np.random.default_rng(seed)
        self.n, self.d, self.mu = n or 4 * d, d, mu
        self.X = rng.normal(size=(self.n, d))
        self.y = np.where(self.X @ rng.normal(size=d) > 0, 1.0, -1.0)
        self.y[rng.uniform(size=self.n) < 0.1] *= -1                    # 10% label noise
        self.L = np.linalg.norm(self.X, 2) ** 2 / (4 * self.n) + mu   # smoothness constant

    def value_and_grad(self, w):
        z = self.y * (self.X @ w)
        s = -self.y / (1 + np.exp(z))                                  # d softplus(-z) / d(Xw)
        return np.mean(np.logaddexp(0, -z)) + self.mu / 2 * w @ w, self.X.T @ s / self.n + self.mu * w

    def fgh(self, w):
        f, g = self.value_and_grad(w)
        p = 1 / (1 + np.exp(-self.y * (self.X @ w)))
        H = (self.X.T * (p * (1 - p))) @ self.X / self.n + self.mu * np.eye(self.d)
        return f, g, H


def threads(n):
    """A context limiting BLAS to ``n`` threads (threadpoolctl, when installed; ``None``: no limit).

    On a shared or small machine, BLAS threads competing for cores make timings erratic;
    one thread per method measures the work itself.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(n) if n else contextlib.nullcontext()


def gradient_descent(fun_and_grad, x0, lr, *, steps, tol):
    """Plain GD to |grad| <= tol; returns (x, steps taken)."""
    x = np.array(x0, dtype=float)
    for k in range(steps + 1):
        g = fun_and_grad(x)[1]
        if np.linalg.norm(g) <= tol or k == steps:
            return x, k
        x = x - lr * g


def time_to_tolerance(dims, *, tol=1e-6, mu=1e-2, seed=0, gd_steps=20_000, repeats=3, blas_threads=1):
    """For each d: steps, seconds and final |grad| of GD (lr = 1/L), Newton and L-BFGS (scipy).

    Seconds are the best of ``repeats`` runs (timings on a shared machine are noisy upwards),
    with BLAS limited to ``blas_threads`` threads (None: no limit; see :func:`threads`).
    Returns a dict {method: {"steps": [...], "seconds": [...], "grad_norm": [...]}}.
    """
    out = {m: {"steps": [], "seconds": [], "grad_norm": []} for m in ("GD", "Newton", "L-BFGS")}
    for d in dims:
        p = LogisticProblem(d, mu=mu, seed=seed)
        w0 = np.zeros(d)
        runs = {
            "GD": lambda: gradient_descent(p.value_and_grad, w0, 1 / p.L, steps=gd_steps, tol=tol),
            "Newton": lambda: (lambda t: (t.final, t.steps))(newton(p.fgh, w0, tol=tol, line_search=True)),
            "L-BFGS": lambda: (lambda r: (r.x, r.nit))(scipy.optimize.minimize(
                p.value_and_grad, w0, jac=True, method="L-BFGS-B",
                options={"gtol": tol / np.sqrt(d), "ftol": 0.0, "maxiter": 10_000})),
        }
        for name, run in runs.items():
            best = np.inf
            for _ in range(repeats):
                with threads(blas_threads):
                    start = time.perf_counter()
                    w, k = run()
                    best = min(best, time.perf_counter() - start)
            out[name]["seconds"].append(best)
            out[name]["steps"].append(int(k))
            out[name]["grad_norm"].append(float(np.linalg.norm(p.value_and_grad(w)[1])))
    return out


def fitted_exponent(dims, seconds, *, min_dim=None):
    """The slope p of log(seconds) against log(d) (least squares, d >= ``min_dim``): time ~ d^p.

    Needs at least two dimensions in the fit; a measurement of machine time, so it moves
    from run to run, unlike a step count.
    """
    d, t = np.asarray(dims, float), np.asarray(seconds, float)
    if d.shape != t.shape or d.ndim != 1:
        raise ValueError(f"dims and seconds must be 1-D of one length, got {d.shape} and {t.shape}")
    keep = d >= (min_dim if min_dim is not None else d.min())
    if keep.sum() < 2 or np.any(t[keep] <= 0) or np.any(d[keep] <= 0):
        raise ValueError("need at least two positive (d, seconds) pairs with d >= min_dim")
    return float(np.polyfit(np.log(d[keep]), np.log(t[keep]), 1)[0])


def crossover(dims, seconds_a, seconds_b):
    """The d where method a stops being faster than b (log-log interpolation, first such crossing),
    or None when a is not faster at some d and slower at the next (including: slower from the start)."""
    dims, ratio = np.asarray(dims, float), np.log(np.asarray(seconds_a) / np.asarray(seconds_b))
    for i in range(len(dims) - 1):
        if ratio[i] < 0 <= ratio[i + 1]:
            s = ratio[i] / (ratio[i] - ratio[i + 1])
            return float(np.exp(np.log(dims[i]) + s * (np.log(dims[i + 1]) - np.log(dims[i]))))
    return None


def _timed(run):
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def spd_benchmark(d, backends=("numpy",), *, seed=0, tol=1e-10, blas_threads=None):
    """CG and one Newton step on a random SPD system of size d, per backend (NumPy, CuPy).

    A = M M^T / d + I (condition number about 5 + d-independent), b random. Returns
    {backend: {"cg_seconds", "cg_steps", "newton_seconds", "x_cg", "x_newton"}} with the
    solutions as NumPy arrays (compare them across backends). Each is timed after a warm-up run,
    NumPy with BLAS limited to ``blas_threads`` threads (None: all).
    """
    from coursekit import backend
    from ..convex.cg import conjugate_gradient
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    A, b = M @ M.T / d + np.eye(d), rng.normal(size=d)
    out = {}
    for name in backends:
        previous = backend.name
        try:
            backend.use(name)
            A_dev, b_dev = backend.asarray(A), backend.asarray(b)
            quadratic = lambda x: (0.5 * x @ (A_dev @ x) - b_dev @ x, A_dev @ x - b_dev, A_dev)  # noqa: E731
            zero = backend.xp.zeros(d)
            with threads(blas_threads) if name == "numpy" else contextlib.nullcontext():
                for _ in range(2):               # the first run warms up kernels and caches
                    cg, cg_seconds = _timed(lambda: conjugate_gradient(A_dev, b_dev, tol=tol))
                    nt, newton_seconds = _timed(lambda: newton(quadratic, zero, steps=1, tol=1e-300,
                                                               line_search=False))
            out[name] = {"cg_seconds": cg_seconds, "cg_steps": cg.steps, "newton_seconds": newton_seconds,
                         "x_cg": cg.final, "x_newton": nt.final}
        finally:
            backend.use(previous)
    return out
