"""Chapter 3's learner-mistake table: each mistake loses the check's points on 20 seeds, with a hint
that names it and none of its exercise's other mistakes (or, for a changed input, a note)."""
import numpy as np
import pytest

from trials import assert_diagnosed, by_id, hints, reference, table_rows

ref = reference(3)


def gap_flipped(f, x, y, t):
    return -ref.chord_gap(f, x, y, t)


def gap_swapped(f, x, y, t):
    return float((1 - t) * f(x) + t * f(y) - f(t * x + (1 - t) * y))


def newton_inverse(hess, grad):
    return -np.linalg.inv(hess) @ grad


def newton_plus(hess, grad):
    return np.linalg.solve(hess, grad)


def newton_times(hess, grad):
    return -hess @ grad


def _backtrack(f, x, d, g, lr, shrink, c, sign=1.0, bound=60, late=False):
    fx, slope, t = f(x), float(np.dot(g, d)), lr
    for _ in range(bound):
        if f(x + t * d) <= fx + sign * c * t * slope:
            return t / shrink if late and t != lr else t
        t *= shrink
    return t


def armijo_wrong_sign(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
    return _backtrack(f, x, direction, grad, lr, shrink, c, sign=-1.0)


def armijo_without_c(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
    return _backtrack(f, x, direction, grad, lr, shrink, 0.0)


def armijo_last_rejected(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
    return _backtrack(f, x, direction, grad, lr, shrink, c, late=True)


def armijo_shrinks_first(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
    return _backtrack(f, x, direction, grad, lr * shrink, shrink, c)


def armijo_unbounded(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
    fx, slope, t = f(x), float(np.dot(grad, direction)), lr
    while f(x + t * direction) > fx + c * t * slope:
        t *= shrink
    return t


def cg_stale_residual(A, b, tol=1e-10, max_steps=None):
    x, r = np.zeros_like(b), b.copy()
    p, rr, norms = r.copy(), r @ r, [np.sqrt(b @ b)]
    for _ in range(max_steps or 10 * len(b)):
        if np.sqrt(rr) <= tol * np.linalg.norm(b):
            break
        alpha = rr / (p @ A @ p)
        x = x + alpha * p
        p = r + p
        norms.append(np.sqrt(rr))
    return x, norms


def cg_wrong_beta(A, b, tol=1e-10, max_steps=None):
    x, r = np.zeros_like(b), b.copy()
    p, norms = r.copy(), [np.linalg.norm(b)]
    for _ in range(max_steps or 10 * len(b)):
        if norms[-1] <= tol * np.linalg.norm(b):
            break
        Ap = A @ p
        alpha = (r @ r) / (p @ Ap)
        x = x + alpha * p
        r_new = r - alpha * Ap
        p = r_new + (r_new @ r_new) / (p @ p) * p             # beta over the wrong inner product
        r = r_new
        norms.append(np.linalg.norm(r))
    return x, norms


def cg_tests_after_step(A, b, tol=1e-10, max_steps=None):
    x, r = np.zeros_like(b), b.copy()
    p, rr, norms = r.copy(), r @ r, [np.sqrt(b @ b)]
    for _ in range(max_steps or 10 * len(b)):
        Ap = A @ p
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = r @ r
        p = r + rr_new / rr * p
        rr = rr_new
        norms.append(np.sqrt(rr))
        if np.sqrt(rr) <= tol * np.linalg.norm(b) and len(norms) > 2:
            r = r.copy()
            Ap = A @ p                                          # one more step, as "test after the step" does
            alpha = rr / (p @ Ap)
            x = x + alpha * p
            r = r - alpha * Ap
            norms.append(np.linalg.norm(r))
            break
    return x, norms


def box_lower_only(x, low, high):
    return np.maximum(x, low)


def box_swapped(x, low, high):
    return np.clip(x, high, low)


def ball_scales_inside(x, radius):
    return x * radius / np.linalg.norm(x)


def ball_as_box(x, radius):
    return np.clip(x, -radius, radius)


def ball_min_scale(x, radius):
    norm = np.linalg.norm(x)
    return x / norm * min(norm, radius)              # 0 / 0 at x = 0


def ball_in_place(x, radius):
    result = ref.project_ball(x, radius)
    x *= 1.0 + 1e-3
    return result


def soft_hard(x, t):
    return np.where(np.abs(x) <= t, 0.0, x)


def soft_wrong_negatives(x, t):
    return np.where(np.abs(x) <= t, 0.0, x - t)


def soft_doubled(x, t):
    return ref.soft_threshold(x, 2 * t)


def ista_lam(x, grad, lr, lam):
    return ref.soft_threshold(x - lr * grad, lam)


def ista_ascent(x, grad, lr, lam):
    return ref.soft_threshold(x + lr * grad, lr * lam)


def pgd_no_projection(grad_f, project, x0, lr, steps):
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad_f(xs[-1]))
    return np.array(xs)


def pgd_projects_gradient(grad_f, project, x0, lr, steps):
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * project(grad_f(xs[-1])))
    return np.array(xs)


def pgd_no_x0(grad_f, project, x0, lr, steps):
    return ref.projected_gradient_descent(grad_f, project, x0, lr, steps)[1:]


TABLE = [
    ("chord_gap/double well", gap_flipped, "the sign is flipped"),
    ("chord_gap/log-sum-exp", gap_swapped, "the weights are swapped"),
    ("newton_step/ill-conditioned", newton_inverse, "did you use np.linalg.inv(H) @ grad"),
    ("newton_step/solves H p = -g", newton_plus, "the sign is flipped"),
    ("newton_step/solves H p = -g", newton_times, "you returned H grad"),
    ("backtracking/armijo", armijo_wrong_sign, "Armijo with the wrong sign"),
    ("backtracking/armijo", armijo_without_c, "the sufficient-decrease term is missing"),
    ("backtracking/armijo", armijo_last_rejected, "you returned the last rejected step"),
    ("backtracking/first try", armijo_shrinks_first, "you shrank before testing"),
    ("backtracking/bounded", armijo_unbounded, "your loop has no bound"),
    ("conjugate_gradient/solution", cg_stale_residual, "the residual is never updated"),
    ("conjugate_gradient/stopping rule", cg_wrong_beta, "the iteration goes wrong at that step"),
    ("conjugate_gradient/stopping rule", cg_tests_after_step, "test |r| <= tol |b| before each step"),
    ("project_box/box", box_lower_only, "only the lower bound is applied"),
    ("project_box/box", box_swapped, "low and high are swapped"),
    ("project_ball/inside", ball_scales_inside, "you scaled a point that is already inside the ball"),
    ("project_ball/outside", ball_as_box, "that is the box, not the ball"),
    ("project_ball/inside", ball_min_scale, "x = 0 is inside the ball"),
    ("project_ball/outside", ball_in_place, "note: x was modified by the call"),
    ("soft_threshold/closed form", soft_hard, "this is hard thresholding"),
    ("soft_threshold/closed form", soft_wrong_negatives, "negative entries moved the wrong way"),
    ("soft_threshold/closed form", soft_doubled, "the threshold is doubled"),
    ("ista_step/one step", ista_lam, "the threshold is lr * lam"),
    ("ista_step/one step", ista_ascent, "you stepped along the gradient"),
    ("projected_gradient_descent/box", pgd_no_projection, "the iterates leave the feasible set"),
    ("projected_gradient_descent/ball", pgd_projects_gradient, "you projected the gradient, not the point"),
    ("projected_gradient_descent/box", pgd_no_x0, "the first row is x0 itself"),
]


@pytest.mark.parametrize("check_id, mistake, says, others", table_rows(TABLE))
def test_mistake_loses_points_on_every_seed_with_its_hint(check_id, mistake, says, others):
    assert_diagnosed(3, check_id, mistake, says, others)


def test_the_reference_backtracking_refuses_a_non_descent_direction():
    x = np.array([1.0, -2.0])
    with pytest.raises(ValueError, match="not a descent direction"):
        ref.backtracking(lambda z: float(z @ z), x, 2 * x, 2 * x)


def test_newton_step_takes_the_librarys_argument_order():
    from coursekit import convex
    rng = np.random.default_rng(0)
    M = rng.normal(size=(4, 4))
    H, g = M @ M.T + np.eye(4), rng.normal(size=4)
    assert np.allclose(ref.newton_step(H, g), convex.newton_step(H, g), rtol=1e-12)
    def old_order(grad, hess):                              # written for the former newton_step(grad, hess)
        return np.linalg.solve(hess, -grad)

    old_order = hints(by_id(3, "newton_step/solves H p = -g"), old_order)
    assert all(h is not None for h in old_order)            # (grad, hess) swapped: solve refuses a vector as H


def test_cg_default_is_the_librarys_ten_d():
    from coursekit import convex
    import inspect
    d = 30
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A, b = (Q * np.geomspace(1, 1e6, d)) @ Q.T, rng.normal(size=d)
    A = (A + A.T) / 2
    x, norms = ref.conjugate_gradient(A, b, tol=1e-10)
    run = convex.conjugate_gradient(A, b, tol=1e-10)
    assert len(norms) - 1 == run.steps > d                       # more than d steps: the default allows 10 d
    assert inspect.signature(convex.conjugate_gradient).parameters["max_steps"].default is None


def test_the_table_covers_every_exercise():
    from coursekit.exercises.checks import ch3
    assert {c.exercise for c in ch3.CHECKS} == {row[0].split("/")[0] for row in TABLE}
