"""coursekit.optim against closed forms, invariants (hypothesis) and the claims of course/CLAIMS.md.

Every expected value here comes from a formula, not from running the optimizer code twice.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursekit import optim

prop = settings(max_examples=40, deadline=None)


def noisy_quartic(seed=0, steps=20, shapes=((4, 3), (5,))):
    """x0 (a list of arrays) and grads(params, t): gradient of a quartic plus noise."""
    rng = np.random.default_rng(seed)
    x0 = [rng.standard_normal(s) for s in shapes]
    noise = [[rng.standard_normal(s) for s in shapes] for _ in range(steps)]
    return x0, lambda ps, t: [p + 0.1 * p ** 3 + n for p, n in zip(ps, noise[t - 1])]


@given(a=st.floats(0.1, 10), lr=st.floats(0.001, 0.15), x0=st.floats(-10, 10), t=st.integers(1, 30))
@prop
def test_sgd_on_a_quadratic_follows_the_geometric_closed_form(a, lr, x0, t):
    x = np.array([x0])
    opt = optim.SGD(x, lr=lr)
    for _ in range(t):
        opt.step(a * x)
    np.testing.assert_allclose(x[0], (1 - lr * a) ** t * x0, rtol=1e-12, atol=1e-300)


@given(mu=st.floats(0.01, 0.95), tau=st.floats(0, 1), t=st.integers(1, 40), g=st.floats(0.1, 10))
@prop
def test_sgd_momentum_buffer_with_constant_gradient(mu, tau, t, g):
    """b_1 = g (no dampening at the first step), then b_t = mu b + (1 - tau) g:
    b_t = mu^(t-1) g + (1 - tau) g (1 + mu + ... + mu^(t-2))."""
    x = np.zeros(1)
    opt = optim.SGD(x, lr=1.0, momentum=mu, dampening=tau)
    for _ in range(t):
        opt.step(np.array([g]))
    expected = mu ** (t - 1) * g + (1 - tau) * g * sum(mu ** k for k in range(t - 1))
    np.testing.assert_allclose(opt.state[0].b[0], expected, rtol=1e-12)


@pytest.mark.claim("C12")
def test_momentum_amplifies_a_constant_gradient_and_damps_an_alternating_one():
    mu = 0.9
    const, alt = np.zeros(1), np.zeros(1)
    o_const, o_alt = optim.SGD(const, momentum=mu), optim.SGD(alt, momentum=mu)
    for t in range(300):
        o_const.step(np.ones(1))
        o_alt.step(np.array([(-1.0) ** t]))
    np.testing.assert_allclose(o_const.state[0].b, 1 / (1 - mu), rtol=1e-12)
    np.testing.assert_allclose(abs(o_alt.state[0].b), 1 / (1 + mu), rtol=1e-12)


def test_nesterov_step_is_gradient_plus_mu_times_buffer():
    """torch's form (Sutskever et al. 2013): p -= lr (g + mu b); so the first step is lr (1 + mu) g."""
    x, y = np.array([1.0]), np.array([1.0])
    nest, heavy = optim.SGD(x, lr=0.1, momentum=0.5, nesterov=True), optim.SGD(y, lr=0.1, momentum=0.5)
    nest.step(np.array([2.0]))
    heavy.step(np.array([2.0]))
    assert x[0] == 1.0 - 0.1 * (2.0 + 0.5 * 2.0) and y[0] == 1.0 - 0.1 * 2.0
    nest.step(np.array([1.0]))                          # b = 0.5 * 2 + 1 = 2
    assert x[0] == pytest.approx(0.7 - 0.1 * (1.0 + 0.5 * 2.0), rel=1e-15)


@given(G0=st.floats(0, 2), delta=st.floats(0, 0.5), eps=st.sampled_from([1e-10, 1e-3, 0.5]),
       g=st.floats(0.1, 5), t=st.integers(1, 25))
@prop
def test_adagrad_with_constant_gradient(G0, delta, eps, g, t):
    """G_s = G0 + s g^2, eta_s = lr / (1 + (s - 1) delta): x_t = x0 - sum_s eta_s g / (sqrt(G_s) + eps)."""
    x = np.zeros(1)
    opt = optim.AdaGrad(x, lr=0.3, lr_decay=delta, initial_accumulator_value=G0, eps=eps)
    for _ in range(t):
        opt.step(np.array([g]))
    steps = [0.3 / (1 + (s - 1) * delta) * g / (np.sqrt(G0 + s * g * g) + eps) for s in range(1, t + 1)]
    np.testing.assert_allclose(x[0], -sum(steps), rtol=1e-12)


@pytest.mark.claim("C15")
@given(grads=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=30))
@prop
def test_adagrad_effective_learning_rate_never_grows(grads):
    x = np.zeros(1)
    opt = optim.AdaGrad(x, lr=0.1)
    rates = []
    for g in grads:
        opt.step(np.array([g]))
        rates.append(0.1 / (np.sqrt(opt.state[0].sum_sq[0]) + 1e-10))
    assert all(b <= a for a, b in zip(rates, rates[1:]))


@given(alpha=st.floats(0, 0.999), g=st.floats(0.1, 10), t=st.integers(1, 25), eps=st.sampled_from([1e-8, 0.3]))
@prop
def test_rmsprop_with_constant_gradient(alpha, g, t, eps):
    """v_s = (1 - alpha^s) g^2 from v_0 = 0: x_t = x0 - sum_s lr g / (sqrt(v_s) + eps)."""
    x = np.zeros(1)
    opt = optim.RMSProp(x, lr=0.01, alpha=alpha, eps=eps)
    for _ in range(t):
        opt.step(np.array([g]))
    steps = [0.01 * g / (np.sqrt((1 - alpha ** s) * g * g) + eps) for s in range(1, t + 1)]
    np.testing.assert_allclose(x[0], -sum(steps), rtol=1e-10)


def test_centered_rmsprop_divides_by_the_gradient_spread():
    """Centered: d = sqrt(E[g^2] - E[g]^2) + eps; alternating g = 1 +/- 1 has spread 1, mean 1."""
    x = np.zeros(1)
    opt = optim.RMSProp(x, lr=0.01, alpha=0.99, centered=True)
    for t in range(3000):
        opt.step(np.array([1.0 + (-1.0) ** t]))
    s = opt.state[0]
    np.testing.assert_allclose([s.g_avg[0], s.v[0]], [1.0, 2.0], rtol=0.02)


@pytest.mark.claim("C16")
def test_rmsprop_effective_rate_recovers_when_gradients_shrink_adagrads_does_not():
    x, y = np.zeros(1), np.zeros(1)
    rms, ada = optim.RMSProp(x, lr=0.01, alpha=0.9), optim.AdaGrad(y, lr=0.01)
    rates = {"rms": [], "ada": []}
    for t in range(100):
        g = np.array([10.0 if t < 50 else 0.1])
        rms.step(g)
        ada.step(g)
        rates["rms"].append(0.01 / (np.sqrt(rms.state[0].v[0]) + 1e-8))
        rates["ada"].append(0.01 / (np.sqrt(ada.state[0].sum_sq[0]) + 1e-10))
    assert rates["rms"][-1] > 10 * rates["rms"][49]
    assert rates["ada"][-1] <= rates["ada"][49]


@pytest.mark.claim("C17")
@given(g=st.floats(-1e4, 1e4).filter(lambda v: abs(v) > 1e-3), lr=st.floats(1e-4, 1.0),
       b1=st.floats(0, 0.99), b2=st.floats(0, 0.9999))
@prop
def test_adam_first_step_has_size_lr(g, lr, b1, b2):
    """Bias correction makes m_hat = g, v_hat = g^2 at t = 1: the step is lr g / (|g| + eps)."""
    x = np.zeros(1)
    optim.Adam(x, lr=lr, betas=(b1, b2)).step(np.array([g]))
    np.testing.assert_allclose(-x[0], lr * g / (abs(g) + 1e-8), rtol=1e-14)


@given(grads=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=25),
       b1=st.floats(0, 0.95), b2=st.floats(0.9, 0.9999))
@prop
def test_adam_step_obeys_the_cauchy_schwarz_bound(grads, b1, b2):
    """|m_hat| / sqrt(v_hat) <= sqrt(sum_i a_i^2 / b_i) with a_i, b_i the EMA weights of step i."""
    x = np.zeros(1)
    opt = optim.Adam(x, lr=0.1, betas=(b1, b2))
    for t, g in enumerate(grads, start=1):
        before = x[0]
        opt.step(np.array([g]))
        k = np.arange(t)                                # t - i for i = t, ..., 1
        a = (1 - b1) * b1 ** k / (1 - b1 ** t)
        b = (1 - b2) * b2 ** k / (1 - b2 ** t)
        assert abs(x[0] - before) <= 0.1 * np.sqrt(np.sum(a * a / b)) * (1 + 1e-12)


@given(grads=st.lists(st.floats(-100, 100), min_size=1, max_size=30))
@prop
def test_amsgrad_keeps_the_running_maximum_of_the_raw_second_moment(grads):
    x = np.zeros(1)
    opt = optim.Adam(x, lr=0.01, betas=(0.9, 0.9), amsgrad=True)
    vs = []
    for g in grads:
        opt.step(np.array([g]))
        vs.append(opt.state[0].v[0])
        assert opt.state[0].v_max[0] == max(vs)         # max over raw v, not the corrected one


@pytest.mark.claim("C19")
def test_adamw_decay_is_not_adam_l2_but_the_two_agree_for_sgd():
    x0, grads = noisy_quartic(seed=5)
    runs = {}
    for key, cls, kw in [("adam_l2", optim.Adam, {}), ("adamw", optim.AdamW, {})]:
        ps = [x.copy() for x in x0]
        opt = cls(ps, lr=0.05, weight_decay=0.1, **kw)
        for t in range(1, 21):
            opt.step(grads(ps, t))
        runs[key] = np.concatenate([p.ravel() for p in ps])
    assert np.max(np.abs(runs["adam_l2"] - runs["adamw"])) > 1e-3
    # SGD: decay p <- p (1 - lr wd) then p <- p - lr g, by hand, equals SGD with the L2 term
    ps, by_hand = [x.copy() for x in x0], [x.copy() for x in x0]
    opt = optim.SGD(ps, lr=0.05, weight_decay=0.1)
    for t in range(1, 21):
        gs = grads(by_hand, t)
        opt.step(grads(ps, t))
        by_hand = [p * (1 - 0.05 * 0.1) - 0.05 * g for p, g in zip(by_hand, gs)]
    for a, b in zip(ps, by_hand):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_adamw_without_decay_is_adam():
    x0, grads = noisy_quartic(seed=6)
    a, b = [x.copy() for x in x0], [x.copy() for x in x0]
    oa, ob = optim.Adam(a, lr=0.05), optim.AdamW(b, lr=0.05, weight_decay=0.0)
    for t in range(1, 21):
        oa.step(grads(a, t))
        ob.step(grads(b, t))
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p, q)


@given(eig=st.lists(st.floats(0.1, 10), min_size=1, max_size=5), frac=st.floats(0.01, 1.0),
       seed=st.integers(0, 1000))
@prop
def test_gradient_step_below_2_over_L_never_increases_a_convex_quadratic(eig, frac, seed):
    lam = np.array(eig)
    x = np.random.default_rng(seed).standard_normal(lam.size)
    f = lambda v: 0.5 * np.sum(lam * v * v)             # noqa: E731
    before = f(x)
    optim.SGD(x, lr=frac * 2 / lam.max()).step(lam * x)
    assert f(x) <= before * (1 + 1e-12)


def test_ema_and_bias_correction():
    assert optim.ema(2.0, 4.0, 0.75) == 2.5 and optim.bias_correction(0.5, 3) == 0.875
    avg, c, beta = 0.0, 3.7, 0.9
    for t in range(1, 40):
        avg = optim.ema(avg, c, beta)
        assert avg / optim.bias_correction(beta, t) == pytest.approx(c, rel=1e-14)
    beta = np.array([[0.0], [0.5]])                     # broadcasts: two decays at once
    np.testing.assert_array_equal(optim.ema(np.ones((2, 3)), np.zeros(3), beta), [[0, 0, 0], [0.5] * 3])
    np.testing.assert_array_equal(optim.bias_correction(beta, 2), [[1.0], [0.75]])


