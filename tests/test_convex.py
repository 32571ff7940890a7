"""coursekit.convex against numbers computed another way: scipy.optimize, scipy.sparse.linalg.cg,
numpy.linalg.solve, closed forms and scikit-learn's Lasso; and its bad-input messages."""
import numpy as np
import pytest
import scipy.optimize
import scipy.sparse.linalg

from coursekit import convex, functions
from coursekit.experiments import ch3 as compare


def spd(d, eigenvalues=None, seed=0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.linspace(1, 50, d) if eigenvalues is None else np.asarray(eigenvalues, float)
    return (Q * lam) @ Q.T


# ------------------------------------------------------------------ Newton and line search
def test_newton_solves_a_quadratic_in_one_step():
    A, b = spd(6), np.arange(6.0)
    run = convex.newton(lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b, A), np.ones(6), line_search=False)
    assert run.steps == 1 and run.converged
    np.testing.assert_allclose(run.final, np.linalg.solve(A, b), rtol=1e-12)


@pytest.mark.parametrize("line_search", [True, False])
def test_newton_matches_scipy_trust_exact_on_logistic_regression(line_search):
    p = compare.LogisticProblem(8, mu=1e-2, seed=3)
    run = convex.newton(p.fgh, np.zeros(8), line_search=line_search)
    ref = scipy.optimize.minimize(p.value_and_grad, np.zeros(8), jac=True, method="trust-exact",
                                  hess=lambda w: p.fgh(w)[2], options={"gtol": 1e-12})
    assert run.converged and run.steps <= 10
    np.testing.assert_allclose(run.final, ref.x, atol=1e-7)
    assert run.losses[-1] <= ref.fun + 1e-12


def test_damped_newton_handles_rosenbrock_from_far_and_an_indefinite_start():
    rb = functions.Rosenbrock()
    x0 = np.array([-1.2, 1.0])                  # the classic start, Hessian indefinite nearby
    run = convex.newton(rb, x0, steps=100)
    assert run.converged
    np.testing.assert_allclose(run.final, [1.0, 1.0], atol=1e-8)
    assert np.all(np.diff(run.losses) <= 1e-12)   # Armijo: the loss never rises
    saddle = functions.Quadratic([1.0, -2.0])        # indefinite everywhere: damped step still descends
    run = convex.newton(saddle, np.array([0.5, 0.3]), steps=3)
    assert run.losses[-1] < run.losses[0]


def test_pure_newton_on_a_singular_hessian_gives_a_clear_message():
    flat = functions.Quadratic([1.0, 0.0])
    with pytest.raises(ValueError, match="Hessian is singular"):
        convex.newton(flat, np.array([1.0, 1.0]), line_search=False)


def test_pure_newton_says_when_it_stopped_at_a_saddle():
    saddle = functions.Quadratic([1.0, -2.0])        # pure Newton jumps to the stationary point, a saddle
    run = convex.newton(saddle, np.array([0.5, 0.3]), line_search=False)
    assert run.converged and run.steps == 1 and "no minimum" in run.message
    bowl = convex.newton(functions.Quadratic([1.0, 2.0]), np.array([0.5, 0.3]), line_search=False)
    assert bowl.converged and "no minimum" not in bowl.message


@pytest.mark.parametrize("call", [
    lambda: convex.newton(functions.Quadratic([1.0, 2.0]), np.ones(2), steps=-1),
    lambda: convex.lasso(np.eye(3), np.ones(3), 0.1, steps=-2),
    lambda: convex.proximal_gradient(functions.Quadratic([1.0, 2.0]), lambda v, t: v, np.ones(2), lr=0.1, steps=-1),
    lambda: convex.projected_gradient(functions.Quadratic([1.0, 2.0]), lambda v: v, np.ones(2), lr=0.1, steps=-1)])
def test_negative_steps_are_refused_by_name(call):
    with pytest.raises(ValueError, match="steps must be >= 0"):
        call()


def test_backtracking_satisfies_armijo_and_is_the_largest_such_power():
    rb = functions.Rosenbrock()
    x = np.array([-1.0, 1.5])
    g = rb.grad(x)
    t = convex.backtracking(rb.value, x, -g, g, lr=1.0, shrink=0.5, c=1e-4)
    armijo = lambda s: rb.value(x - s * g) <= rb.value(x) - 1e-4 * s * g @ g
    assert armijo(t) and not armijo(2 * t)
    ref = scipy.optimize.line_search(rb.value, rb.grad, x, -g, c1=1e-4)[0]   # Wolfe step: Armijo holds there too
    assert armijo(ref)


def test_backtracking_rejects_an_ascent_direction():
    with pytest.raises(ValueError, match="not a descent direction"):
        convex.backtracking(lambda x: x @ x, np.ones(2), np.ones(2), 2 * np.ones(2))


# ------------------------------------------------------------------ conjugate gradient
def test_cg_matches_scipy_cg_and_records_residuals():
    A, b = spd(30, seed=1), np.random.default_rng(1).normal(size=30)
    run = convex.conjugate_gradient(A, b, tol=1e-12)
    ref, info = scipy.sparse.linalg.cg(A, b, rtol=1e-12, atol=0.0)
    assert info == 0
    np.testing.assert_allclose(run.final, ref, atol=1e-9)
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(run.iterates @ A - b, axis=1), rtol=1e-6, atol=1e-12)
    q = 0.5 * np.einsum("ki,ij,kj->k", run.iterates, A, run.iterates) - run.iterates @ b
    np.testing.assert_allclose(run.losses, q, rtol=1e-9, atol=1e-9)
    assert run.steps <= 30 and run.converged


def test_cg_with_a_matvec_callable_and_the_momentum_form():
    A, b = spd(12, seed=2), np.ones(12)
    run = convex.conjugate_gradient(lambda v: A @ v, b)
    lrs, momenta = convex.as_momentum(run)
    xs = convex.momentum_iterates(A, b, np.zeros(12), lrs, momenta)
    np.testing.assert_allclose(xs, run.iterates, atol=1e-10)


def test_cg_error_stays_under_the_kappa_bound():
    A = spd(200, np.geomspace(1, 1e3, 200), seed=4)
    x_star = np.random.default_rng(4).normal(size=200)
    run = convex.conjugate_gradient(A, A @ x_star, tol=1e-14)
    e = run.iterates - x_star
    err = np.sqrt(np.einsum("ki,ij,kj->k", e, A, e))
    assert np.all(err / err[0] <= convex.cg_bound(1e3, run.steps) + 1e-12)


@pytest.mark.parametrize("A, message", [
    (np.ones((2, 3)), "square"),
    (np.array([[2.0, 1.0], [0.0, 2.0]]), "symmetric"),
    (np.diag([1.0, -1.0]), "not positive definite"),
    (np.eye(3), "shapes do not match"),
])
def test_cg_bad_matrices(A, message):
    with pytest.raises(ValueError, match=message):
        convex.conjugate_gradient(A, np.array([1.0, 1.0]))


# ------------------------------------------------------------------ projections and prox
def test_projections_match_scipy_constrained_minimization():
    rng = np.random.default_rng(5)
    for _ in range(5):
        x = rng.normal(size=4) * 3
        ref_ball = scipy.optimize.minimize(lambda z: np.sum((z - x) ** 2), np.zeros(4), method="SLSQP",
                                           constraints=[{"type": "ineq", "fun": lambda z: 1.5 - np.sum((z - 0.2) ** 2)}],
                                           options={"ftol": 1e-14})
        np.testing.assert_allclose(convex.project_ball(x, np.sqrt(1.5), center=0.2), ref_ball.x, atol=1e-6)
        ref_simplex = scipy.optimize.minimize(lambda z: np.sum((z - x) ** 2), np.full(4, 0.5), method="SLSQP",
                                              bounds=[(0, None)] * 4, options={"ftol": 1e-14},
                                              constraints=[{"type": "eq", "fun": lambda z: z.sum() - 2.0}])
        np.testing.assert_allclose(convex.project_simplex(x, total=2.0), ref_simplex.x, atol=1e-6)
        np.testing.assert_allclose(convex.project_box(x, -1, [0, 1, 2, 3]), np.clip(x, -1, [0, 1, 2, 3]))


def test_projections_are_vectorized_over_leading_axes():
    x = np.random.default_rng(6).normal(size=(3, 5, 4))
    for project in (lambda z: convex.project_ball(z, 0.7), convex.project_simplex):
        batched = project(x)
        rows = np.array([[project(r) for r in block] for block in x])
        np.testing.assert_allclose(batched, rows, atol=1e-15)


def test_prox_l1_closed_form():
    x = np.array([-3.0, -0.5, 0.0, 0.2, 2.0])
    np.testing.assert_array_equal(convex.prox_l1(x, 1.0), [-2.0, 0.0, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("call, message", [
    (lambda: convex.project_box(np.zeros(2), 1.0, 0.0), "low must be <= high"),
    (lambda: convex.project_ball(np.zeros(2), 0.0), "radius"),
    (lambda: convex.project_ball(np.zeros(2), -1.0), "radius"),
    (lambda: convex.project_simplex(np.zeros(2), total=0.0), "total"),
    (lambda: convex.prox_l1(np.zeros(2), -0.1), "t must be >= 0"),
    (lambda: convex.lasso(np.ones((3, 2)), np.ones(3), -1.0), "lam"),
    (lambda: convex.lasso(np.ones((3, 2)), np.ones(4), 1.0), "same n"),
    (lambda: convex.find_violation(lambda x: x[..., 0], [1.0], [0.0]), "low must be <= high"),
    (lambda: convex.project_box(np.array([np.nan]), 0.0, 1.0), "x must be finite"),
    (lambda: convex.project_box(np.zeros(3), np.zeros(2), np.ones(2)), "broadcast"),
    (lambda: convex.project_ball(np.zeros(3), 1.0, center=np.zeros(2)), "center"),
    (lambda: convex.backtracking(lambda z: z @ z, np.ones(2), -np.ones(3), np.ones(2)), "direction and grad"),
    (lambda: convex.backtracking(lambda z: z @ z, np.ones(2), -np.ones(2), np.ones(2), shrink=1.5), "shrink"),
    (lambda: convex.conjugate_gradient(np.eye(2), np.ones(2), x0=np.zeros(3)), "x0"),
    (lambda: convex.conjugate_gradient(np.eye(2), np.ones((2, 1))), "b must be a vector"),
    (lambda: convex.newton(functions.Quadratic([1.0, 2.0]), np.zeros((2, 2))), "x0"),
    (lambda: convex.lasso(np.ones((3, 2)), np.ones(3), 1.0, method="admm"), "method"),
    (lambda: convex.projected_gradient(lambda z: (0.0, z), lambda z: z, np.ones(2), lr=-1.0, steps=3), "lr"),
    (lambda: convex.find_violation(lambda x: x[..., 0], [0.0, 0.0], [1.0, 1.0, 1.0]), "same length"),
])
def test_bad_input_names_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ constrained and composite
def test_projected_gradient_box_matches_l_bfgs_b_and_satisfies_kkt():
    A, b = spd(5, seed=7), np.random.default_rng(7).normal(size=5) * 10
    fg = lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b)
    run = convex.projected_gradient(fg, lambda z: convex.project_box(z, -0.5, 0.5), np.zeros(5), lr=1 / 50, steps=3000)
    ref = scipy.optimize.minimize(fg, np.zeros(5), jac=True, method="L-BFGS-B", bounds=[(-0.5, 0.5)] * 5,
                                  options={"gtol": 1e-12, "ftol": 1e-15})
    np.testing.assert_allclose(run.final, ref.x, atol=1e-6)
    assert np.all(np.abs(run.iterates) <= 0.5)
    assert convex.kkt_box(run.final, fg(run.final)[1], -0.5, 0.5).residual < 1e-6


def test_projected_gradient_ball_satisfies_kkt():
    A, b = spd(4, seed=8), np.full(4, 20.0)
    fg = lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b)
    run = convex.projected_gradient(fg, lambda z: convex.project_ball(z, 1.0), np.zeros(4), lr=1 / 50, steps=3000)
    assert np.all(np.linalg.norm(run.iterates, axis=1) <= 1 + 1e-12)
    kkt = convex.kkt_ball(run.final, fg(run.final)[1], 1.0)
    assert kkt.residual < 1e-8 and kkt.multipliers[0] > 0
    ref = scipy.optimize.minimize(fg, np.zeros(4), jac=True, method="SLSQP", options={"ftol": 1e-15},
                                  constraints=[{"type": "ineq", "fun": lambda z: 1 - z @ z}])
    np.testing.assert_allclose(run.final, ref.x, atol=1e-6)


def test_lasso_matches_scikit_learn():
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(9)
    A = rng.normal(size=(40, 12))
    b = A @ np.r_[3.0, -2.0, 1.5, np.zeros(9)] + 0.1 * rng.normal(size=40)
    alpha = 0.1
    ref = sklearn.Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(A, b).coef_
    run = convex.lasso(A, b, lam=40 * alpha, steps=20_000, tol=1e-12)
    np.testing.assert_allclose(run.final, ref, atol=1e-6)
    np.testing.assert_array_equal(run.final == 0, ref == 0)
    C = A * np.geomspace(1, 0.02, 12)                  # badly scaled columns: ISTA crawls
    best = convex.lasso(C, b, 1.0, steps=50_000, tol=1e-13).losses[-1]
    ista, fista = (convex.lasso(C, b, 1.0, method=m, steps=300).losses[-1] - best for m in ("ista", "fista"))
    assert fista < ista / 10


def test_lasso_path_and_lam_max():
    rng = np.random.default_rng(10)
    A, b = rng.normal(size=(30, 6)), rng.normal(size=30)
    top = convex.lam_max(A, b)
    path = convex.lasso_path(A, b, [1.01 * top, 0.5 * top, 1e-3 * top])
    assert np.all(path[0] == 0) and np.count_nonzero(path[1]) < 6
    np.testing.assert_allclose(path[2], np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-2)


# ------------------------------------------------------------------ convexity and assembly
def test_find_violation_on_convex_and_non_convex_functions():
    assert convex.find_violation(functions.Quadratic([1.0, 5.0]).value, [-3, -3], [3, 3]) is None
    assert convex.find_violation(lambda x: np.logaddexp(x[..., 0], x[..., 1]), [-3, -3], [3, 3]) is None
    x, y, t = convex.find_violation(functions.Himmelblau().value, [-5, -5], [5, 5])
    f = functions.Himmelblau().value
    assert f(t * x + (1 - t) * y) > t * f(x) + (1 - t) * f(y)


def test_min_hessian_eigenvalue_matches_a_closed_form():
    # f = x^4/4 - x^2/2 + y^2: f'' = 3x^2 - 1, min over [-1, 1] is -1 at x = 0
    hess = lambda z: np.stack([np.stack([3 * z[..., 0] ** 2 - 1, 0 * z[..., 0]], -1),
                               np.stack([0 * z[..., 0], 2 + 0 * z[..., 0]], -1)], -2)
    value, point = convex.min_hessian_eigenvalue(hess, [-1, -1], [1, 1], resolution=41)
    assert value == pytest.approx(-1.0) and point[0] == pytest.approx(0.0)


def test_spring_chain_assembly_matches_finite_differences_and_sparse_form():
    chain = convex.SpringChain(7, stiffening=2.0, seed=1)
    x = np.random.default_rng(1).normal(size=7)
    H = chain.hessian(x)
    fd = np.array([(chain.grad(x + 1e-6 * e) - chain.grad(x - 1e-6 * e)) / 2e-6 for e in np.eye(7)])
    np.testing.assert_allclose(H, fd, atol=1e-6)
    He, idx = chain.element_hessians(x)
    sparse = convex.assemble_hessian(He, idx + 1, 9, sparse=True).toarray()[1:-1, 1:-1]
    np.testing.assert_allclose(sparse, H)
    np.testing.assert_allclose(chain.sparse_hessian(x).toarray(), H)
    g_fd = np.array([(chain.value(x + 1e-6 * e) - chain.value(x - 1e-6 * e)) / 2e-6 for e in np.eye(7)])
    np.testing.assert_allclose(chain.grad(x), g_fd, atol=1e-6)


def test_assemble_hessian_bad_indices():
    with pytest.raises(ValueError, match="elements must index"):
        convex.assemble_hessian(np.ones((1, 2, 2)), np.array([[0, 5]]), 3)


# ------------------------------------------------------------------ cost comparison helpers
def test_time_to_tolerance_reaches_tol_and_crossover_interpolates():
    out = compare.time_to_tolerance([8, 16], tol=1e-6, repeats=1)
    for m in out.values():
        assert all(g <= 1e-6 for g in m["grad_norm"])
    assert out["Newton"]["steps"][0] < out["GD"]["steps"][0]
    assert compare.crossover([10, 100], [1.0, 10.0], [2.0, 5.0]) == pytest.approx(10 ** 1.5)   # log ratio -log 2 -> log 2: halfway
    assert compare.crossover([10, 100], [1.0, 1.0], [2.0, 2.0]) is None


def test_prox_and_projection_take_any_array_api_array():
    """array_api_strict arrays (no NumPy dtype.kind): the same numbers as NumPy's, in their own module."""
    xp = pytest.importorskip("array_api_strict")
    v = np.array([1.5, -0.2, 0.05, -3.0])
    for name, call in [("prox_l1", lambda a: convex.prox_l1(a, 0.1)),
                       ("project_box", lambda a: convex.project_box(a, -1.0, 1.0))]:
        got = call(xp.asarray(v))
        assert type(got).__module__.startswith("array_api_strict"), name
        np.testing.assert_array_equal(np.asarray(got), call(v))
    np.testing.assert_array_equal(np.asarray(convex.prox_l1(xp.asarray([1, -2, 0]), 0.5)), [0.5, -1.5, 0.0])
