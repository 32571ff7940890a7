"""Checks for chapter 3 (convex optimization): module ``ch3_convex_optimization``.

Format: see coursekit.exercises.spec. Expected values are closed forms or short reference
computations (numpy.linalg.solve, scipy.sparse.linalg.cg) done here, in the grader, on inputs
drawn afresh for every grading run. This module holds chord_gap, newton_step and
backtracking; coursekit.exercises.checks.ch3.methods the rest (CG, projections, prox, projected GD).
"""
import numpy as np

from coursekit.exercises.checks.ch3 import methods
from coursekit.exercises.spec import Checks, Ref, call, close, fmt, number, unchanged

NUMBER = 3
TITLE = "Convex optimization"
MODULE = "ch3_convex_optimization"
NOTEBOOK = "course/03_convex_optimization.ipynb"
CHECKS = Checks()


def _spd(rng, d, low=1.0, high=10.0):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (Q * np.geomspace(low, high, d)) @ Q.T, Q


# ---------------------------------------------------------------- chord_gap --
def _double_well(x):
    return float(np.sum(x ** 4 / 4 - x ** 2 / 2))


def _chord_inputs(rng):
    d = int(rng.integers(1, 4))
    return call(Ref("coursekit.exercises.checks.ch3.objectives.DoubleWell"), rng.uniform(-1.5, 1.5, size=d),
                rng.uniform(-1.5, 1.5, size=d), float(rng.uniform(0.1, 0.9)))


def _chord_judge(f):
    def judge(c):
        _, x, y, t = c.args
        expected = t * f(c.args[0], x) + (1 - t) * f(c.args[0], y) - f(c.args[0], t * x + (1 - t) * y)
        swapped = (1 - t) * f(c.args[0], x) + t * f(c.args[0], y) - f(c.args[0], t * x + (1 - t) * y)
        what = f"chord_gap(f, x, y, t={t:.3g})"
        return number(c.value, what) or unchanged(x, c.after[1], "x") or close(
            float(c.value), expected, rtol=1e-9, atol=1e-12, what=what,
            mistakes={"the sign is flipped: the gap is chord minus graph, t f(x) + (1-t) f(y) - f(t x + (1-t) y)":
                          -expected,
                      "the weights are swapped: f(x) gets weight t and f(y) weight 1 - t, matching the point "
                      "t x + (1 - t) y": swapped})
    return judge


@CHECKS.add("double well", "chord_gap", 1, _chord_inputs, trials=3,
            description="the gap of a non-convex function (any sign)")
def _judge_chord_double_well(c):
    return _chord_judge(lambda ref, z: _double_well(z))(c)


def _chord_lse_inputs(rng):
    d = int(rng.integers(2, 5))
    return call(Ref("coursekit.exercises.checks.ch3.objectives.LogSumExp", rng.uniform(0.5, 2.0, size=d)),
                rng.normal(size=d) * 2, rng.normal(size=d) * 2, float(rng.uniform(0.1, 0.9)))


@CHECKS.add("log-sum-exp", "chord_gap", 1, _chord_lse_inputs, trials=2,
            description="the gap of a convex function (>= 0)")
def _judge_chord_lse(c):
    w = c.args[0].args[0]
    return _chord_judge(lambda ref, z: float(np.logaddexp.reduce(w * z)))(c)


# -------------------------------------------------------------- newton_step --
def _newton_inputs(rng):
    d = int(rng.integers(2, 6))
    H, _ = _spd(rng, d)
    return call(H, rng.normal(size=d))


def _newton_mistakes(g, H):
    p = np.linalg.solve(H, -g)
    return {"the sign is flipped: the Newton step solves H p = -grad": -p,
            "you returned H grad: the step is H^{-1} grad (solve H p = -grad)": -H @ g,
            "you returned the gradient step -grad: solve H p = -grad": -g}


@CHECKS.add("solves H p = -g", "newton_step", 1, _newton_inputs, trials=3,
            description="matches numpy.linalg.solve on a random SPD Hessian")
def _judge_newton(c):
    H, g = c.args
    return unchanged(H, c.after[0], "hess") or unchanged(g, c.after[1], "grad") or close(
        c.value, np.linalg.solve(H, -g), rtol=1e-9, atol=1e-12, what="newton_step(hess, grad)",
        mistakes=_newton_mistakes(g, H))


def _newton_ill_inputs(rng):
    d = int(rng.integers(4, 8))
    H, Q = _spd(rng, d, 1.0, 1e10)
    H = (H + H.T) / 2
    g = H @ (Q[:, -2:] @ rng.normal(size=2))      # the step lies along the stiff directions
    return call(H, g)


@CHECKS.add("ill-conditioned", "newton_step", 1, _newton_ill_inputs, trials=3,
            description="accurate (residual ~ 1e-15) for a Hessian with condition number 1e10")
def _judge_newton_ill(c):
    H, g = c.args
    what = "newton_step on a Hessian with condition number 1e10"
    problem = close(c.value, np.linalg.solve(H, -g), rtol=1e-3, atol=1e-12, what=what,
                    mistakes=_newton_mistakes(g, H))
    if problem:
        return problem
    residual = float(np.linalg.norm(H @ c.value + g) / np.linalg.norm(g))
    if residual > 1e-12:
        return (f"{what}: the residual |H p + grad| / |grad| is {residual:.2g}, a solver leaves ~1e-15: "
                "did you use np.linalg.inv(H) @ grad? Inverting loses accuracy (and costs more); "
                "use np.linalg.solve(H, -grad)")
    return None


# ------------------------------------------------------------- backtracking --
def _armijo(f, x, d, g, lr, shrink, c, sign=1.0, max_shrinks=60):
    fx, slope, t = f(x), float(g @ d), lr
    for _ in range(max_shrinks):
        if f(x + t * d) <= fx + sign * c * t * slope:
            return t
        t *= shrink
    return t


def _rosenbrock(z):
    return float((1 - z[0]) ** 2 + 100 * (z[1] - z[0] ** 2) ** 2)


def _rosenbrock_grad(z):
    return np.array([-2 * (1 - z[0]) - 400 * z[0] * (z[1] - z[0] ** 2), 200 * (z[1] - z[0] ** 2)])


def _backtracking_inputs(rng):
    for _ in range(2000):                                  # a point where every mistake accepts a different t
        x = np.array([rng.uniform(-1.5, 1.5), rng.uniform(-0.5, 2.0)])
        g = _rosenbrock_grad(x)
        c = float(rng.choice([0.3, 0.45]))
        args = (_rosenbrock, x, -g, g, 1.0, 0.5, c)
        right, wrong_sign, no_c = _armijo(*args), _armijo(*args, sign=-1.0), _armijo(*args[:-1], 0.0)
        if len({right, wrong_sign, no_c, right / 0.5}) == 4:            # every mistake answers differently
            break
    return call(Ref("coursekit.functions.Rosenbrock", method="value"), x, -g, g, lr=1.0, shrink=0.5, c=c)


@CHECKS.add("armijo", "backtracking", 2, _backtracking_inputs, trials=3,
            description="the first t = lr shrink^j meeting Armijo along -grad of Rosenbrock")
def _judge_backtracking(c):
    _, x, d, g = c.args
    lr, shrink, cc = c.kwargs["lr"], c.kwargs["shrink"], c.kwargs["c"]
    expected = _armijo(_rosenbrock, x, d, g, lr, shrink, cc)
    what = f"backtracking(..., lr={lr}, shrink={shrink}, c={cc}) at x = {fmt(x)}"
    return number(c.value, what) or unchanged(x, c.after[1], "x") or close(
        float(c.value), expected, rtol=1e-12, what=what,
        mistakes={"Armijo with the wrong sign: accept when f(x + t d) <= f(x) + c t grad^T d, and grad^T d < 0 "
                  "makes that BELOW f(x) (you accepted f(x) - c t grad^T d, above it)":
                      _armijo(_rosenbrock, x, d, g, lr, shrink, cc, sign=-1.0),
                  "you returned the last rejected step: return t once the condition holds":
                      expected / shrink,
                  "the sufficient-decrease term is missing: plain f(x + t d) < f(x) accepts too early":
                      _armijo(_rosenbrock, x, d, g, lr, shrink, 0.0)})


def _backtracking_first_inputs(rng):
    H, _ = _spd(rng, 3, 1.0, 2.0)
    x = rng.normal(size=3)
    return call(Ref("coursekit.exercises.checks.ch1.objectives.QuadraticForm", H, np.zeros(3)), x, -H @ x, H @ x,
                lr=float(rng.uniform(0.1, 0.4)), shrink=0.5, c=1e-4)


@CHECKS.add("first try", "backtracking", 1, (_backtracking_first_inputs, _backtracking_inputs), trials=2,
            description="returns lr itself when it already satisfies Armijo (and shrinks when it does not)")
def _judge_backtracking_first(c):
    if c.args[0].path.endswith("Rosenbrock"):
        return _judge_backtracking(c)
    lr = c.kwargs["lr"]
    return number(c.value, "backtracking") or close(
        float(c.value), lr, rtol=1e-12, what=f"backtracking with a small first step lr = {lr:.3g} (accept it)",
        mistakes={"you shrank before testing: test t = lr first": lr * c.kwargs["shrink"]})


def _backtracking_bounded_inputs(rng):
    # grad claims a far steeper descent than f has: Armijo fails at every t >= lr shrink^60
    H, _ = _spd(rng, 3, 1.0, 2.0)
    x = rng.normal(size=3)
    return call(Ref("coursekit.exercises.checks.ch1.objectives.QuadraticForm", H, np.zeros(3)), x, -H @ x, 1e30 * (H @ x),
                lr=1.0, shrink=0.5, c=1e-4)


@CHECKS.add("bounded", "backtracking", 0.5, (_backtracking_bounded_inputs, _backtracking_inputs), trials=2,
            description="stops after max_shrinks = 60 rejections with t = lr shrink^60 (and meets Armijo when it can)")
def _judge_backtracking_bounded(c):
    if c.args[0].path.endswith("Rosenbrock"):
        return _judge_backtracking(c)
    lr, shrink = c.kwargs["lr"], c.kwargs["shrink"]
    expected = lr * shrink ** 60
    problem = number(c.value, "backtracking")
    if problem:
        return problem
    got = float(c.value)
    if abs(got - expected) <= 1e-12 * expected:
        return None
    why = (f"backtracking where no t >= lr shrink^60 meets Armijo (the grad given claims a far steeper descent "
           f"than f has): expected the last t = lr shrink^60 = {expected:.4g} after max_shrinks = 60 rejections, "
           f"got {got:.4g}")
    if got < expected:
        return (f"{why}: your loop has no bound (it went on until t was too small to change x); stop after "
                "max_shrinks rejections")
    return f"{why}: test at most max_shrinks = 60 steps, shrinking t after each rejection, and return t"


CHECKS.extend(methods.CHECKS)
