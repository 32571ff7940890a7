"""Checks for chapter 1's gradient-descent exercises (module ``ch1_gradient_descent``).

gd_step, gradient_descent and lr_bounds, in the order of the notebook. Format:
coursekit.exercises.spec. Every judge computes the expected value itself, from a closed
form or a short reference loop written here, and names the likely mistake when the
result matches one. Imported by coursekit.exercises.checks.ch1, whose ``CHECKS`` lists these
after numerical_gradient's and before coursekit.exercises.checks.ch1.data's.
"""
import numpy as np

from coursekit.exercises.spec import Checks, Ref, call, close, fmt, pair, unchanged

CHECKS = Checks()


# ------------------------------------------------------------------ gd_step --
def _gd_step_inputs(rng):
    d = int(rng.integers(2, 6))
    return call(rng.normal(size=d), rng.normal(size=d), float(rng.uniform(0.05, 0.5)))


@CHECKS.add("new point", "gd_step", 1, _gd_step_inputs, trials=3,
            description="returns x - lr * grad (changing x earns a note, not points)")
def _judge_gd_step(c):
    x, g, lr = c.args
    expected = x - lr * g
    return unchanged(x, c.after[0], name="x") or close(
        c.value, expected, rtol=1e-12, atol=1e-12, what=f"gd_step(x, grad, lr={lr:.3g})",
        mistakes={"you stepped along the gradient: gradient DEScent subtracts lr * grad": x + lr * g,
                  "the learning rate is missing: subtract lr * grad, not grad": x - g,
                  "you returned the step instead of the new point: return x - lr * grad": -lr * g})


# --------------------------------------------------------- gradient_descent --
def _spd(rng, d, low=1.0, high=5.0):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (Q * rng.uniform(low, high, size=d)) @ Q.T


def _reference_path(A, b, x0, lr, max_steps, tol):
    x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
    for _ in range(max_steps):
        g = A @ x + b
        if np.linalg.norm(g) <= tol:
            break
        x = x - lr * g
        path.append(x)
    return np.array(path)


def _quadratic_grad(A, b):
    return Ref("coursekit.exercises.checks.ch1.objectives.QuadraticForm", A, b, method="grad")


def _expected_path(c, lr_sign=1.0):
    """The iterates of the call ``c`` = gradient_descent(grad of a quadratic, x0, lr, max_steps=, tol=)."""
    ref, x0, lr = c.args
    A, b = ref.args
    return _reference_path(A, b, x0, lr_sign * lr, c.kwargs["max_steps"], c.kwargs["tol"])


def _path_problem(expected, got, what, max_steps=None):
    """Hints for a returned path of the wrong length or form (None if the form is right).

    ``max_steps``: the call's budget; when the expected path used all of it, one row too
    many means the loop ran max_steps + 1 times (not a late stopping test)."""
    if not isinstance(got, np.ndarray) or got.ndim != 2:
        return (f"{what} should return a 2-D array of iterates, shape {expected.shape}, "
                f"got {fmt(got)}: collect x_0, x_1, ... in a list and return np.array(path)")
    if got.shape[1] != expected.shape[1]:
        return f"{what} returned iterates of dimension {got.shape[1]}, expected {expected.shape[1]}"
    n, m = got.shape[0], expected.shape[0]
    if n == m - 1:
        if np.allclose(got, expected[1:], rtol=1e-9, atol=1e-12):
            return f"{what} returned {n} rows, expected {m}: the first row must be x0 itself"
        return f"{what} returned {n} rows, expected {m}: x_0 plus one row per step taken"
    if n == m + 1 and np.allclose(got[:m], expected, rtol=1e-9, atol=1e-12):
        if max_steps is not None and m - 1 == max_steps:
            return (f"{what} took one step too many ({n} rows, expected {m}): your loop runs max_steps + 1 "
                    f"times; for _ in range(max_steps) takes exactly max_steps = {max_steps} steps")
        return (f"{what} took one step too many ({n} rows, expected {m}): test the stopping rule "
                "||grad f(x_k)|| <= tol before taking a step from x_k")
    if n != m:
        return f"{what} returned {n} rows, expected {m} (x_0 plus one row per step taken)"
    if n > 2 and np.all(got == got[-1]):
        return (f"{what}: every row is the same point: you appended x and then changed it in place; "
                "make a new array at each step (x = x - lr * g), or append a copy")
    return None


def _gd_path_inputs(rng):
    d = int(rng.integers(2, 5))
    A, b = _spd(rng, d), rng.normal(size=d)
    lr = float(rng.uniform(0.5, 1.5) / np.linalg.eigvalsh(A).max())
    return call(_quadratic_grad(A, b), rng.normal(size=d), lr, max_steps=25, tol=0.0)


@CHECKS.add("path", "gradient_descent", 2, _gd_path_inputs, trials=2,
            description="every iterate of 25 steps on a random quadratic, x0 first")
def _judge_gd_path(c):
    expected = _expected_path(c)
    what = "gradient_descent on a quadratic (25 steps, tol = 0)"
    return (unchanged(c.args[1], c.after[1], name="x0") or _path_problem(expected, c.value, what, 25)
            or close(c.value, expected, rtol=1e-9, atol=1e-12, what=what,
                     mistakes={"you stepped along the gradient: subtract lr * grad":
                                   _expected_path(c, lr_sign=-1.0)}))


def _gd_stop_inputs(rng):
    d = int(rng.integers(2, 5))
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = (Q * np.r_[1.0, 5.0, rng.uniform(1.0, 5.0, size=d - 2)]) @ Q.T
    b, lr = rng.normal(size=d), 0.2      # lr = 1/L: every gradient norm shrinks by a factor in [0, 0.8],
    x0 = rng.normal(size=d)              # so consecutive norms are well apart and far above rounding
    norms = np.linalg.norm(_reference_path(A, b, x0, lr, 200, 0.0) @ A.T + b, axis=1)
    k = int(rng.integers(5, 15))
    tol = float(np.sqrt(norms[k] * norms[k - 1]))    # between two gradient norms: fires at step k
    return call(_quadratic_grad(A, b), x0, lr, max_steps=200, tol=tol)


@CHECKS.add("stopping rule", "gradient_descent", 1, _gd_stop_inputs, trials=2,
            description="stops before stepping once ||grad|| <= tol")
def _judge_gd_stop(c):
    tol = c.kwargs["tol"]
    expected = _expected_path(c)
    what = f"gradient_descent with tol = {tol:.3g} (it should stop after {expected.shape[0] - 1} steps)"
    got = c.value
    if isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[0] > expected.shape[0] + 1:
        return (f"{what}: it ran {got.shape[0] - 1} steps, so the stopping rule never fired; stop when "
                "np.linalg.norm(grad) <= tol")
    return _path_problem(expected, got, what, c.kwargs["max_steps"]) or close(
        got, expected, rtol=1e-9, atol=1e-12, what=what)


def _gd_max_inputs(rng):
    d = 3
    A, b = _spd(rng, d), rng.normal(size=d)
    lr = float(0.1 / np.linalg.eigvalsh(A).max())      # slow: never reaches tol within the budget
    return call(_quadratic_grad(A, b), rng.normal(size=d) + 5, lr, max_steps=int(rng.integers(3, 9)), tol=1e-12)


@CHECKS.add("max_steps", "gradient_descent", 1, _gd_max_inputs, trials=2,
            description="takes exactly max_steps steps when tol is not reached")
def _judge_gd_max(c):
    k = c.kwargs["max_steps"]
    expected = _expected_path(c)
    return _path_problem(expected, c.value, f"gradient_descent with max_steps = {k}", k) or close(
        c.value, expected, rtol=1e-9, atol=1e-12, what=f"gradient_descent with max_steps = {k}")


def _gd_zero_inputs(rng):
    A, b = _spd(rng, 2), rng.normal(size=2)
    return call(_quadratic_grad(A, b), rng.normal(size=2), 0.1, max_steps=0, tol=1e-6)


@CHECKS.add("no step", "gradient_descent", 0.5, (_gd_zero_inputs, _gd_path_inputs), trials=2,
            description="max_steps = 0 returns x0 alone, shape (1, d) (and a 25-step path: x0 alone is not enough)")
def _judge_gd_zero(c):
    if c.kwargs["max_steps"]:
        return _judge_gd_path(c)
    _, x0, _ = c.args
    return _path_problem(x0[None, :], c.value, "gradient_descent with max_steps = 0", 0) or close(
        c.value, x0[None, :], rtol=0, atol=0, what="gradient_descent with max_steps = 0 (just x0)")


def _gd_converged_inputs(rng):
    d = int(rng.integers(2, 5))
    A, b = _spd(rng, d), rng.normal(size=d)
    x_star = np.linalg.solve(A, -b)
    u = rng.normal(size=d)
    dx = np.linalg.solve(A, u / np.linalg.norm(u)) * 0.5e-6    # ||grad f(x0)|| = ||A dx|| = tol / 2
    return call(_quadratic_grad(A, b), x_star + dx, 0.1, max_steps=50, tol=1e-6)


def _meets_tol(c):
    ref, x0, _ = c.args
    A, b = ref.args
    return np.linalg.norm(A @ x0 + b) <= c.kwargs["tol"]


@CHECKS.add("x0 meets tol", "gradient_descent", 0.5, (_gd_converged_inputs, _gd_stop_inputs), trials=2,
            description="x0 already meets tol: no step, x0 alone, shape (1, d) (and a run that stops later)")
def _judge_gd_converged(c):
    if not _meets_tol(c):
        return _judge_gd_stop(c)
    _, x0, _ = c.args
    what = "gradient_descent from an x0 with ||grad f(x0)|| = tol / 2 (it should take no step)"
    got = c.value
    if isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[0] > 2:
        return (f"{what}: it ran {got.shape[0] - 1} steps, so the stopping rule never fired; test "
                "np.linalg.norm(grad) <= tol before every step, the first one (from x0) included")
    return unchanged(x0, c.after[1], name="x0") or _path_problem(x0[None, :], c.value, what, 50) or close(
        c.value, x0[None, :], rtol=0, atol=0, what=what)


# ----------------------------------------------------------------- lr_bounds --
def _judge_lr_bounds(c, diagonal):
    (H,) = c.args
    lam = np.linalg.eigvalsh(H)
    mu, L = lam[0], lam[-1]
    expected = np.array([2 / L, 2 / (mu + L)])
    problem = pair(c.value, "(lr_max, lr_best)", "lr_bounds")
    if problem:
        return problem
    try:
        got = np.array([float(c.value[0]), float(c.value[1])])
    except (TypeError, ValueError):
        return f"lr_bounds should return two numbers, got {fmt(c.value)}"
    dg = np.diag(H)
    mistakes = {
        "the stability limit is 2/L and the best step 2/(mu + L), you returned half of each: "
        "the error along the steepest direction is multiplied by 1 - lr L, so |1 - lr L| < 1 means lr < 2/L":
            expected / 2,
        "the two are swapped: return (lr_max, lr_best) = (2/L, 2/(mu+L))": expected[::-1],
        "the best fixed step is 2/(mu + L), not 1/L": np.array([2 / L, 1 / L]),
    }
    if not diagonal:
        mistakes["you used the diagonal entries of H: its eigenvalues (np.linalg.eigvalsh) are the curvatures"] = \
            np.array([2 / dg.max(), 2 / (dg.min() + dg.max())])
    return close(got, expected, rtol=1e-9, what=f"(lr_max, lr_best) for eigenvalues {fmt(lam)}",
                 mistakes=mistakes)


def _lr_diag_inputs(rng):
    return call(np.diag(rng.uniform(0.5, 20.0, size=int(rng.integers(2, 6)))))


@CHECKS.add("diagonal Hessian", "lr_bounds", 1, _lr_diag_inputs, trials=2,
            description="(2/L, 2/(mu + L)) for a diagonal Hessian")
def _judge_lr_diagonal(c):
    return _judge_lr_bounds(c, diagonal=True)


def _lr_rotated_inputs(rng):
    return call(_spd(rng, int(rng.integers(3, 6)), 0.2, 30.0))


@CHECKS.add("rotated Hessian", "lr_bounds", 1, _lr_rotated_inputs, trials=2,
            description="uses the eigenvalues, not the diagonal, of a non-diagonal Hessian")
def _judge_lr_rotated(c):
    return _judge_lr_bounds(c, diagonal=False)
