"""Chapter 3, convex optimization: the exercises.

The 9 functions below are what the exercises of course/03_convex_optimization.ipynb
ask for (one or two each).
Check your work in the notebook, or grade it in one command::

    python -m coursekit.grade exercises/ --chapter 3

Rules for every exercise (the grader applies them, and so do the notebook's figures):
- types: where a Python int, float or bool is asked, NumPy's (np.int64, np.float64,
  np.bool_) are accepted too; arrays are float64 unless the exercise says otherwise
  (another dtype, e.g. float32, fails with a hint saying so);
- inputs: never change an argument in place (arrays, lists of arrays); a changed input
  earns a note, and the notebook hands your function copies;
- time: each call must answer within 10 s (a loop that never ends is stopped there).
"""
import numpy as np


def chord_gap(f, x, y, t):
    """How far the chord between (x, f(x)) and (y, f(y)) lies above the graph at t.

        gap = t f(x) + (1 - t) f(y) - f(t x + (1 - t) y)

    f is convex exactly when the gap is >= 0 for every x, y and t in [0, 1]; a negative gap
    is a certificate that f is not convex.

    f: callable taking one point (NumPy array of shape (d,)) and returning a number.
    x, y: points of shape (d,); t: a number in [0, 1].
    Returns the gap as a float.
    """
    # BEGIN SOLUTION
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(t * f(x) + (1 - t) * f(y) - f(t * x + (1 - t) * y))
    # END SOLUTION


def newton_step(hess, grad):
    """The Newton direction p, the solution of H p = -grad.

    Solve the linear system (np.linalg.solve): never form the inverse of H, which costs
    more and loses accuracy when H is ill-conditioned. The arguments come in the order of
    the equation H p = -grad, as in the library's ``convex.newton_step(H, g)``.

    hess: the Hessian, shape (d, d), symmetric positive definite; grad: the gradient, shape (d,).
    Returns p, a new float array of shape (d,) (do not modify the arguments).
    """
    # BEGIN SOLUTION
    return np.linalg.solve(np.asarray(hess, dtype=float), -np.asarray(grad, dtype=float))
    # END SOLUTION


def backtracking(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
    """The Armijo step size along a descent direction, by backtracking.

    Start with t = lr; while the sufficient-decrease (Armijo) condition

        f(x + t direction) <= f(x) + c t grad^T direction

    fails, multiply t by shrink, at most max_shrinks times. (grad^T direction < 0 for a
    descent direction, so the right-hand side is BELOW f(x).) Return the first t that
    satisfies it, or, after max_shrinks rejections, the last t = lr shrink^max_shrinks:
    a loop without that bound may never end (f returning NaN, a wrong grad).
    A direction with grad^T direction >= 0 is not a descent direction, and no t satisfies
    the condition: raise ValueError.

    f: callable x -> number; x, direction, grad: float arrays of one shape (d,) (do not
    modify them); lr > 0, shrink in (0, 1), c in (0, 1): floats; max_shrinks: an int.
    Returns t, a float.
    """
    # BEGIN SOLUTION
    slope = float(np.dot(grad, direction))
    if not slope < 0:
        raise ValueError(f"direction is not a descent direction: grad @ direction = {slope:.3g} >= 0")
    fx, t = f(x), lr
    for _ in range(max_shrinks):
        if f(x + t * direction) <= fx + c * t * slope:
            return t
        t *= shrink
    return t
    # END SOLUTION


def conjugate_gradient(A, b, tol=1e-10, max_steps=None):
    """Solve A x = b (A symmetric positive definite) by conjugate gradient, from x_0 = 0.

        r_0 = b - A x_0, p_0 = r_0; then for k = 0, 1, ...:
        alpha = r^T r / p^T A p;  x = x + alpha p;  r_new = r - alpha A p;
        beta = r_new^T r_new / r^T r;  p = r_new + beta p;  r = r_new

    Stop when |r| <= tol |b| (before taking a step), or after max_steps steps (default: 10 d,
    as the library's convex.conjugate_gradient: in floating point CG may need more than d).
    Returns (x, residual_norms): the solution, shape (d,), and the list of |r_k| for
    k = 0, 1, ..., one entry per iterate (so len(residual_norms) = steps taken + 1).
    """
    # BEGIN SOLUTION
    A, b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)
    max_steps = 10 * b.shape[0] if max_steps is None else max_steps
    x = np.zeros_like(b)
    r = b - A @ x
    p, rr = r.copy(), r @ r
    norms = [np.sqrt(rr)]
    for _ in range(max_steps):
        if np.sqrt(rr) <= tol * np.linalg.norm(b):
            break
        Ap = A @ p
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = r @ r
        p = r + (rr_new / rr) * p
        rr = rr_new
        norms.append(np.sqrt(rr))
    return x, norms
    # END SOLUTION


def project_box(x, low, high):
    """The nearest point of the box low <= z <= high (coordinate-wise): clip x.

    x: array of shape (d,); low, high: numbers or arrays of shape (d,). Returns a new array.
    """
    # BEGIN SOLUTION
    return np.minimum(np.maximum(np.asarray(x, dtype=float), low), high)
    # END SOLUTION


def project_ball(x, radius):
    """The nearest point of the ball |z| <= radius (Euclidean norm, centered at 0).

    A point inside the ball (x = 0 included) is its own projection (return a copy of it);
    a point outside is pulled along the ray to the center: x * radius / |x|.
    x: a float array of shape (d,) (do not modify it); radius > 0: a float.
    Returns a new float array of shape (d,).
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    norm = np.linalg.norm(x)
    return x.copy() if norm <= radius else x * (radius / norm)
    # END SOLUTION


def soft_threshold(x, t):
    """The prox of t |x|_1: sign(x) * max(|x| - t, 0), entry by entry.

    Entries with |x_i| <= t become exactly 0; the others move t towards 0
    (x_i - t for x_i > t, x_i + t for x_i < -t). x: array; t >= 0. Returns a new array.
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)
    # END SOLUTION


def ista_step(x, grad, lr, lam):
    """One ISTA step for f(x) + lam |x|_1: a gradient step on f, then soft thresholding.

        x_new = soft_threshold(x - lr * grad, lr * lam)

    x, grad: arrays of shape (d,) (grad is the gradient of the smooth part f at x).
    """
    # BEGIN SOLUTION
    return soft_threshold(np.asarray(x, dtype=float) - lr * np.asarray(grad, dtype=float), lr * lam)
    # END SOLUTION


def projected_gradient_descent(grad_f, project, x0, lr, steps):
    """Projected gradient descent: x_{k+1} = project(x_k - lr * grad_f(x_k)).

    grad_f: callable x -> gradient; project: callable x -> nearest feasible point;
    x0: a feasible start, shape (d,) (do not modify it); lr > 0; steps >= 0.
    Returns every iterate, shape (steps + 1, d), x0 first.
    """
    # BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = project(x - lr * grad_f(x))
        path.append(np.asarray(x, dtype=float))
    return np.array(path)
    # END SOLUTION
