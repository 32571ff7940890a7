"""Checks for chapter 3's method exercises (module ``ch3_convex_optimization``).

conjugate_gradient, project_box, project_ball, soft_threshold, ista_step and
projected_gradient_descent, in the order of the notebook. Expected values come from
numpy.linalg.solve, scipy.sparse.linalg.cg's stopping rule, closed forms, and short
reference loops written here. Imported by coursekit.exercises.checks.ch3.
"""
import numpy as np

from coursekit.exercises.spec import Checks, Ref, array_like, call, close, fmt, pair, unchanged

CHECKS = Checks()


def _spd_with(rng, eigenvalues):
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = (Q * np.asarray(eigenvalues, dtype=float)) @ Q.T
    return (A + A.T) / 2


# ------------------------------------------------------- conjugate_gradient --
def _cg_reference(A, b, tol, max_steps, update_residual=True):
    x, r = np.zeros_like(b), b.copy()
    p, rr, norms = r.copy(), r @ r, [np.sqrt(b @ b)]
    for _ in range(max_steps):
        if np.sqrt(rr) <= tol * np.linalg.norm(b):
            break
        Ap = A @ p
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        r_new = r - alpha * Ap if update_residual else r
        p, rr_new = r_new + (r_new @ r_new / rr) * p, r_new @ r_new
        r, rr = r_new, rr_new
        norms.append(np.sqrt(rr))
    return x, norms


def _cg_pair(c, what):
    problem = pair(c.value, "(x, residual_norms)", what)
    if problem:
        return None, None, problem
    x, norms = c.value
    norms = np.asarray(norms, dtype=float) if isinstance(norms, (list, tuple, np.ndarray)) else None
    if norms is None or norms.ndim != 1:
        return None, None, f"{what}: residual_norms should be a list of numbers, got {fmt(c.value[1])}"
    return x, norms, None


def _cg_inputs(rng):
    d = int(rng.integers(5, 12))
    return call(_spd_with(rng, np.geomspace(1, 100, d)), rng.normal(size=d), tol=1e-10)


@CHECKS.add("solution", "conjugate_gradient", 2, _cg_inputs, trials=2,
            description="solves a random SPD system (condition number 100) to 1e-8")
def _judge_cg(c):
    A, b = c.args
    what = f"conjugate_gradient on a {len(b)}x{len(b)} SPD system"
    x, norms, problem = _cg_pair(c, what)
    if problem:
        return problem
    d = len(b)
    stale = _cg_reference(A, b, 1e-10, 10 * d, update_residual=False)[0]      # the default max_steps: 10 d
    if len(norms) > 2 and np.allclose(norms, norms[0]) and close(x, np.linalg.solve(A, b), rtol=1e-6, atol=1e-8):
        return (f"{what}: every residual norm is {norms[0]:.3g}: the residual is never updated; "
                "after x += alpha p, set r = r - alpha A p")
    return unchanged(A, c.after[0], "A") or unchanged(b, c.after[1], "b") or close(
        x, np.linalg.solve(A, b), rtol=1e-6, atol=1e-8, what=f"{what}: x",
        mistakes={"the residual is never updated: after x += alpha p, set r = r - alpha A p": stale,
                  "you returned b: start from x = 0 and add alpha p at each step": b})


def _cg_clusters_inputs(rng):
    d, k = int(rng.integers(12, 20)), int(rng.integers(2, 5))
    values = rng.choice(np.arange(1.0, 30.0), size=k, replace=False)
    lam = np.concatenate([values, rng.choice(values, size=d - k)])
    return call(_spd_with(rng, lam), rng.normal(size=d), tol=1e-9)


@CHECKS.add("distinct eigenvalues", "conjugate_gradient", 1, _cg_clusters_inputs, trials=2,
            description="stops within (number of distinct eigenvalues) + 1 steps, residuals recorded")
def _judge_cg_clusters(c):
    A, b = c.args
    k = len(np.unique(np.round(np.linalg.eigvalsh(A), 6)))
    what = f"conjugate_gradient on a matrix with {k} distinct eigenvalues"
    x, norms, problem = _cg_pair(c, what)
    if problem:
        return problem
    if len(norms) and np.allclose(norms, norms[0]):
        return (f"{what}: every residual norm is {norms[0]:.3g}: the residual is never updated; "
                "after x += alpha p, set r = r - alpha A p")
    if not np.isclose(norms[0], np.linalg.norm(b)):
        return f"{what}: residual_norms[0] should be |b - A x_0| = |b| = {np.linalg.norm(b):.4g}, got {norms[0]:.4g}"
    if len(norms) - 1 > k + 1:
        return (f"{what}: it took {len(norms) - 1} steps; CG needs at most {k} in exact arithmetic: "
                "check beta = r_new^T r_new / r^T r and p = r_new + beta p")
    if norms[-1] > 1e-9 * np.linalg.norm(b) * 1.0001:
        return f"{what}: it stopped at |r| = {norms[-1]:.3g} > tol |b|: keep going until |r| <= tol |b|"
    return close(x, np.linalg.solve(A, b), rtol=1e-6, atol=1e-7, what=f"{what}: x")


def _cg_stop_inputs(rng):
    d = int(rng.integers(6, 10))
    A, b = _spd_with(rng, np.geomspace(1, 1e3, d)), rng.normal(size=d)
    norms = _cg_reference(A, b, 0.0, d)[1]
    j = int(rng.integers(3, max(4, len(norms) - 2)))        # from step 3: a wrong beta shows before the stop
    return call(A, b, tol=float(np.sqrt(norms[j] * norms[j - 1]) / np.linalg.norm(b)), max_steps=d)


@CHECKS.add("stopping rule", "conjugate_gradient", 1, _cg_stop_inputs, trials=2,
            description="stops before a step once |r| <= tol |b|")
def _judge_cg_stop(c):
    A, b = c.args
    x_ref, norms_ref = _cg_reference(A, b, c.kwargs["tol"], c.kwargs["max_steps"])
    what = f"conjugate_gradient with tol = {c.kwargs['tol']:.3g} (it should take {len(norms_ref) - 1} steps)"
    x, norms, problem = _cg_pair(c, what)
    if problem:
        return problem
    m = min(len(norms), len(norms_ref))
    off = np.flatnonzero(~np.isclose(norms[:m], norms_ref[:m], rtol=1e-6, atol=1e-12))
    if off.size:
        j = int(off[0])
        return (f"{what}: residual_norms[{j}] is {norms[j]:.4g}, expected {norms_ref[j]:.4g}: the iteration goes "
                "wrong at that step, before any stopping rule; check alpha = r^T r / p^T A p, "
                "r_new = r - alpha A p, beta = r_new^T r_new / r^T r and p = r_new + beta p")
    if len(norms) != len(norms_ref):
        return (f"{what}: it returned {len(norms)} residual norms, expected {len(norms_ref)} (one per iterate, "
                "x_0 included): test |r| <= tol |b| before each step")
    return close(norms, norms_ref, rtol=1e-6, atol=1e-12, what=f"{what}: residual_norms") or close(
        x, x_ref, rtol=1e-6, atol=1e-10, what=f"{what}: x")


# ---------------------------------------------------------- projections --
def _box_inputs(rng):
    d = int(rng.integers(3, 8))
    low = rng.uniform(-2, 0, size=d)
    high = low + rng.uniform(0.5, 2, size=d)
    x = rng.uniform(low, high)
    below, above = rng.choice(d, size=2, replace=False)      # at least one coordinate on each side
    x[below], x[above] = low[below] - rng.uniform(0.1, 2), high[above] + rng.uniform(0.1, 2)
    return call(x, low, high)


@CHECKS.add("box", "project_box", 1, _box_inputs, trials=3,
            description="clips each coordinate into [low, high] (changing x earns a note)")
def _judge_box(c):
    x, low, high = c.args
    return unchanged(x, c.after[0], "x") or close(
        c.value, np.clip(x, low, high), rtol=0, atol=1e-15, what="project_box(x, low, high)",
        mistakes={"low and high are swapped: clip to max(x, low) first, then min(., high)": np.clip(x, high, low),
                  "only the lower bound is applied: also take min(., high)": np.maximum(x, low),
                  "only the upper bound is applied: also take max(., low)": np.minimum(x, high)})


def _ball_inputs(rng, inside):
    d = int(rng.integers(2, 6))
    u = rng.normal(size=d)
    radius = float(rng.uniform(0.5, 3))
    scale = rng.uniform(0.2, 0.9) if inside else rng.uniform(1.5, 4)
    return call(u / np.linalg.norm(u) * radius * scale, radius)


def _ball_zero_inputs(rng):
    return call(np.zeros(int(rng.integers(2, 6))), float(rng.uniform(0.5, 3)))


def _judge_ball(c):
    x, radius = c.args
    norm = np.linalg.norm(x)
    got = c.value
    if norm == 0 and isinstance(got, np.ndarray) and not np.all(np.isfinite(got)):
        return ("project_ball(0, radius): x = 0 is inside the ball, its own projection; the result has NaN: "
                "dividing by |x| = 0 (scale only points with |x| > radius)")
    expected = x if norm <= radius else x * radius / norm
    where = "inside" if norm <= radius else "outside"
    return unchanged(x, c.after[0], "x") or close(
        c.value, expected, rtol=1e-12, atol=1e-15, what=f"project_ball of a point {where} the ball (|x| = {norm:.3g}, radius {radius:.3g})",
        mistakes={"you scaled a point that is already inside the ball: points with |x| <= radius are their own "
                  "projection; scale by radius / |x| only outside": x * radius / norm,
                  "you divided by |x| without multiplying by radius: the result must have norm radius": x / norm,
                  "you clipped each coordinate to [-radius, radius]: that is the box, not the ball":
                      np.clip(x, -radius, radius)})


CHECKS.add("outside", "project_ball", 1, lambda rng: _ball_inputs(rng, False), trials=2,
           description="pulls an outside point to the sphere along its ray")(_judge_ball)
CHECKS.add("inside", "project_ball", 1, (lambda rng: _ball_inputs(rng, True), _ball_zero_inputs,
                                         lambda rng: _ball_inputs(rng, False)), trials=3,
           description="leaves a point inside the ball, x = 0 included, unchanged (and pulls an outside one in)")(_judge_ball)


# ------------------------------------------------------------ soft_threshold / ista_step --
def _soft(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def _soft_inputs(rng):
    t = float(rng.uniform(0.3, 1.0))
    x = np.concatenate([rng.uniform(t + 0.1, 3, size=2), -rng.uniform(t + 0.1, 3, size=2),
                        rng.uniform(-t * 0.9, t * 0.9, size=3)])
    return call(rng.permutation(x), t)


@CHECKS.add("closed form", "soft_threshold", 1.5, _soft_inputs, trials=3,
            description="sign(x) max(|x| - t, 0) with exact zeros, for both signs")
def _judge_soft(c):
    x, t = c.args
    expected = _soft(x, t)
    got = c.value
    problem = array_like(got, expected, "soft_threshold(x, t)")
    if problem:
        return problem
    small = np.abs(x) <= t
    if np.allclose(got[~small], expected[~small]) and np.any(got[small] != 0) and np.allclose(got[small], 0, atol=1e-12):
        return "soft_threshold: entries with |x_i| <= t must be EXACTLY 0 (use np.maximum(|x| - t, 0))"
    return unchanged(x, c.after[0], "x") or close(
        got, expected, rtol=1e-12, atol=0, what=f"soft_threshold(x, t={t:.3g})",
        mistakes={"negative entries moved the wrong way: for x_i < -t the result is x_i + t (towards 0), "
                  "not x_i - t; use sign(x) * max(|x| - t, 0)": np.where(small, 0.0, x - t),
                  "negative entries were set to 0: for x_i < -t the result is x_i + t": np.maximum(x - t, 0),
                  "this is hard thresholding (x kept where |x| > t): shrink the kept entries by t too":
                      np.where(small, 0.0, x),
                  "the threshold is doubled: shrink by t, not 2 t": _soft(x, 2 * t)})


def _ista_inputs(rng):
    d = int(rng.integers(4, 8))
    return call(rng.normal(size=d) * 2, rng.normal(size=d), float(rng.uniform(0.1, 0.5)), float(rng.uniform(0.5, 2)))


@CHECKS.add("one step", "ista_step", 1.5, _ista_inputs, trials=3,
            description="soft_threshold(x - lr grad, lr lam)")
def _judge_ista(c):
    x, g, lr, lam = c.args
    return unchanged(x, c.after[0], "x") or close(
        c.value, _soft(x - lr * g, lr * lam), rtol=1e-12, atol=1e-15, what=f"ista_step(x, grad, lr={lr:.3g}, lam={lam:.3g})",
        mistakes={"the threshold is lr * lam (the prox of lr lam |x|_1), not lam": _soft(x - lr * g, lam),
                  "threshold after the gradient step, not before: soft_threshold(x - lr grad, lr lam)":
                      _soft(x, lr * lam) - lr * g,
                  "you stepped along the gradient: use x - lr * grad": _soft(x + lr * g, lr * lam)})


# ------------------------------------------------ projected_gradient_descent --
def _pgd_reference(A, b, project, x0, lr, steps, project_first=True):
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps):
        x = xs[-1]
        g = A @ x + b
        xs.append(project(x - lr * g) if project_first else x - lr * project(g))
    return np.array(xs)


def _box(low, high):
    return lambda z: np.clip(z, low, high)


def _ball(r):
    return lambda z: z if np.linalg.norm(z) <= r else z * r / np.linalg.norm(z)


def _pgd_inputs(rng, kind):
    d = int(rng.integers(2, 5))
    A = _spd_with(rng, rng.uniform(1, 4, size=d))
    b = rng.normal(size=d) * 6                       # the unconstrained minimizer lies outside
    if kind == "box":
        project = Ref("coursekit.exercises.checks.ch3.objectives.BoxProjection", -np.ones(d), np.ones(d))
        x0 = rng.uniform(-1, 1, size=d)
    else:
        project = Ref("coursekit.exercises.checks.ch3.objectives.BallProjection", 1.0)
        x0 = rng.normal(size=d)
        x0 *= 0.5 / np.linalg.norm(x0)
    return call(Ref("coursekit.exercises.checks.ch1.objectives.QuadraticForm", A, b, method="grad"), project, x0, 0.2, 15)


def _judge_pgd(c):
    grad, project, x0, lr, steps = c.args
    A, b = grad.args
    proj = _box(*project.args) if project.path.endswith("BoxProjection") else _ball(*project.args)
    expected = _pgd_reference(A, b, proj, x0, lr, steps)
    what = f"projected_gradient_descent ({steps} steps, {project.path.rsplit('.', 1)[1]})"
    got = c.value
    if isinstance(got, np.ndarray) and got.shape == (steps, len(x0)):
        return f"{what}: {steps} rows, expected {steps + 1}: the first row is x0 itself"
    return unchanged(x0, c.after[2], "x0") or close(
        got, expected, rtol=1e-9, atol=1e-12, what=what,
        mistakes={"the iterates leave the feasible set: project every new point, x = project(x - lr * grad)":
                      _pgd_reference(A, b, lambda z: z, x0, lr, steps),
                  "you projected the gradient, not the point: x = project(x - lr * grad)":
                      _pgd_reference(A, b, proj, x0, lr, steps, project_first=False)})


CHECKS.add("box", "projected_gradient_descent", 1.5, lambda rng: _pgd_inputs(rng, "box"), trials=2,
           description="every iterate of 15 steps in the box [-1, 1]^d")(_judge_pgd)
CHECKS.add("ball", "projected_gradient_descent", 1.5, lambda rng: _pgd_inputs(rng, "ball"), trials=2,
           description="every iterate of 15 steps in the unit ball")(_judge_pgd)
