"""coursekit.models: hand-written losses, gradients and Hessians against independent numbers
(finite differences, numpy.linalg.lstsq, scipy's L-BFGS, torch autograd, closed forms)."""
import array_api_strict as xps
import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize
from scipy.special import expit, logsumexp

from coursekit import data, models
from coursekit.theory.gradcheck import check_gradient, numerical_jacobian, relative_error


@pytest.fixture
def reg():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.3 * rng.standard_normal(30)
    return X, y, rng.standard_normal(4)


@pytest.fixture
def binary():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    y = (X @ np.array([1.5, -1.0, 0.5]) + 0.8 * rng.standard_normal(40) > 0).astype(np.int64)
    return X, y, rng.standard_normal(3)


@pytest.fixture
def multi():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((35, 3))
    y = rng.integers(0, 4, size=35)
    return X, y, rng.standard_normal((3, 4))


def hessian_by_differences(grad, w):
    J = numerical_jacobian(lambda v: np.reshape(grad(v), -1), w, eps=1e-5)
    return J.reshape(J.shape[0], -1)


def min_eigenvalue(H):
    return np.linalg.eigvalsh((H + H.T) / 2).min()


# ---------------------------------------------------------------- linear regression

@pytest.mark.claim("C10")
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_linear_gradient_matches_finite_differences(reg, l2):
    X, y, w = reg
    m = models.LinearRegression(l2=l2)
    res = check_gradient(lambda v: m.loss(v, X, y), lambda v: m.grad(v, X, y), w)
    assert res.error < 1e-7


def test_linear_loss_value_and_hessian(reg):
    X, y, w = reg
    m = models.LinearRegression(l2=0.3)
    assert float(m.loss(w, X, y)) == pytest.approx(np.mean((X @ w - y) ** 2) / 2 + 0.15 * w @ w, rel=1e-13)
    value, grad = m.value_and_grad(w, X, y)
    assert float(value) == float(m.loss(w, X, y))
    np.testing.assert_array_equal(grad, m.grad(w, X, y))
    H = m.hessian(w, X, y)
    assert relative_error(H, hessian_by_differences(lambda v: m.grad(v, X, y), w)) < 1e-8
    np.testing.assert_allclose(H, X.T @ X / 30 + 0.3 * np.eye(4), rtol=1e-13)


def test_linear_closed_form_matches_lstsq(reg):
    X, y, _ = reg
    w = models.LinearRegression().closed_form(X, y)
    np.testing.assert_allclose(w, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10)
    # rank-deficient X (a repeated column): the minimum-norm solution, as lstsq
    Xr = np.column_stack([X, X[:, 0]])
    np.testing.assert_allclose(models.LinearRegression().closed_form(Xr, y),
                               np.linalg.lstsq(Xr, y, rcond=None)[0], rtol=1e-8, atol=1e-10)


def test_ridge_closed_form_matches_augmented_lstsq(reg):
    # min ||Xw-y||^2/(2n) + l2/2 ||w||^2  ==  lstsq on [X; sqrt(n l2) I] w = [y; 0]
    X, y, _ = reg
    n, l2 = X.shape[0], 0.7
    A = np.vstack([X, np.sqrt(n * l2) * np.eye(4)])
    b = np.concatenate([y, np.zeros(4)])
    m = models.LinearRegression(l2=l2)
    w = m.closed_form(X, y)
    np.testing.assert_allclose(w, np.linalg.lstsq(A, b, rcond=None)[0], rtol=1e-10)
    assert np.max(np.abs(m.grad(w, X, y))) < 1e-12


@pytest.mark.claim("C11")
def test_linear_regression_is_convex_and_gd_finds_one_solution(reg):
    X, y, _ = reg
    m = models.LinearRegression(l2=0.0)
    rng = np.random.default_rng(5)
    for _ in range(5):
        assert min_eigenvalue(m.hessian(10 * rng.standard_normal(4), X, y)) >= -1e-10
    w_star = m.closed_form(X, y)
    lr = 1 / np.linalg.eigvalsh(m.hessian(w_star, X, y)).max()
    for start in range(3):
        w = 5 * rng.standard_normal(4)
        for _ in range(2000):
            w = w - lr * m.grad(w, X, y)
        np.testing.assert_allclose(w, w_star, atol=1e-8)


def test_linear_batched_parameters_and_per_example_grads(reg):
    X, y, w = reg
    m = models.LinearRegression(l2=0.2)
    W = np.stack([w, 2 * w, -w])
    values, grads = m.value_and_grad(W, X, y)
    assert values.shape == (3,) and grads.shape == (3, 4)
    for r in range(3):
        assert values[r] == pytest.approx(float(m.loss(W[r], X, y)), rel=1e-13)
        np.testing.assert_allclose(grads[r], m.grad(W[r], X, y), rtol=1e-12)
    assert m.hessian(W, X, y).shape == (3, 4, 4)
    G = m.per_example_grads(w, X, y)
    assert G.shape == (30, 4)
    np.testing.assert_allclose(G.mean(axis=0), m.grad(w, X, y), rtol=1e-12)
    np.testing.assert_allclose(m.predict(w, X), X @ w, rtol=1e-14)


def test_objective_binds_the_data(reg):
    X, y, w = reg
    m = models.LinearRegression(l2=0.1)
    obj = m.objective(X, y)
    assert float(obj(w)) == float(m.loss(w, X, y))
    np.testing.assert_array_equal(obj.grad(w), m.grad(w, X, y))
    np.testing.assert_array_equal(obj.value_and_grad(w)[1], m.grad(w, X, y))
    np.testing.assert_array_equal(obj.hessian(w), m.hessian(w, X, y))


def test_linear_bad_input_names_the_parameter(reg):
    X, y, w = reg
    m = models.LinearRegression()
    with pytest.raises(ValueError, match="y must have shape"):
        m.loss(w, X, y[:-1])
    with pytest.raises(ValueError, match="w must have length 4"):
        m.loss(w[:3], X, y)
    with pytest.raises(ValueError, match="X must be 2-D"):
        m.loss(w, X[0], y)
    with pytest.raises(ValueError, match="l2"):
        models.LinearRegression(l2=-1.0)


# ---------------------------------------------------------------- logistic regression

@pytest.mark.claim("C10")
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_logistic_gradient_matches_finite_differences(binary, l2):
    X, y, w = binary
    m = models.LogisticRegression(l2=l2)
    res = check_gradient(lambda v: m.loss(v, X, y), lambda v: m.grad(v, X, y), w)
    assert res.error < 1e-7


def test_logistic_loss_is_the_cross_entropy(binary):
    X, y, w = binary
    p = expit(X @ w)
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.05 * w @ w
    assert float(models.LogisticRegression(l2=0.1).loss(w, X, y)) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(models.LogisticRegression().predict_proba(w, X), p, rtol=1e-13)
    np.testing.assert_array_equal(models.LogisticRegression().predict(w, X), (p >= 0.5).astype(int))


def test_logistic_hessian_matches_differences_of_the_gradient(binary):
    X, y, w = binary
    m = models.LogisticRegression(l2=0.1)
    H = m.hessian(w, X, y)
    assert relative_error(H, hessian_by_differences(lambda v: m.grad(v, X, y), w)) < 1e-8


@pytest.mark.claim("C11")
def test_logistic_hessian_is_psd_at_random_points(binary):
    X, y, _ = binary
    m = models.LogisticRegression(l2=0.0)
    rng = np.random.default_rng(3)
    for scale in (0.1, 1.0, 10.0, 100.0):
        for _ in range(3):
            assert min_eigenvalue(m.hessian(scale * rng.standard_normal(3), X, y)) >= -1e-10


@pytest.mark.claim("C11")
def test_logistic_minimizer_matches_scipy_lbfgs(binary):
    X, y, _ = binary
    l2 = 0.05

    def reference(w):          # written independently of coursekit
        z = X @ w
        loss = np.mean(np.logaddexp(0, z) - y * z) + l2 / 2 * w @ w
        return loss, X.T @ (expit(z) - y) / len(y) + l2 * w

    ref = scipy_minimize(reference, np.zeros(3), jac=True, method="L-BFGS-B",
                         options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 1000})
    m = models.LogisticRegression(l2=l2)
    for w in (np.zeros(3), np.array([5.0, -5.0, 5.0])):      # Newton from two starts
        for _ in range(30):
            w = w - np.linalg.solve(m.hessian(w, X, y), m.grad(w, X, y))
        np.testing.assert_allclose(w, ref.x, rtol=1e-6, atol=1e-7)
    assert float(m.loss(w, X, y)) == pytest.approx(ref.fun, rel=1e-10)


def test_logistic_is_stable_for_huge_logits():
    m = models.LogisticRegression()
    X = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    y = np.array([1, 1, 0, 0])
    w = np.array([1.0])
    # per example: 0 (right, confident), 1000, 1000 (wrong, confident), 0
    value, grad = m.value_and_grad(w, X, y)
    assert float(value) == pytest.approx(500.0, rel=1e-15)
    # grad = mean((sigma(z) - y) x) = (0 + 1000 + 1000 + 0) / 4
    np.testing.assert_allclose(grad, [500.0], rtol=1e-15)
    H = m.hessian(w, X, y)
    assert np.all(np.isfinite(H)) and H[0, 0] == pytest.approx(0.0, abs=1e-300)
    assert float(m.loss(np.array([1e300]), np.array([[1.0], [-1.0]]), np.array([0, 0]))) == pytest.approx(0.5e300)
    with np.errstate(divide="ignore", invalid="ignore"):     # the naive formula fails here
        naive = -np.mean(y * np.log(expit(X @ w)) + (1 - y) * np.log(1 - expit(X @ w)))
    assert not np.isfinite(naive)


def test_logistic_batched_and_per_example(binary):
    X, y, w = binary
    m = models.LogisticRegression(l2=0.1)
    W = np.stack([w, -w])
    H = m.hessian(W, X, y)
    np.testing.assert_allclose(H[1], m.hessian(-w, X, y), rtol=1e-13)
    np.testing.assert_allclose(m.loss(W, X, y)[0], m.loss(w, X, y), rtol=1e-13)
    np.testing.assert_allclose(m.per_example_grads(w, X, y).mean(axis=0), m.grad(w, X, y), rtol=1e-12)


def test_logistic_bad_labels(binary):
    X, y, w = binary
    m = models.LogisticRegression()
    with pytest.raises(ValueError, match=r"y must hold binary labels"):
        m.loss(w, X, 2 * y)
    with pytest.raises(ValueError, match="y must have shape"):
        m.grad(w, X, y[:5])
    with pytest.raises(ValueError, match="w must have length"):
        m.hessian(np.ones(4), X, y)
    assert float(m.loss(w, X, y.astype(bool))) == float(m.loss(w, X, y))


# ---------------------------------------------------------------- softmax regression

@pytest.mark.claim("C10")
def test_softmax_gradient_matches_finite_differences(multi):
    X, y, W = multi
    m = models.SoftmaxRegression(4, l2=0.1)
    res = check_gradient(lambda V: m.loss(V, X, y), lambda V: m.grad(V, X, y), W)
    assert res.error < 1e-7


def test_softmax_loss_value_and_two_class_case(multi, binary):
    X, y, W = multi
    Z = X @ W
    expected = np.mean(logsumexp(Z, axis=1) - Z[np.arange(35), y])
    assert float(models.SoftmaxRegression(4).loss(W, X, y)) == pytest.approx(expected, rel=1e-13)
    P = models.SoftmaxRegression(4).predict_proba(W, X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(models.SoftmaxRegression(4).predict(W, X), np.argmax(Z, axis=1))
    # with k = 2 and W = [0, w], softmax regression is logistic regression
    Xb, yb, w = binary
    W2 = np.column_stack([np.zeros(3), w])
    assert float(models.SoftmaxRegression(2).loss(W2, Xb, yb)) == pytest.approx(
        float(models.LogisticRegression().loss(w, Xb, yb)), rel=1e-13)
    np.testing.assert_allclose(models.SoftmaxRegression(2).grad(W2, Xb, yb)[:, 1],
                               models.LogisticRegression().grad(w, Xb, yb), rtol=1e-12)


@pytest.mark.claim("C11")
def test_softmax_hessian_matches_differences_and_is_psd(multi):
    X, y, W = multi
    m = models.SoftmaxRegression(4, l2=0.0)
    H = m.hessian(W, X, y)
    assert H.shape == (12, 12)
    assert relative_error(H, hessian_by_differences(lambda V: m.grad(V, X, y), W)) < 1e-8
    rng = np.random.default_rng(4)
    for scale in (0.1, 3.0, 30.0):
        assert min_eigenvalue(m.hessian(scale * rng.standard_normal((3, 4)), X, y)) >= -1e-10
    np.testing.assert_allclose(m.per_example_grads(W, X, y).mean(axis=0), m.grad(W, X, y), rtol=1e-12)


def test_softmax_is_stable_for_huge_logits():
    m = models.SoftmaxRegression(3)
    X = np.array([[1.0], [1.0]])
    W = np.array([[1000.0, 0.0, -1000.0]])
    value, grad = m.value_and_grad(W, X, np.array([0, 2]))
    assert float(value) == pytest.approx(1000.0, rel=1e-15)           # (0 + 2000) / 2
    np.testing.assert_allclose(grad, [[0.5, 0.0, -0.5]], atol=1e-300)


def test_softmax_bad_input(multi):
    X, y, W = multi
    m = models.SoftmaxRegression(4)
    with pytest.raises(ValueError, match="class labels in 0..3"):
        m.loss(W, X, y + 1)
    with pytest.raises(ValueError, match="integer class labels"):
        m.loss(W, X, y + 0.5)
    with pytest.raises(ValueError, match=r"W must have shape \(3, 4\)"):
        m.loss(W[:, :3], X, y)
    with pytest.raises(ValueError, match="n_classes"):
        models.SoftmaxRegression(1)


# ---------------------------------------------------------------- MLP

def mlp_problem(activation, l2=0.01):
    rng = np.random.default_rng(6)
    X = rng.standard_normal((12, 3))
    y = rng.integers(0, 3, size=12)
    net = models.MLP([3, 5, 4, 3], activation=activation, init="xavier", seed=1, l2=l2)
    # random biases keep relu pre-activations away from the kink at 0
    params = [p + 0.3 * rng.standard_normal(p.shape) for p in net.init_params()]
    return net, params, X, y


@pytest.mark.claim("C10")
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_backprop_matches_finite_differences(activation):
    net, params, X, y = mlp_problem(activation)
    res = check_gradient(lambda p: net.loss(p, X, y), lambda p: net.grads(p, X, y), params)
    assert res.error < 1e-7
    loss, grads = net.loss_and_grads(params, X, y)
    assert float(loss) == float(net.loss(params, X, y))
    assert [g.shape for g in grads] == [p.shape for p in params]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_matches_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    net, params, X, y = mlp_problem(activation, l2=0.05)
    tp = [torch.tensor(p, requires_grad=True) for p in params]
    h = torch.tensor(X)
    act = torch.relu if activation == "relu" else torch.tanh
    for l in range(0, len(tp) - 2, 2):
        h = act(h @ tp[l] + tp[l + 1])
    logits = h @ tp[-2] + tp[-1]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y)) \
        + 0.025 * sum((W ** 2).sum() for W in tp[0::2])
    loss.backward()
    ours, grads = net.loss_and_grads(params, X, y)
    assert float(ours) == pytest.approx(loss.item(), rel=1e-13)
    for g, t in zip(grads, tp):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("init, formula", [
    ("he", lambda fi, fo: np.sqrt(2 / fi)),
    ("xavier", lambda fi, fo: np.sqrt(2 / (fi + fo))),
    ("naive", lambda fi, fo: 0.01),
])
def test_init_scales_match_the_formulas(init, formula):
    sizes = [300, 200, 400, 10]
    params = models.MLP(sizes, init=init, seed=3).init_params()
    for l, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
        W, b = params[2 * l], params[2 * l + 1]
        assert W.shape == (fi, fo) and np.all(b == 0)
        assert np.mean(W) == pytest.approx(0.0, abs=4 * formula(fi, fo) / np.sqrt(W.size))
        # the sample std of N >= 2000 normals is within 4 / sqrt(2N) of sigma (relative)
        assert np.std(W) == pytest.approx(formula(fi, fo), rel=4 / np.sqrt(2 * W.size))
    assert models.init_std("naive", 5, 5, naive_std=1.0) == 1.0


def test_init_is_seeded_and_follows_the_backend():
    a = models.MLP([4, 8, 2], seed=7).init_params()
    b = models.MLP([4, 8, 2], seed=7).init_params()
    c = models.MLP([4, 8, 2], seed=8).init_params()
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    s = models.MLP([4, 8, 2], seed=7).init_params(xp=xps, dtype=xps.float32)
    assert s[0].dtype == xps.float32
    np.testing.assert_allclose(np.asarray(s[0]), a[0].astype(np.float32))


@pytest.mark.claim("C23")
def test_layer_grad_norms_vanish_explode_or_stay_level():
    X, y = data.blobs(128, centers=4, std=1.0, seed=0, dim=8)
    X = data.Standardizer().fit_transform(X)
    deep = [8] + [64] * 10 + [4]

    def norms(init, **kw):
        net = models.MLP(deep, activation="relu", init=init, seed=0, **kw)
        g = net.layer_grad_norms(net.init_params(), X, y)
        assert g.shape == (11,)
        return g

    he = norms("he")
    assert he.min() > 0.1 and he.max() / he.min() < 10           # same scale in every layer
    assert norms("naive").max() < 1e-8                             # std 0.01: vanishing
    assert norms("naive", naive_std=1.0).min() > 1e5               # std 1: exploding
    net = models.MLP(deep, init="he")
    np.testing.assert_allclose(he, models.weight_norms(net.grads(net.init_params(), X, y)))


def test_mlp_gradient_descent_learns_moons():
    X, y = data.moons(200, noise=0.1, seed=0)
    net = models.MLP([2, 16, 16, 2], activation="tanh", init="xavier", seed=0)
    params = net.init_params()
    first = float(net.loss(params, X, y))
    for _ in range(1500):
        _, grads = net.loss_and_grads(params, X, y)
        params = [p - 0.5 * g for p, g in zip(params, grads)]
    assert float(net.loss(params, X, y)) < 0.1 * first
    assert np.mean(net.predict(params, X) == y) > 0.97
    np.testing.assert_allclose(net.predict_proba(params, X).sum(axis=1), 1.0, rtol=1e-14)


def test_mlp_bad_input():
    net = models.MLP([3, 4, 2])
    params = net.init_params()
    X, y = np.ones((5, 3)), np.zeros(5, dtype=int)
    with pytest.raises(ValueError, match="params must be a list"):
        net.loss(params[:2], X, y)
    with pytest.raises(ValueError, match=r"params\[2\] \(W2\) must have shape \(4, 2\)"):
        net.loss([params[0], params[1], params[2].T, params[3]], X, y)
    with pytest.raises(ValueError, match=r"X must have 3 columns"):
        net.loss(params, np.ones((5, 2)), y)
    with pytest.raises(ValueError, match="class labels in 0..1"):
        net.loss_and_grads(params, X, y + 2)
    with pytest.raises(ValueError, match="y must have shape"):
        net.loss_and_grads(params, X, y[:3])
    with pytest.raises(ValueError, match="activation"):
        models.MLP([3, 2], activation="sigmoid")
    with pytest.raises(ValueError, match="init"):
        models.MLP([3, 2], init="orthogonal")
    with pytest.raises(ValueError, match="sizes"):
        models.MLP([3])
    with pytest.raises(ValueError, match="sizes"):
        models.MLP([3, 1])


# ---------------------------------------------------------------- array_api_strict

def test_every_model_runs_on_array_api_strict(reg, binary, multi):
    S = xps.asarray
    X, y, w = reg
    for m in (models.LinearRegression(l2=0.1),):
        v, g = m.value_and_grad(S(w), S(X), S(y))
        assert float(v) == pytest.approx(float(m.loss(w, X, y)), rel=1e-14)
        np.testing.assert_allclose(np.asarray(g), m.grad(w, X, y), rtol=1e-13)
        np.testing.assert_allclose(np.asarray(m.hessian(S(w), S(X), S(y))), m.hessian(w, X, y), rtol=1e-13)
        np.testing.assert_allclose(np.asarray(m.closed_form(S(X), S(y))), m.closed_form(X, y), rtol=1e-10)
        np.testing.assert_allclose(np.asarray(models.LinearRegression().closed_form(S(X), S(y))),
                                   models.LinearRegression().closed_form(X, y), rtol=1e-10)
        np.testing.assert_allclose(np.asarray(m.per_example_grads(S(w), S(X), S(y))),
                                   m.per_example_grads(w, X, y), rtol=1e-13)
        np.testing.assert_allclose(np.asarray(m.predict(S(w), S(X))), m.predict(w, X), rtol=1e-14)

    X, y, w = binary
    m = models.LogisticRegression(l2=0.1)
    v, g = m.value_and_grad(S(w), S(X), S(y))
    assert float(v) == pytest.approx(float(m.loss(w, X, y)), rel=1e-14)
    assert float(m.loss(S(w), S(X), S(y))) == pytest.approx(float(v), rel=1e-14)
    np.testing.assert_allclose(np.asarray(g), m.grad(w, X, y), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(m.hessian(S(w), S(X), S(y))), m.hessian(w, X, y), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(m.per_example_grads(S(w), S(X), S(y))),
                               m.per_example_grads(w, X, y), rtol=1e-13)
    np.testing.assert_array_equal(np.asarray(m.predict(S(w), S(X))), m.predict(w, X))

    X, y, W = multi
    m = models.SoftmaxRegression(4, l2=0.1)
    v, g = m.value_and_grad(S(W), S(X), S(y))
    assert float(v) == pytest.approx(float(m.loss(W, X, y)), rel=1e-14)
    np.testing.assert_allclose(np.asarray(g), m.grad(W, X, y), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(m.hessian(S(W), S(X), S(y))), m.hessian(W, X, y), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(m.per_example_grads(S(W), S(X), S(y))),
                               m.per_example_grads(W, X, y), rtol=1e-13)
    np.testing.assert_array_equal(np.asarray(m.predict(S(W), S(X))), m.predict(W, X))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_runs_on_array_api_strict(activation):
    net, params, X, y = mlp_problem(activation)
    loss, grads = net.loss_and_grads([xps.asarray(p) for p in params], xps.asarray(X), xps.asarray(y))
    ref_loss, ref_grads = net.loss_and_grads(params, X, y)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-14)
    for g, r in zip(grads, ref_grads):
        np.testing.assert_allclose(np.asarray(g), r, rtol=1e-12, atol=1e-15)
    sp = [xps.asarray(p) for p in params]
    np.testing.assert_array_equal(np.asarray(net.predict(sp, xps.asarray(X))), net.predict(params, X))
    np.testing.assert_allclose(net.layer_grad_norms(sp, xps.asarray(X), xps.asarray(y)),
                               net.layer_grad_norms(params, X, y), rtol=1e-12)


def test_float32_stays_float32(binary):
    X, y, w = binary
    X32, w32 = X.astype(np.float32), w.astype(np.float32)
    for m in (models.LinearRegression(l2=0.1), models.LogisticRegression(l2=0.1)):
        target = y.astype(np.float32)
        v, g = m.value_and_grad(w32, X32, target)
        assert g.dtype == np.float32 and np.asarray(v).dtype == np.float32
        assert m.hessian(w32, X32, target).dtype == np.float32
        np.testing.assert_allclose(g, m.grad(w, X, y), rtol=1e-5, atol=1e-6)
    net = models.MLP([3, 4, 2], activation="tanh")
    params = net.init_params(dtype=np.float32)
    loss, grads = net.loss_and_grads(params, X32, y)
    assert all(g.dtype == np.float32 for g in grads)
