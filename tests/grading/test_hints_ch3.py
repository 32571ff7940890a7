"""Chapter 3's judges: the reference passes on many random inputs, each typical mistake gets its hint.

Runs the judges in-process as the grader feeds them (judging.judge: fresh inputs, copies
into the function, then the original inputs, the returned value and the arguments after
the call). The reference is solutions/ch3_convex_optimization.py.
"""
import importlib.util

import numpy as np
import pytest

from coursekit.exercises.checks import ch3
from judging import ROOT, judge

_spec = importlib.util.spec_from_file_location("reference_ch3", ROOT / "solutions" / "ch3_convex_optimization.py")
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def find(exercise, name):
    return next(c for c in ch3.CHECKS if c.exercise == exercise and c.name == name)


def test_every_solution_function_has_checks_and_the_chapter_is_listed():
    from coursekit.exercises import CHAPTERS
    assert CHAPTERS[3] is ch3
    public = {n for n in dir(ref) if not n.startswith("_") and callable(getattr(ref, n)) and n != "np"}
    assert public == {c.exercise for c in ch3.CHECKS}


@pytest.mark.parametrize("check", ch3.CHECKS, ids=lambda c: c.id)
def test_reference_passes_for_many_random_inputs(check):
    for seed in range(40):
        assert judge(check, getattr(ref, check.exercise), seed) is None, seed


@pytest.mark.parametrize("check", ch3.CHECKS, ids=lambda c: c.id)
def test_a_stub_fails_every_check(check):
    def stub(*args, **kwargs):
        return None
    assert judge(check, stub, 0) is not None


# ------------------------------------------------------------------ typical mistakes
def newton_inv(hess, grad):
    return -np.linalg.inv(hess) @ grad


def armijo_wrong_sign(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4):
    fx, slope, t = f(x), float(np.dot(grad, direction)), lr
    while f(x + t * direction) > fx - c * t * slope:
        t *= shrink
    return t


def cg_stale_residual(A, b, tol=1e-10, max_steps=None):
    max_steps = len(b) if max_steps is None else max_steps
    x, r = np.zeros_like(b), b.copy()
    p, rr = r.copy(), r @ r
    norms = [np.sqrt(rr)]
    for _ in range(max_steps):
        if np.sqrt(rr) <= tol * np.linalg.norm(b):
            break
        Ap = A @ p
        alpha = rr / (p @ Ap)
        x = x + alpha * p
        p = r + (r @ r / rr) * p          # r never updated
        norms.append(np.sqrt(r @ r))
    return x, norms


def ball_scales_inside(x, radius):
    return x * radius / np.linalg.norm(x)


def soft_minus_for_negative(x, t):
    return np.where(np.abs(x) <= t, 0.0, x - t)


def pgd_no_projection(grad_f, project, x0, lr, steps):
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad_f(xs[-1]))
    return np.array(xs)


@pytest.mark.parametrize("mistake, exercise, check_name, phrase", [
    (newton_inv, "newton_step", "ill-conditioned", "np.linalg.inv"),
    (lambda H, g: np.linalg.solve(H, g), "newton_step", "solves H p = -g", "sign is flipped"),
    (armijo_wrong_sign, "backtracking", "armijo", "wrong sign"),
    (cg_stale_residual, "conjugate_gradient", "solution", "residual is never updated"),
    (cg_stale_residual, "conjugate_gradient", "distinct eigenvalues", "residual is never updated"),
    (ball_scales_inside, "project_ball", "inside", "already inside the ball"),
    (lambda x, r: np.clip(x, -r, r), "project_ball", "outside", "that is the box"),
    (lambda x, lo, hi: np.maximum(x, lo), "project_box", "box", "only the lower bound"),
    (soft_minus_for_negative, "soft_threshold", "closed form", "x_i + t"),
    (lambda x, t: np.where(np.abs(x) <= t, 0.0, x), "soft_threshold", "closed form", "hard thresholding"),
    (lambda x, g, lr, lam: ref.soft_threshold(x - lr * g, lam), "ista_step", "one step", "lr * lam"),
    (lambda f, x, y, t: -ref.chord_gap(f, x, y, t), "chord_gap", "double well", "sign is flipped"),
    (lambda f, x, y, t: float((1 - t) * f(x) + t * f(y) - f(t * x + (1 - t) * y)),
     "chord_gap", "log-sum-exp", "weights are swapped"),
    (pgd_no_projection, "projected_gradient_descent", "box", "leave the feasible set"),
    (pgd_no_projection, "projected_gradient_descent", "ball", "leave the feasible set"),
])
def test_typical_mistakes_get_a_specific_hint(mistake, exercise, check_name, phrase):
    check = find(exercise, check_name)
    hints = [judge(check, mistake, seed) for seed in range(6)]
    assert all(h and phrase in h for h in hints), hints
