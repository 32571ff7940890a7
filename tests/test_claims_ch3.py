"""Chapter 3 claims (C26-C36 of course/CLAIMS.md), asserted with coursekit.convex.

Each test compares the package with numbers computed another way: closed-form Hessians,
numpy.linalg, scipy.optimize, scipy.sparse.linalg.cg, finite differences, scikit-learn.
``pytest -m claim`` runs them all.
"""

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse.linalg

from coursekit import convex, functions
from coursekit.runs import minimize
from coursekit.experiments import ch3 as compare

claim = pytest.mark.claim


def rotation(d, seed):
    Q, R = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return Q * np.sign(np.diag(R))


def spd(eigenvalues, seed=0):
    Q = rotation(len(eigenvalues), seed)
    return (Q * np.asarray(eigenvalues, float)) @ Q.T


# ------------------------------------------------------------------ C26 chords and Hessians
@claim("C26")
@pytest.mark.parametrize("landscape, convex_expected", [
    (functions.Quadratic([1.0, 8.0], angle=0.4), True),
    (functions.Quadratic([0.0, 3.0]), True),                 # PSD, not PD: convex, a line of minimizers
    (functions.Rosenbrock(), False),
    (functions.Himmelblau(), False),
    (functions.Saddle(), False),
])
def test_chord_test_agrees_with_hessian_eigenvalues(landscape, convex_expected):
    box = ([-2, -2], [2, 2])
    found = convex.find_violation(landscape.value, *box, samples=20_000)
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 41), np.linspace(-2, 2, 41)), -1).reshape(-1, 2)
    smallest = np.linalg.eigvalsh(landscape.hessian(grid))[:, 0].min()   # the library's Hessian
    assert (found is None) == convex_expected == (smallest >= -1e-12)
    if found is not None:
        x, y, t = found
        f = landscape.value
        assert f(t * x + (1 - t) * y) > t * f(x) + (1 - t) * f(y)


# ------------------------------------------------------------------ C27 operations
@claim("C27")
def test_sums_and_positive_multiples_stay_convex_and_differences_need_not():
    q1, q2 = functions.Quadratic([1.0, 5.0], angle=0.3), functions.Quadratic([2.0, 0.5], angle=1.2)
    lse = lambda x: np.logaddexp(x[..., 0], 2 * x[..., 1])
    box = ([-3, -3], [3, 3])
    for f in (lambda x: q1.value(x) + q2.value(x), lambda x: 3.5 * q1.value(x) + 0.2 * lse(x),
              lambda x: lse(x) + np.abs(x).sum(-1)):
        assert convex.find_violation(f, *box) is None
    assert convex.find_violation(lambda x: q1.value(x) - 2 * q2.value(x), *box) is not None


# ------------------------------------------------------------------ C28 convexification
@claim("C28")
def test_regularization_convexifies_at_the_hessian_threshold():
    him = functions.Himmelblau()
    low, high = [-1.5, -1.5], [1.5, 1.5]
    lam_min, _ = convex.min_hessian_eigenvalue(him.hessian, low, high, resolution=121)
    ref = scipy.optimize.minimize(lambda z: np.linalg.eigvalsh(him.hessian(z))[0], [0.0, 0.0],
                                  bounds=[(-1.5, 1.5)] * 2)
    assert lam_min == pytest.approx(ref.fun, abs=1e-2)        # the threshold, two ways
    threshold = -lam_min
    assert convex.find_violation(convex.regularized(him.value, 0.8 * threshold), low, high, samples=50_000) is not None
    assert convex.find_violation(convex.regularized(him.value, 1.02 * threshold), low, high, samples=50_000) is None


# ------------------------------------------------------------------ C29 local = global
@claim("C29")
def test_random_starts_agree_on_convex_problems_and_not_on_non_convex_ones():
    rng = np.random.default_rng(0)
    p = compare.LogisticProblem(6, mu=0.05)
    finals = [compare.gradient_descent(p.value_and_grad, rng.normal(size=6) * 5, 1 / p.L, steps=20_000, tol=1e-9)[0]
              for _ in range(20)]
    values = [p.value_and_grad(w)[0] for w in finals]
    assert np.ptp(values) < 1e-12 and np.max(np.std(finals, axis=0)) < 1e-8
    him = functions.Himmelblau()
    ends = [compare.gradient_descent(lambda z: (him.value(z), him.grad(z)), rng.uniform(-5, 5, 2), 0.01,
                                     steps=5000, tol=1e-9)[0] for _ in range(40)]
    distinct = {tuple(np.round(e, 4)) for e in ends}
    assert len(distinct) >= 3                                 # several local minima reached
    ras = functions.MultiModal()                              # unequal minima: the loss depends on the start
    run = minimize(ras, rng.uniform(-4.5, 4.5, size=(40, 2)), "sgd", 2000, lr=1e-3)
    for x in run.final:                                       # each end is a local minimum (closed-form Hessian)...
        assert np.linalg.norm(ras.grad(x)) < 1e-6 and np.all(np.linalg.eigvalsh(ras.hessian(x)) > 0)
    levels = np.unique(np.round(run.final_loss, 2))
    assert len(levels) >= 5 and np.ptp(run.final_loss) > 5   # ...with values that differ by whole bumps


# ------------------------------------------------------------------ C30 quadratic convergence
def newton_on_logistic():
    """(problem, Newton's run, scipy trust-exact's solution) on the notebook's logistic problem."""
    p = compare.LogisticProblem(10, mu=1e-3, seed=1)
    run = convex.newton(p.fgh, np.zeros(10), tol=1e-14)
    ref = scipy.optimize.minimize(p.value_and_grad, np.zeros(10), jac=True, method="trust-exact",
                                  hess=lambda w: p.fgh(w)[2], options={"gtol": 1e-14}).x
    return p, run, ref


@claim("C30")
def test_newton_digits_double_and_a_quadratic_takes_one_step():
    p, run, ref = newton_on_logistic()
    e = np.linalg.norm(run.iterates - ref, axis=1)
    window = (e < 1e-1) & (e > 1e-12)
    ratios = np.log(e[1:])[window[:-1] & window[1:]] / np.log(e[:-1])[window[:-1] & window[1:]]
    assert len(ratios) >= 1 and np.all(ratios > 1.6)          # log e_{k+1} / log e_k near 2
    A, b = spd(np.linspace(1, 100, 8)), np.ones(8)
    one = convex.newton(lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b, A), np.full(8, 3.0), line_search=False)
    assert one.steps == 1 and np.allclose(one.final, scipy.linalg.solve(A, b), rtol=1e-12)


import scipy.linalg  # noqa: E402  (used above)


# ------------------------------------------------------------------ C31 sensitivity
@claim("C31")
def test_newton_step_error_grows_with_kappa():
    rng = np.random.default_rng(2)
    amplification = []
    for kappa in [1e1, 1e3, 1e5, 1e7]:
        H = spd(np.geomspace(1, kappa, 6), seed=3)
        Q = np.linalg.eigh(H)[1]
        g = H @ Q[:, -1]                                       # the step lies along the stiff direction
        p = convex.newton_step(H, g)
        ratios = []
        for _ in range(20):
            dg = rng.normal(size=6)
            dg *= 1e-8 * np.linalg.norm(g) / np.linalg.norm(dg)
            dp = convex.newton_step(H, g + dg) - p
            ratios.append((np.linalg.norm(dp) / np.linalg.norm(p)) / 1e-8)
        amplification.append(np.median(ratios))
        assert np.median(ratios) <= kappa * 1.01
    assert np.all(np.diff(np.log10(amplification)) > 1.5)     # ~ 100x per 100x of kappa


# ------------------------------------------------------------------ C32 cost
@claim("C32")
def test_second_order_takes_fewer_steps_but_its_cost_per_step_grows_fastest():
    out = compare.time_to_tolerance([32, 256], tol=1e-6, repeats=5)      # one BLAS thread, best of 5
    for i in range(2):
        assert out["Newton"]["steps"][i] < out["L-BFGS"]["steps"][i] < out["GD"]["steps"][i]
    per_step = {m: np.array(r["seconds"]) / np.array(r["steps"]) for m, r in out.items()}
    growth = {m: v[1] / v[0] for m, v in per_step.items()}
    assert growth["Newton"] > 2 * growth["GD"], growth           # d^3 (x512) against d^2 (x64) for 8x d
    assert compare.LogisticProblem(256).fgh(np.zeros(256))[2].nbytes == 256 * 256 * 8   # O(d^2) memory


# ------------------------------------------------------------------ C33 conjugate gradient
@claim("C33")
def test_cg_within_d_steps_distinct_eigenvalues_and_momentum_form():
    rng = np.random.default_rng(4)
    A = spd(np.linspace(1, 10, 25), seed=4)
    b = rng.normal(size=25)
    run = convex.conjugate_gradient(A, b, tol=1e-10)
    assert run.steps <= 25
    np.testing.assert_allclose(run.final, scipy.sparse.linalg.cg(A, b, rtol=1e-12, atol=0)[0], atol=1e-8)
    clustered = spd(np.repeat([1.0, 4.0, 9.0, 30.0], [10, 10, 10, 10]), seed=5)
    assert convex.conjugate_gradient(clustered, rng.normal(size=40), tol=1e-10).steps <= 5
    lrs, momenta = convex.as_momentum(run)
    np.testing.assert_allclose(convex.momentum_iterates(A, b, np.zeros(25), lrs, momenta), run.iterates, atol=1e-10)
    assert np.ptp(momenta[1:]) > 0.01                          # the coefficients change from step to step


# ------------------------------------------------------------------ C34 assembly
@claim("C34")
def test_assembled_hessian_equals_the_direct_one():
    chain = convex.SpringChain(30, stiffening=1.5, seed=6)
    x = np.random.default_rng(6).normal(size=30)
    H = chain.hessian(x)
    k = 1 + 3 * 1.5 * np.diff(np.r_[0.0, x, 0.0]) ** 2          # spring stiffness phi''(u)
    direct = np.diag(k[:-1] + k[1:]) - np.diag(k[1:-1], 1) - np.diag(k[1:-1], -1)
    np.testing.assert_allclose(H, direct, rtol=1e-13)
    fd = np.array([(chain.grad(x + 1e-6 * e) - chain.grad(x - 1e-6 * e)) / 2e-6 for e in np.eye(30)])
    np.testing.assert_allclose(H, fd, atol=1e-5)


# ------------------------------------------------------------------ C35 constraints
@claim("C35")
@pytest.mark.parametrize("kind", ["box", "ball"])
def test_projected_gradient_stays_feasible_and_reaches_the_kkt_point(kind):
    A, b = spd([1.0, 3.0, 6.0], seed=7), np.array([8.0, -5.0, 3.0])
    fg = lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b)
    if kind == "box":
        project, feasible = (lambda z: convex.project_box(z, -1, 1)), (lambda z: np.all(np.abs(z) <= 1))
        ref = scipy.optimize.minimize(fg, np.zeros(3), jac=True, method="L-BFGS-B", bounds=[(-1, 1)] * 3,
                                      options={"gtol": 1e-12, "ftol": 1e-15}).x
    else:
        project, feasible = (lambda z: convex.project_ball(z, 1.0)), (lambda z: z @ z <= 1 + 1e-12)
        ref = scipy.optimize.minimize(fg, np.zeros(3), jac=True, method="SLSQP", options={"ftol": 1e-15},
                                      constraints=[{"type": "ineq", "fun": lambda z: 1 - z @ z}]).x
    run = convex.projected_gradient(fg, project, np.array([0.9, -0.9, 0.0]), lr=1 / 6, steps=500)
    assert all(feasible(x) for x in run.iterates)
    np.testing.assert_allclose(run.final, ref, atol=1e-6)
    kkt = (convex.kkt_box(run.final, fg(run.final)[1], -1, 1) if kind == "box"
           else convex.kkt_ball(run.final, fg(run.final)[1], 1.0))
    assert kkt.residual < 1e-8


# ------------------------------------------------------------------ C36 Lasso
@claim("C36")
def test_lasso_exact_zeros_fista_faster_and_matches_scikit_learn():
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(8)
    A = rng.normal(size=(50, 20))
    b = A @ np.r_[2.0, -3.0, 1.0, np.zeros(17)] + 0.2 * rng.normal(size=50)
    lams = np.geomspace(convex.lam_max(A, b), 1e-2 * convex.lam_max(A, b), 12)
    path = convex.lasso_path(A, b, lams, steps=20_000, tol=1e-12)
    ref = np.array([linear_model.Lasso(alpha=lam / 50, fit_intercept=False, tol=1e-14, max_iter=100_000)
                    .fit(A, b).coef_ for lam in lams])
    np.testing.assert_allclose(path, ref, atol=1e-6)
    assert np.all(path[0] == 0) and np.sum(path == 0) > 50     # exact zeros, not just small numbers
    C = np.random.default_rng(0).normal(size=(60, 40)) * np.geomspace(1, 1e-2, 40)   # badly scaled columns
    c = np.random.default_rng(1).normal(size=60)
    best = convex.lasso(C, c, 0.5, steps=100_000, tol=1e-12).losses[-1]
    gaps = {m: convex.lasso(C, c, 0.5, method=m, steps=300).losses[-1] - best for m in ("ista", "fista")}
    assert gaps["fista"] < gaps["ista"] / 100


@claim("C26")
def test_tangent_below_a_convex_graph_and_between_the_mu_and_L_quadratics():
    mu = 0.1
    f = lambda w: np.logaddexp(0.0, -w) + mu / 2 * w ** 2
    g = lambda w: -1.0 / (1.0 + np.exp(w)) + mu * w
    y = np.linspace(-6, 6, 601)
    for x in np.linspace(-5, 5, 21):
        lin = f(x) + g(x) * (y - x)
        assert np.all(f(y) - lin - mu / 2 * (y - x) ** 2 >= -1e-12)
        assert np.all(lin + (0.25 + mu) / 2 * (y - x) ** 2 - f(y) >= -1e-12)
    well = lambda w: w ** 4 / 4 - w ** 2 / 2
    assert np.min(well(y) - well(0.3) - (0.3 ** 3 - 0.3) * (y - 0.3)) < 0      # non-convex: it crosses


@claim("C36")
def test_lasso_duality_gap_certifies_and_the_subgradient_method_finds_no_exact_zeros():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(60, 40)) * np.geomspace(1, 1e-2, 40)
    b = np.random.default_rng(1).normal(size=60)
    best = convex.lasso(A, b, 0.5, steps=20_000, tol=1e-12)
    run = convex.lasso(A, b, 0.5, steps=2000)
    gaps = np.array([convex.lasso_duality_gap(A, b, x, 0.5) for x in run.iterates])
    assert np.all(gaps >= run.losses - best.losses[-1] - 1e-12)
    stop = int(np.argmax(gaps <= 1e-6))
    assert gaps[stop] <= 1e-6 and run.losses[stop] - best.losses[-1] <= 1e-6
    xs, _ = convex.subgradient_lasso(A, b, 0.5, steps=2000, lr0=1 / np.linalg.norm(A, 2) ** 2)
    assert np.sum(best.final == 0) >= 10 and np.sum(run.final == 0) == np.sum(best.final == 0)
    assert np.sum(xs[-1] == 0) == 0


@claim("C30")
def test_newton_error_ratio_to_the_square_stays_bounded_and_newton_is_affine_invariant():
    problem, run, w_star = newton_on_logistic()
    e = np.linalg.norm(run.iterates - w_star, axis=1)
    C = e[1:8] / e[:7] ** 2
    assert C.max() < 0.2 and C.min() > 0.05
    M = np.random.default_rng(0).normal(size=(10, 10)) + 3 * np.eye(10)
    def mixed(y):
        f, g, H = problem.fgh(M @ y)
        return f, M.T @ g, M.T @ H @ M
    run_M = convex.newton(mixed, np.zeros(10), tol=1e-14)
    np.testing.assert_allclose(run_M.iterates @ M.T, run.iterates, atol=1e-12)
