"""Chapter 1 claims (C1-C11 of course/CLAIMS.md), asserted with the package.

Each test runs coursekit's landscapes, models, optimizers and ``minimize`` and compares
with numbers computed another way: closed forms, finite differences of the function
values only, scipy (expm, BFGS), exhaustive averages. ``pytest -m claim`` runs them all.
"""
import math

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize

from coursekit import data, functions, models, optim, theory
from coursekit.theory import gradcheck
from coursekit import minimize

claim = pytest.mark.claim


def random_rotation(d, seed):
    Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def gd_loop(grad, x0, lr, steps):
    """Plain GD written out here, to hold the package's runs against."""
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad(xs[-1]))
    return np.stack(xs)


# ---------------------------------------------------------------- C1 steepest descent

@claim("C1")
@pytest.mark.parametrize("landscape,x", [
    (functions.Rosenbrock(), np.array([-0.7, 1.4])),
    (functions.Himmelblau(), np.array([0.5, -1.0])),
    (functions.Quadratic(np.linspace(1, 20, 5), rotation=random_rotation(5, 0)), np.ones(5)),
])
def test_negative_gradient_is_steepest_descent(landscape, x):
    rng = np.random.default_rng(1)
    d = x.shape[0]
    U = rng.standard_normal((20000, d))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    h = 1e-6
    # directional derivatives from function VALUES only (central differences)
    slopes = (landscape.value(x + h * U) - landscape.value(x - h * U)) / (2 * h)
    g = landscape.grad(x)
    gnorm = np.linalg.norm(g)
    steepest = -g / gnorm
    slope_steepest = (landscape.value(x + h * steepest) - landscape.value(x - h * steepest)) / (2 * h)
    assert slope_steepest == pytest.approx(-gnorm, rel=1e-6)          # D_u f = -|grad f| there
    assert slopes.min() >= slope_steepest - 1e-6 * gnorm              # no sampled direction is steeper
    best = U[np.argmin(slopes)]
    assert best @ steepest > 0.97                                     # the best one points along -grad
    np.testing.assert_allclose(slopes, U @ g, rtol=1e-5, atol=1e-7 * gnorm)   # D_u f = u . grad f


# ---------------------------------------------------------------- C2 stationary points

@claim("C2")
def test_stationary_points_classified_by_hessian_signs():
    f = functions.CubicSaddles()                     # x^3 - 3x - y^3 + 3y
    # analytically: grad = (3x^2 - 3, 3 - 3y^2) = 0 at x = +-1, y = +-1, Hessian diag(6x, -6y)
    expected = {(1.0, -1.0): "minimum", (-1.0, 1.0): "maximum", (1.0, 1.0): "saddle", (-1.0, -1.0): "saddle"}
    rng = np.random.default_rng(0)
    for point, kind in expected.items():
        p = np.array(point)
        np.testing.assert_allclose(f.grad(p), 0.0, atol=1e-14)
        H_fd = gradcheck.numerical_jacobian(f.grad, p)                   # Hessian by finite differences
        assert theory.classify_hessian(H_fd, tol=1e-6) == kind
        assert theory.classify_hessian(f.hessian(p)) == kind
        # and what the kind means: the change of f around p, from values only
        steps = 1e-3 * rng.standard_normal((500, 2))
        change = f.value(p + steps) - f.value(p)
        if kind == "minimum":
            assert np.all(change > 0)
        elif kind == "maximum":
            assert np.all(change < 0)
        else:
            assert change.min() < 0 < change.max()
    assert {tuple(p): k for p, k in f.stationary_points} == expected


@claim("C2")
def test_degenerate_hessian_cannot_decide():
    # x^4 + y^2 (minimum) and x^3 + y^2 (no extremum) share the Hessian diag(0, 2) at 0
    H = np.diag([0.0, 2.0])
    assert theory.classify_hessian(H) == "degenerate"
    t = np.linspace(-1e-2, 1e-2, 11)
    assert np.all(t ** 4 >= 0) and (t ** 3).min() < 0 < (t ** 3).max()


# ---------------------------------------------------------------- C3 the 2/L limit

@claim("C3")
@pytest.mark.parametrize("mu,L", [(1.0, 10.0), (0.5, 40.0)])
def test_two_over_L_limit(mu, L):
    f = functions.Quadratic((mu, L), angle=0.4)
    x0 = np.array([1.5, -2.0])
    below = minimize(f, x0, "sgd", 3000, lr=0.99 * 2 / L)
    above = minimize(f, x0, "sgd", 3000, lr=1.01 * 2 / L)
    assert not below.diverged and below.losses[-1] < 1e-20 * below.losses[0]
    assert above.diverged
    # the loss along the L-direction grows by (1 - lr L)^2 = 1.02^2 per step until the run stops
    growth = above.losses[201] / above.losses[200]
    assert growth == pytest.approx(1.02 ** 2, rel=1e-3)


@claim("C3")
@pytest.mark.parametrize("mu,L", [(1.0, 10.0), (1.0, 100.0), (0.3, 2.0)])
def test_best_fixed_step_contraction(mu, L):
    f = functions.Quadratic((mu, L), angle=0.7, center=(0.5, -0.25))
    x0 = np.array([2.0, 1.0])
    kappa = L / mu
    run = minimize(f, x0, "sgd", 60, lr=2 / (mu + L))
    err = np.linalg.norm(run.iterates - f.center, axis=1)
    ratios = err[1:] / err[:-1]
    np.testing.assert_allclose(ratios, (kappa - 1) / (kappa + 1), rtol=0, atol=1e-6)
    assert theory.optimal_rate(mu, L) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-15)


@claim("C3")
def test_best_fixed_step_is_best_among_a_batch_of_learning_rates():
    mu, L = 1.0, 10.0
    f = functions.Quadratic((mu, L), angle=0.2)
    lrs = np.linspace(0.02, 0.198, 90)
    x0 = np.tile([1.0, 1.0], (lrs.size, 1))
    runs = minimize(f, x0, "sgd", 200, lr=lrs[:, None])              # 90 runs in one call
    err = np.linalg.norm(runs.iterates[-1], axis=1)
    measured = (err / np.sqrt(2)) ** (1 / 200)                       # asymptotic rate per step
    np.testing.assert_allclose(measured, theory.gd_rate(np.array([mu, L]), lrs), rtol=2e-2)
    assert abs(lrs[np.argmin(err)] - 2 / (mu + L)) <= lrs[1] - lrs[0]


# ---------------------------------------------------------------- C4 regimes

@claim("C4")
def test_learning_rate_regimes():
    f = functions.Quadratic((1.0, 10.0), angle=0.3)
    x0 = np.array([2.0, 2.0])
    runs = {lr: minimize(f, x0, "sgd", 300, lr=lr, tol=1e-6) for lr in [0.002, 0.1, 0.19, 0.21]}
    assert runs[0.21].diverged                                  # too large: diverges
    assert not runs[0.002].converged and not runs[0.002].diverged   # too small: crawls
    flat = f.rotation[:, 0]                                     # along the flat axis it has
    assert runs[0.002].final @ flat > 0.5 * (x0 @ flat)          # not covered half the way
    assert runs[0.1].converged                                  # a middle one gets there
    # just below 2/L: converges, but oscillates (the component along the steep axis flips sign)
    steep = f.rotation[:, 1]
    c = runs[0.19].iterates[:60] @ steep
    assert np.all(np.sign(c[1:]) == -np.sign(c[:-1]))
    assert runs[0.19].converged_at > runs[0.1].converged_at


@claim("C4")
def test_learning_rate_regimes_as_the_notebook_shows_them():
    """The notebook's five runs of 100 steps: diverges, far off, within 1e-9, slower zig-zag."""
    bowl = functions.Quadratic((1.0, 10.0), angle=0.5)
    x0 = np.array([-2.5, 2.0])
    runs = {lr: minimize(bowl, x0, "sgd", 100, lr=lr, tol=1e-6) for lr in [0.002, 0.02, 0.1, 0.19, 0.21]}
    assert runs[0.21].diverged and not any(runs[lr].diverged for lr in [0.002, 0.02, 0.1, 0.19])
    gap = {lr: 0.5 * (r.final - bowl.center) @ bowl.A @ (r.final - bowl.center) for lr, r in runs.items()}
    assert gap[0.002] > 1 and gap[0.1] < 1e-9 and gap[0.1] < gap[0.19] < gap[0.02] < gap[0.002]


# ---------------------------------------------------------------- C5 mini-batch gradients

@pytest.fixture(scope="module")
def regression_problem():
    X, y, w_true = data.regression(n=400, d=5, noise=0.5, seed=3)
    model = models.LinearRegression()
    w = w_true + 0.7                                  # a point away from the optimum
    return model, X, y, w


@claim("C5")
def test_minibatch_gradient_is_average_and_unbiased(regression_problem):
    model, X, y, w = regression_problem
    full = model.grad(w, X, y)
    per_example = model.per_example_grads(w, X, y)
    np.testing.assert_allclose(per_example.mean(axis=0), full, rtol=1e-12)   # the full gradient is their mean
    # a mini-batch gradient is the gradient on the batch = the mean over its examples
    Xb, yb = X[:16], y[:16]
    np.testing.assert_allclose(model.grad(w, Xb, yb), per_example[:16].mean(axis=0), rtol=1e-12)
    rng = np.random.default_rng(0)
    batches = [model.grad(w, *data.sample_batch(X, y, 8, rng=rng)) for _ in range(4000)]
    mean = np.mean(batches, axis=0)
    se = np.std(batches, axis=0) / math.sqrt(len(batches))
    assert np.all(np.abs(mean - full) < 4.5 * se)                    # unbiased (4.5 standard errors)


@claim("C5")
def test_minibatch_variance_falls_like_one_over_B(regression_problem):
    model, X, y, w = regression_problem
    full = model.grad(w, X, y)
    rng = np.random.default_rng(1)
    sizes = np.array([1, 2, 4, 8, 16, 32, 64])
    variance = []
    for B in sizes:
        g = np.array([model.grad(w, *data.sample_batch(X, y, int(B), rng=rng)) for _ in range(1500)])
        variance.append(np.mean(np.sum((g - full) ** 2, axis=1)))
    variance = np.array(variance)
    slope = np.polyfit(np.log(sizes), np.log(variance), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.06)
    sigma2 = np.mean(np.sum((model.per_example_grads(w, X, y) - full) ** 2, axis=1))
    np.testing.assert_allclose(variance, sigma2 / sizes, rtol=0.12)


@claim("C5")
def test_without_replacement_finite_population_correction(regression_problem):
    model, X, y, w = regression_problem
    N = X.shape[0]
    full = model.grad(w, X, y)
    sigma2 = np.mean(np.sum((model.per_example_grads(w, X, y) - full) ** 2, axis=1))
    rng = np.random.default_rng(2)
    for B in [100, 200, 300]:
        g = np.array([model.grad(w, *data.sample_batch(X, y, B, rng=rng, replace=False)) for _ in range(1500)])
        empirical = np.mean(np.sum((g - full) ** 2, axis=1))
        assert empirical == pytest.approx(sigma2 / B * (N - B) / (N - 1), rel=0.12)
        assert empirical < 0.85 * sigma2 / B                         # clearly below the with-replacement law
    whole = model.grad(w, *data.sample_batch(X, y, N, rng=rng, replace=False))
    np.testing.assert_allclose(whole, full, rtol=1e-10)             # B = N: no noise at all


# ---------------------------------------------------------------- C6 noisy steps

@claim("C6")
def test_single_sgd_step_can_increase_loss_but_not_on_average(regression_problem):
    model, X, y, w = regression_problem
    lr = 0.05
    f0 = model.loss(w, X, y)
    # every possible single-example SGD step from w, each applied with optim.SGD
    after = []
    for g_i in model.per_example_grads(w, X, y):
        p = w.copy()
        optim.SGD(p, lr=lr).step(g_i)
        after.append(model.loss(p, X, y))
    after = np.array(after)
    assert np.sum(after > f0) > 0                    # some steps go up
    assert after.mean() < f0                         # the expected step goes down


@claim("C6")
def test_sgd_run_goes_up_sometimes_and_down_on_average():
    X, y, _ = data.regression(n=500, d=5, noise=0.3, seed=4)
    model = models.LinearRegression()
    w = np.zeros(5)
    opt = optim.SGD(w, lr=0.02)
    rng = np.random.default_rng(5)
    full = [model.loss(w, X, y)]
    for _ in range(600):
        opt.step(model.grad(w, *data.sample_batch(X, y, 1, rng=rng)))
        full.append(model.loss(w, X, y))
    full = np.array(full)
    ups = np.sum(np.diff(full) > 0)
    assert 0.1 * 600 < ups < 0.9 * 600               # many steps increase the full loss
    smooth = np.convolve(full, np.ones(50) / 50, mode="valid")
    assert smooth[-1] < 0.05 * smooth[0]             # the trend goes down
    assert np.all(np.diff(smooth[:100]) < 0)         # and steadily so while far from the optimum


# ---------------------------------------------------------------- C7 rates

@claim("C7")
def test_convex_not_strongly_convex_one_over_k():
    d, L = 60, 4.0
    lam = L * (np.arange(d) / (d - 1)) ** 2           # eigenvalues 0 ... L: convex, mu = 0
    Q = random_rotation(d, 1)
    f = functions.Quadratic(lam, rotation=Q)
    x0 = Q @ np.ones(d)
    # the closest minimizer keeps x0's component along the flat direction (eigenvalue 0)
    x_star = Q[:, 0] * (Q[:, 0] @ x0)
    r0 = np.linalg.norm(x0 - x_star)
    run = minimize(f, x0, "sgd", 2000, lr=1 / L)
    k = np.arange(1, run.steps + 1)
    gap = run.losses[1:] - 0.0
    bound = theory.convex_gap_bound(k, L, r0)
    np.testing.assert_allclose(bound, L * r0 ** 2 / (2 * k))
    assert np.all(gap <= bound)                                   # at every k
    np.testing.assert_allclose(run.iterates[-1] @ Q[:, 0], x0 @ Q[:, 0], rtol=1e-12)  # flat part untouched
    tail = k >= 100
    slope = np.polyfit(np.log(k[tail]), np.log(gap[tail]), 1)[0]
    assert slope <= -1.0                                          # at least as fast as 1/k
    # and no linear rate: the gap shrinks by less and less per step
    per_step = gap[1:] / gap[:-1]
    assert per_step[-1] > 0.999 and per_step[-1] > per_step[10]


@claim("C7")
def test_strongly_convex_linear_rate_quadratic():
    mu, L = 1.0, 20.0
    f = functions.Quadratic((mu, L), angle=1.0)
    run = minimize(f, np.array([3.0, -1.0]), "sgd", 300, lr=1 / L)
    k = np.arange(run.steps + 1)
    gap = run.losses
    bound = theory.strongly_convex_gap_bound(k, mu, L, gap[0])
    np.testing.assert_allclose(bound, (1 - mu / L) ** k * gap[0])
    assert np.all(gap <= bound * (1 + 1e-12))
    slope = np.polyfit(k[50:], np.log(gap[50:]), 1)[0]              # a straight line on a semilog plot
    assert math.exp(slope) == pytest.approx(theory.gd_rate(np.array([mu, L]), 1 / L) ** 2, rel=1e-6)


@claim("C7")
def test_strongly_convex_linear_rate_logistic_regression():
    X, y = data.blobs(n=200, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), std=1.0, seed=2)
    X = data.add_bias(X)
    l2 = 0.01
    model = models.LogisticRegression(l2=l2)
    obj = model.objective(X, y)
    mu = l2                                                             # Hessian >= l2 I
    L = l2 + np.linalg.eigvalsh(X.T @ X / X.shape[0]).max() / 4        # sigma' <= 1/4
    ref = scipy.optimize.minimize(obj.value, np.zeros(3), jac=obj.grad, method="BFGS",
                                  options={"gtol": 1e-13})
    f_star = min(ref.fun, obj.value(ref.x))
    run = minimize(obj, np.zeros(3), "sgd", 200, lr=1 / L)
    gap = run.losses - f_star
    k = np.arange(run.steps + 1)
    bound = theory.strongly_convex_gap_bound(k, mu, L, gap[0])
    resolved = gap > 1e-13                                               # above rounding noise
    assert resolved.sum() > 20
    assert np.all(gap[resolved] <= bound[resolved])


# ---------------------------------------------------------------- C8 conditioning

@claim("C8")
def test_induced_one_norm_is_max_abs_column_sum():
    X, _, _ = data.regression(n=50, d=4, scales=[1.0, 100.0, 0.01, 5.0], seed=0)
    column_sums = [sum(abs(X[i, j]) for i in range(X.shape[0])) for j in range(X.shape[1])]
    assert np.linalg.norm(X, 1) == pytest.approx(max(column_sums), rel=1e-14)
    assert theory.induced_norm_1(X) == pytest.approx(max(column_sums), rel=1e-14)
    V = np.random.default_rng(0).standard_normal((5000, 4))
    ratios = np.abs(V @ X.T).sum(axis=1) / np.abs(V).sum(axis=1)
    assert ratios.max() <= max(column_sums)                  # the sup over v is never exceeded
    assert np.argmax(column_sums) == 1                       # and is set by the large-scale feature


@claim("C8")
def test_standardizing_fixes_conditioning_and_speed():
    X, y, _ = data.regression(n=300, d=3, scales=[1.0, 10.0, 0.2], noise=0.1, seed=1)
    model = models.LinearRegression()
    Z = data.Standardizer().fit_transform(X)
    steps = {}
    for name, A in [("raw", X), ("standardized", Z)]:
        H = model.hessian(np.zeros(3), A, y)
        kappa = theory.condition_number(H)
        assert kappa == pytest.approx(np.linalg.cond(A.T @ A), rel=1e-6)
        L = np.linalg.eigvalsh(H).max()
        run = minimize(model.objective(A, y), np.zeros(3), "sgd", 5000, lr=1 / L, tol=1e-8)
        steps[name] = (kappa, run.converged_at if run.converged else math.inf)
    (k_raw, s_raw), (k_std, s_std) = steps["raw"], steps["standardized"]
    assert k_raw > 1000 and k_std < 2
    assert s_std < 30 and s_raw > 50 * s_std


# ---------------------------------------------------------------- C9 gradient flow

@claim("C9")
def test_gd_is_euler_for_gradient_flow():
    f = functions.Quadratic((1.0, 3.0, 8.0), rotation=random_rotation(3, 2), center=(0.5, 0.0, -1.0))
    x0 = np.array([1.0, 2.0, -1.0])
    lr, K = 0.05, 40
    run = minimize(f, x0, "sgd", K, lr=lr)
    euler = theory.euler(lambda x: -f.grad(x), x0, lr, K)
    np.testing.assert_allclose(run.iterates, euler, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(run.iterates, gd_loop(f.grad, x0, lr, K), rtol=1e-14, atol=1e-14)


@claim("C9")
def test_gd_path_approaches_exact_flow_linearly_in_lr():
    f = functions.Quadratic((1.0, 3.0, 8.0), rotation=random_rotation(3, 2), center=(0.5, 0.0, -1.0))
    x0 = np.array([1.0, 2.0, -1.0])
    T = 1.0
    lrs = np.array([0.04, 0.02, 0.01, 0.005])
    errors = []
    for lr in lrs:
        K = int(round(T / lr))
        run = minimize(f, x0, "sgd", K, lr=lr)
        times = lr * np.arange(K + 1)
        exact = np.array([f.center + scipy.linalg.expm(-t * f.A) @ (x0 - f.center) for t in times[::K // 4]])
        errors.append(np.max(np.linalg.norm(run.iterates[::K // 4] - exact, axis=1)))
        np.testing.assert_allclose(theory.quadratic_flow(f.A, x0, times[::K // 4], center=f.center),
                                   exact, rtol=1e-10, atol=1e-12)
    slope = np.polyfit(np.log(lrs), np.log(errors), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.05)                     # error = O(lr)


# ---------------------------------------------------------------- C10 gradients vs steps

@claim("C10")
def test_gradient_checker_agrees_with_the_models():
    rng = np.random.default_rng(0)
    X, y, _ = data.regression(n=30, d=4, seed=0)
    Xc, yc = data.blobs(n=30, centers=3, dim=4, seed=1)
    cases = [
        (models.LinearRegression(l2=0.1), rng.standard_normal(4), X, y),
        (models.LogisticRegression(l2=0.1), rng.standard_normal(4), Xc, (yc > 0).astype(float)),
        (models.SoftmaxRegression(3, l2=0.1), rng.standard_normal((4, 3)), Xc, yc),
    ]
    for model, w, A, b in cases:
        result = gradcheck.check_gradient(lambda v: model.loss(v, A, b), lambda v: model.grad(v, A, b), w)
        assert result.error < 1e-8, (model, result)                  # the bound the notebook states
    mlp = models.MLP([4, 8, 8, 3], activation="tanh", seed=2)
    params = mlp.init_params()
    result = gradcheck.check_gradient(lambda p: mlp.loss(p, Xc, yc), lambda p: mlp.grads(p, Xc, yc), params)
    assert result.error < 1e-8
    # a wrong gradient is caught
    wrong = gradcheck.check_gradient(lambda v: models.LinearRegression().loss(v, X, y),
                                     lambda v: 2 * models.LinearRegression().grad(v, X, y), np.ones(4))
    assert wrong.error > 0.1 and not wrong.ok


@claim("C10")
def test_backprop_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    Xc, yc = data.blobs(n=20, centers=3, dim=4, seed=1)
    mlp = models.MLP([4, 6, 3], activation="relu", seed=3)
    params = mlp.init_params()
    loss, grads = mlp.loss_and_grads(params, Xc, yc)
    tp = [torch.tensor(p, requires_grad=True) for p in params]
    h = torch.relu(torch.tensor(Xc) @ tp[0] + tp[1])
    t_loss = torch.nn.functional.cross_entropy(h @ tp[2] + tp[3], torch.tensor(yc))
    t_loss.backward()
    assert float(loss) == pytest.approx(t_loss.item(), rel=1e-12)
    for g, p in zip(grads, tp):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10, atol=1e-14)


@claim("C10")
def test_same_gradient_different_optimizers_different_steps():
    X, y, _ = data.regression(n=50, d=3, scales=[1.0, 5.0, 0.2], seed=2)
    model = models.LinearRegression()
    w0 = np.zeros(3)
    g = model.grad(w0, X, y)
    g_before = g.copy()
    lr = 0.01
    steps = {}
    for name in ["sgd", "adam"]:
        w = w0.copy()
        optim.OPTIMIZERS[name](w, lr=lr).step(g)
        steps[name] = w - w0
    np.testing.assert_array_equal(g, g_before)                                 # the gradient is the same input
    np.testing.assert_allclose(steps["sgd"], -lr * g, rtol=1e-15)               # SGD: along -g
    np.testing.assert_allclose(steps["adam"], -lr * np.sign(g), rtol=1e-6)      # Adam's first step: lr * sign
    cos = steps["sgd"] @ steps["adam"] / np.linalg.norm(steps["sgd"]) / np.linalg.norm(steps["adam"])
    assert cos < 0.9                                                            # different directions


# ---------------------------------------------------------------- C11 convexity

@claim("C11")
def test_regression_hessians_are_psd_and_chords_lie_above():
    rng = np.random.default_rng(0)
    X, y, _ = data.regression(n=40, d=4, scales=[1.0, 3.0, 0.5, 2.0], seed=0)
    Xc, yc = data.blobs(n=40, centers=2, dim=4, seed=1)
    for model, A, b in [(models.LinearRegression(), X, y), (models.LogisticRegression(), Xc, yc)]:
        W = 3 * rng.standard_normal((50, 4))
        lam_min = np.linalg.eigvalsh(model.hessian(W, A, b)).min()
        assert lam_min >= -1e-10
        # convexity from values alone: f(t u + (1-t) v) <= t f(u) + (1-t) f(v)
        U, V, t = W[:25], W[25:], rng.uniform(size=(25, 1))
        mid = model.loss(t * U + (1 - t) * V, A, b)
        chord = t[:, 0] * model.loss(U, A, b) + (1 - t[:, 0]) * model.loss(V, A, b)
        assert np.all(mid <= chord + 1e-12)


@claim("C11")
def test_gd_from_different_starts_reaches_the_reference_solution():
    X, y, _ = data.regression(n=100, d=3, noise=0.3, seed=5)
    lin = models.LinearRegression()
    starts = np.random.default_rng(1).normal(scale=5, size=(4, 3))
    L = np.linalg.eigvalsh(X.T @ X / 100).max()
    runs = minimize(lin.objective(X, y), starts, "sgd", 500, lr=1 / L)        # 4 runs at once
    w_ref = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(runs.final, np.tile(w_ref, (4, 1)), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(lin.closed_form(X, y), w_ref, rtol=1e-10)

    Xc, yc = data.blobs(n=200, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), std=1.2, seed=2)
    Xc = data.add_bias(Xc)
    log = models.LogisticRegression()
    obj = log.objective(Xc, yc)
    ref = scipy.optimize.minimize(obj.value, np.zeros(3), jac=obj.grad, method="BFGS",
                                  options={"gtol": 1e-12}).x
    L = np.linalg.eigvalsh(Xc.T @ Xc / 200).max() / 4
    runs = minimize(obj, starts, "sgd", 3000, lr=1 / L)
    np.testing.assert_allclose(runs.final, np.tile(ref, (4, 1)), atol=1e-6)


# ---------------------------------------------------------------- issue 12: statements the chapter now makes

@claim("C1")
def test_random_directions_rarely_align_as_the_cap_area_predicts():
    """Share of random unit directions within 26 / 8 degrees of -grad f in 5-D: sampled vs cap area."""
    V = np.random.default_rng(1).standard_normal((200000, 5))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    cosine = V[:, 0]                                          # angle to a fixed direction
    for degrees, expected in [(26, 0.0074), (8, 7.1e-5)]:
        measured = np.mean(cosine >= np.cos(np.radians(degrees)))
        predicted = theory.fraction_within_angle(5, degrees)
        assert predicted == pytest.approx(expected, rel=0.02)
        assert measured == pytest.approx(predicted, rel=0.1 if degrees == 26 else 0.5)


@claim("C10")
def test_central_difference_error_is_smallest_near_the_cube_root_of_u():
    """The eps sweep's minimum sits within a factor 10 of (3u)^(1/3), far above sqrt(u)."""
    model = models.LogisticRegression(l2=0.1)
    X, y = data.blobs(n=30, centers=3, dim=4, seed=1)
    y = (y > 0) * 1.0
    w = np.random.default_rng(0).standard_normal(4)
    exact = model.grad(w, X, y)
    epsilons = np.logspace(-12, -1, 45)
    errors = [gradcheck.relative_error(gradcheck.numerical_gradient(lambda p: model.loss(p, X, y), w, eps=e), exact)
              for e in epsilons]
    best = epsilons[int(np.argmin(errors))]
    eps_star = theory.central_difference_eps()
    assert eps_star == pytest.approx((3 * 2.0 ** -52) ** (1 / 3))
    assert eps_star / 10 < best < eps_star * 10 and best > 100 * math.sqrt(2.0 ** -52)


@claim("C7")
def test_linear_bound_is_the_square_root_of_the_quadratic_rate():
    """On a quadratic at lr = 1/L the gap shrinks by (1 - mu/L)^2 per step: the bound is exponentially loose."""
    f = functions.Quadratic((1.0, 20.0), angle=1.0)
    run = minimize(f, np.array([3.0, -1.0]), "sgd", 60, lr=1 / f.L)
    per_step = run.losses[2:] / run.losses[1:-1]
    np.testing.assert_allclose(per_step, (1 - f.mu / f.L) ** 2, rtol=1e-9)
    bound = theory.strongly_convex_gap_bound(np.arange(61), f.mu, f.L, run.losses[0])
    ratio = bound[-1] / run.losses[-1]
    assert ratio == pytest.approx(run.losses[0] / run.losses[1] * (1 - f.mu / f.L) ** -58, rel=1e-9)
    assert ratio > 1000


@claim("C7")
def test_convex_gap_slope_follows_the_spectral_density():
    """lambda_i ~ i^2 gives f - f* ~ k^(-3/2); lambda_i ~ i gives ~ k^(-2) (density exponent + 1)."""
    slopes = {}
    for power, d, k in [(1, 4000, np.arange(20, 201)), (2, 400, np.arange(200, 2001))]:
        lam = 4.0 * (np.arange(d) / (d - 1)) ** power        # lambda_min * 2k / L stays well below 1
        gap = 0.5 * np.sum(lam[None, :] * (1 - lam[None, :] / 4.0) ** (2 * k[:, None]), axis=1)
        slopes[power] = np.polyfit(np.log(k), np.log(gap), 1)[0]
    assert slopes[2] == pytest.approx(-1.5, abs=0.05) and slopes[1] == pytest.approx(-2.0, abs=0.05)


@claim("C6")
def test_every_single_step_from_the_optimum_goes_up_and_sgd_settles_at_the_noise_floor():
    model = models.LinearRegression()
    X, y, _ = data.regression(n=500, d=5, noise=0.3, seed=4)
    w_star = model.closed_form(X, y)
    f_star = model.loss(w_star, X, y)
    per_example = model.per_example_grads(w_star, X, y)
    assert all(model.loss(w_star - 0.02 * g, X, y) > f_star for g in per_example)
    sigma2 = np.mean(np.sum(per_example ** 2, axis=1))
    w, rng, gaps = np.zeros(5), np.random.default_rng(5), []
    opt = optim.SGD(w, lr=0.02)
    for _ in range(10000):
        opt.step(model.grad(w, *data.sample_batch(X, y, 1, rng=rng)))
        gaps.append(model.loss(w, X, y) - f_star)
    floor = np.mean(gaps[2000:])
    assert floor == pytest.approx(theory.sgd_noise_floor(0.02, sigma2), rel=0.15)
    assert min(gaps[2000:]) > 0 and floor > 0.3 * np.mean(gaps[1000:2000])     # it does not keep falling


@claim("C6")
def test_the_noise_floor_lies_above_first_order_theory_at_the_exact_stationary_value():
    """The notebook's 200 runs: their mean floor is the exact stationary value, ~7% above lr sigma*^2/4."""
    from coursekit.theory import noise_floor
    X, y, _ = data.regression(n=500, d=5, noise=0.3, seed=4)
    first = theory.sgd_noise_floor(0.02, np.sum((X * (X @ np.linalg.lstsq(X, y, rcond=None)[0] - y)[:, None]) ** 2) / 500)
    exact = noise_floor.stationary_gap(X, y, 0.02)
    assert exact == pytest.approx(first * (1 + 0.02 * 7 / 2), rel=0.02)      # lr (d + 2) / 2 above
    floors = noise_floor.sgd_gaps(X, y, 0.02, 5000, seeds=range(200))[1000:].mean(axis=0)
    error = floors.std() / np.sqrt(floors.size)
    assert abs(floors.mean() - exact) < 3 * error and floors.mean() - first > 3 * error


@claim("C5")
@pytest.mark.parametrize("data_seed", [6, 2])
def test_tuned_batch_sizes_small_batches_fewer_examples_full_batch_fewest_steps(data_seed):
    """Held-out tuning (5 + 5 seeds): what the notebook says holds on every data set."""
    from coursekit import experiments
    X, y, _ = data.regression(n=1000, d=10, noise=0.3, seed=data_seed)
    L = np.linalg.eigvalsh(X.T @ X / 1000).max()
    table = experiments.tuned_minibatch_cost(X, y, [1, 10, 100, 1000], 2.0 ** -np.arange(8) / L,
                                             seeds=range(5), tune_seeds=range(100, 105))
    for j in range(2):
        steps = {B: row[j].steps for B, row in table.items()}
        examples = {B: s * B for B, s in steps.items()}
        assert max(examples, key=examples.get) == 1000                      # the full batch: most examples
        assert min(steps.values()) == steps[1000] and max(steps, key=steps.get) == 1   # and fewest steps
    assert min((row[0].steps * B, B) for B, row in table.items())[1] == 1  # loose target: B = 1 cheapest
    for B in (1, 10):                                                        # noise floor: smaller lr
        assert table[B][1].lr < table[B][0].lr
    assert table[1000][1].lr == table[1000][0].lr


@claim("C8")
def test_one_norm_measures_size_not_disparity_and_standardizing_keeps_correlation():
    X, _, _ = data.regression(n=50, d=4, scales=[1.0, 100.0, 0.01, 5.0], seed=0)
    assert theory.induced_norm_1(1000 * X) == pytest.approx(1000 * theory.induced_norm_1(X))
    assert theory.condition_number((1000 * X).T @ (1000 * X)) == pytest.approx(theory.condition_number(X.T @ X), rel=1e-6)
    rng = np.random.default_rng(3)
    z = rng.standard_normal(300)
    X_corr = np.stack([z, 8 * (z + 0.05 * rng.standard_normal(300))], axis=1)
    Z = data.Standardizer().fit(X_corr).transform(X_corr)
    rho = np.corrcoef(X_corr.T)[0, 1]
    kappa = theory.condition_number(Z.T @ Z)
    assert kappa == pytest.approx((1 + rho) / (1 - rho), rel=1e-9) and kappa > 1000
