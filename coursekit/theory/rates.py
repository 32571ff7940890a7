"""What the theory of gradient descent predicts, as numbers to hold experiments against.

Chapter 1 compares every run with a formula; the formulas live here, named after the math:

- quadratics ``f(x) = 1/2 (x - c)^T A (x - c)`` with Hessian eigenvalues ``mu <= ... <= L``:
  the per-step contraction of fixed-step GD (:func:`gd_rate`), the stability limit
  ``2/L`` (:func:`lr_limit`), the best fixed step ``2/(mu+L)`` (:func:`optimal_lr`) and its
  rate ``(kappa-1)/(kappa+1)`` (:func:`optimal_rate`), steps needed (:func:`steps_to_tolerance`);
- the classical bounds for L-smooth convex and mu-strongly convex functions
  (:func:`convex_gap_bound`, :func:`strongly_convex_gap_bound`);
- stationary points told apart by the Hessian's eigenvalue signs (:func:`classify_hessian`);
- the variance of a mini-batch gradient, with and without replacement
  (:func:`minibatch_variance`, :func:`minibatch_gradients`);
- gradient flow ``dx/dt = -grad f(x)``: its exact solution on a quadratic
  (:func:`quadratic_flow`) and the explicit Euler method (:func:`euler`), of which GD is
  one instance;
- conditioning: the induced 1-norm (largest absolute column sum, :func:`induced_norm_1`)
  and the condition number of a symmetric positive definite matrix (:func:`condition_number`).

Math layer: the array module comes from the inputs (``backend.get_namespace``) and only
Array API standard calls are used, so everything runs on NumPy, CuPy or ``array_api_strict``.
References: Nesterov, *Lectures on Convex Optimization* (2018), Thm. 2.1.14 and 2.1.15;
Bottou, Curtis & Nocedal, *Optimization Methods for Large-Scale Machine Learning* (2018), Sec. 4.
"""
from __future__ import annotations

import math
from numbers import Real

from .. import backend
from .._validate import count, nonnegative, number, positive as _positive

__all__ = ["gd_rate", "lr_limit", "optimal_lr", "optimal_rate", "steps_to_tolerance",
           "convex_gap_bound", "strongly_convex_gap_bound", "classify_hessian",
           "minibatch_variance", "minibatch_gradients", "quadratic_flow", "euler",
           "induced_norm_1", "condition_number", "fraction_within_angle", "central_difference_eps",
           "sgd_noise_floor", "minibatch_noise"]


def _mu_L(mu, L) -> tuple[float, float]:
    mu, L = _positive(mu, "mu"), _positive(L, "L")
    if mu > L:
        raise ValueError(f"mu must not exceed L, got mu={mu} > L={L}")
    return mu, L


# ---------------------------------------------------------------- quadratics ----------

def gd_rate(eigenvalues, lr):
    """Per-step contraction ``max_i |1 - lr * lambda_i|`` of GD on a quadratic.

    The error ``x_k - x*`` is multiplied by ``I - lr A`` at every step, so its norm
    shrinks by at most this factor (exactly, along the worst eigenvector). ``lr`` may be
    a float or a 1-D array of learning rates (one rate per entry is returned).
    A rate below 1 means convergence, above 1 divergence.
    """
    xp = backend.get_namespace(eigenvalues, lr)
    lam = xp.asarray(eigenvalues)
    if lam.ndim != 1 or lam.shape[0] == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D array, got shape {lam.shape}")
    if isinstance(lr, Real):
        return float(xp.max(xp.abs(1.0 - lr * lam)))
    lr = xp.asarray(lr, dtype=lam.dtype)
    return xp.max(xp.abs(1.0 - lr[..., None] * lam), axis=-1)


def lr_limit(L) -> float:
    """The stability limit ``2/L``: fixed-step GD on a quadratic with largest Hessian
    eigenvalue ``L`` converges from every start iff ``0 < lr < 2/L``."""
    return 2.0 / _positive(L, "L")


def optimal_lr(mu, L) -> float:
    """The best fixed step ``2/(mu + L)`` on a quadratic with eigenvalues in ``[mu, L]``:
    it balances the slowest (``mu``) and the fastest (``L``) direction."""
    mu, L = _mu_L(mu, L)
    return 2.0 / (mu + L)


def optimal_rate(mu, L) -> float:
    """The contraction ``(kappa - 1)/(kappa + 1)`` of GD with step ``2/(mu+L)``, ``kappa = L/mu``."""
    mu, L = _mu_L(mu, L)
    kappa = L / mu
    return (kappa - 1.0) / (kappa + 1.0)


def steps_to_tolerance(rate, tol) -> int:
    """Smallest ``k`` with ``rate**k <= tol``: steps for a linearly converging method to
    shrink its error by the factor ``tol``. ``rate = 0`` gives 1, ``rate >= 1`` raises."""
    rate = number(rate, "rate", low=0.0, high=1.0, high_open=True)   # a converging method
    tol = _positive(tol, "tol")
    if tol >= 1.0:
        return 0
    if rate == 0.0:
        return 1
    return max(0, math.ceil(math.log(tol) / math.log(rate) - 1e-12))


# ---------------------------------------------------------------- bounds --------------

def convex_gap_bound(k, L, dist0, lr=None):
    """Upper bound on ``f(x_k) - f*`` for GD on a convex, L-smooth ``f``.

    ``f(x_k) - f* <= ||x_0 - x*||^2 / (2 lr k)`` for any ``0 < lr <= 1/L`` (default
    ``lr = 1/L``, giving ``L ||x_0 - x*||^2 / (2k)``): the O(1/k) rate. ``dist0`` is
    ``||x_0 - x*||`` (to the nearest minimizer); ``k`` an int or an array of step
    counts >= 1 (NumPy arrays in, NumPy arrays out).
    """
    L = _positive(L, "L")
    lr = 1.0 / L if lr is None else _positive(lr, "lr")
    if lr > 1.0 / L * (1 + 1e-12):
        raise ValueError(f"lr must be at most 1/L = {1.0 / L} for this bound, got {lr}")
    xp = backend.get_namespace(k)
    kk = k if isinstance(k, Real) else xp.asarray(k)
    if (kk <= 0) if isinstance(kk, Real) else bool(xp.any(kk <= 0)):
        raise ValueError("k must be >= 1 (the bound is about x_1, x_2, ...)")
    return float(dist0) ** 2 / (2.0 * lr * kk)


def strongly_convex_gap_bound(k, mu, L, gap0, lr=None):
    """Upper bound on ``f(x_k) - f*`` for GD on a mu-strongly convex, L-smooth ``f``.

    ``f(x_k) - f* <= (1 - lr mu)^k (f(x_0) - f*)`` for ``0 < lr <= 1/L`` (default
    ``1/L``, factor ``1 - 1/kappa``): a straight line on a semilog plot (linear rate).
    Follows from the descent lemma and the Polyak-Lojasiewicz inequality
    ``||grad f||^2 >= 2 mu (f - f*)``.
    """
    mu, L = _mu_L(mu, L)
    lr = 1.0 / L if lr is None else _positive(lr, "lr")
    if lr > 1.0 / L * (1 + 1e-12):
        raise ValueError(f"lr must be at most 1/L = {1.0 / L} for this bound, got {lr}")
    xp = backend.get_namespace(k)
    kk = k if isinstance(k, Real) else xp.asarray(k)
    return (1.0 - lr * mu) ** kk * float(gap0)


# ---------------------------------------------------------------- stationary points --

def classify_hessian(hessian, tol=1e-10) -> str:
    """Kind of a stationary point from the signs of the Hessian's eigenvalues.

    All > tol: ``"minimum"``; all < -tol: ``"maximum"``; some of each: ``"saddle"``;
    otherwise (an eigenvalue within ``tol`` of 0 and no sign change) ``"degenerate"``:
    second-order information cannot decide (think of x^3 or x^4 at 0).
    """
    xp = backend.get_namespace(hessian)
    H = xp.asarray(hessian)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"hessian must be a square matrix, got shape {H.shape}")
    lam = xp.linalg.eigvalsh((H + H.T) / 2)
    pos, neg = bool(xp.any(lam > tol)), bool(xp.any(lam < -tol))
    if pos and neg:
        return "saddle"
    if bool(xp.all(lam > tol)):
        return "minimum"
    if bool(xp.all(lam < -tol)):
        return "maximum"
    return "degenerate"


# ---------------------------------------------------------------- mini-batches --------

def minibatch_variance(per_example_grads, batch_size, replace=True):
    """Exact ``E ||g_B - g||^2`` of the mean gradient ``g_B`` of a random mini-batch.

    ``per_example_grads`` has shape (N, d) (row i = gradient of example i's loss),
    ``g`` is their mean, ``sigma^2 = mean_i ||g_i - g||^2``. Drawing ``B`` examples
    uniformly with replacement gives ``sigma^2 / B``; without replacement the finite
    population correction applies: ``sigma^2 / B * (N - B) / (N - 1)`` (zero at B = N).
    """
    xp = backend.get_namespace(per_example_grads)
    G = xp.asarray(per_example_grads)
    if G.ndim != 2:
        raise ValueError(f"per_example_grads must have shape (N, d), got {G.shape}")
    N = G.shape[0]
    B = _batch_size(batch_size, N, replace)
    centered = G - xp.mean(G, axis=0)
    sigma2 = float(xp.sum(centered * centered)) / N
    if replace:
        return sigma2 / B
    return 0.0 if N == 1 else sigma2 / B * (N - B) / (N - 1)


def minibatch_gradients(per_example_grads, batch_size, n_batches, seed=0, replace=True):
    """``n_batches`` independent mini-batch mean gradients, shape (n_batches, d).

    Each batch draws ``batch_size`` rows of ``per_example_grads`` (shape (N, d))
    uniformly, with or without replacement; indices come from
    ``numpy.random.default_rng(seed)``, the arrays stay where they are.
    """
    import numpy  # index generation only; the data never leave their module

    xp = backend.get_namespace(per_example_grads)
    G = xp.asarray(per_example_grads)
    if G.ndim != 2:
        raise ValueError(f"per_example_grads must have shape (N, d), got {G.shape}")
    N, d = G.shape
    B = _batch_size(batch_size, N, replace)
    n_batches = count(n_batches, "n_batches")
    rng = numpy.random.default_rng(seed)
    if replace:
        idx = rng.integers(0, N, size=(n_batches, B))
    else:
        idx = numpy.argsort(rng.random((n_batches, N)), axis=1)[:, :B]
    rows = xp.take(G, xp.asarray(idx.reshape(-1)), axis=0)
    return xp.mean(xp.reshape(rows, (n_batches, B, d)), axis=1)


def _batch_size(batch_size, N, replace) -> int:
    batch_size = count(batch_size, "batch_size")
    if not replace and batch_size > N:
        raise ValueError(f"batch_size must be at most N = {N} without replacement, got {batch_size}")
    return batch_size


# ---------------------------------------------------------------- gradient flow -------

def quadratic_flow(A, x0, t, center=None):
    """Exact gradient flow of ``f(x) = 1/2 (x - c)^T A (x - c)``.

    Solves ``dx/dt = -A (x - c)``: ``x(t) = c + exp(-t A) (x0 - c)``, computed from the
    eigendecomposition ``A = V diag(lam) V^T`` (A symmetric). ``t`` is a float (result
    shape (d,)) or a 1-D array of times (result shape (T, d)).
    """
    xp = backend.get_namespace(A, x0, t, center)
    A, x0 = xp.asarray(A), xp.asarray(x0)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or x0.shape != (A.shape[0],):
        raise ValueError(f"A must be (d, d) and x0 (d,), got {A.shape} and {x0.shape}")
    c = xp.zeros_like(x0) if center is None else xp.asarray(center, dtype=x0.dtype)
    lam, V = xp.linalg.eigh((A + A.T) / 2)
    coords = xp.matmul(V.T, x0 - c)          # (d,)
    scalar = isinstance(t, Real)
    tt = xp.reshape(xp.asarray(t, dtype=x0.dtype), (-1,))         # (T,)
    decayed = xp.exp(-tt[:, None] * lam[None, :]) * coords[None, :]   # (T, d)
    path = c[None, :] + xp.matmul(decayed, V.T)
    return path[0, :] if scalar else path


def euler(field, x0, h, steps):
    """Explicit Euler method for ``dx/dt = field(x)``: ``x_{k+1} = x_k + h field(x_k)``.

    Returns the ``steps + 1`` points, shape (steps + 1, *x0.shape). With
    ``field = -grad f`` and ``h = lr`` this is exactly gradient descent.
    """
    h = _positive(h, "h")
    steps = count(steps, "steps", minimum=0)
    xp = backend.get_namespace(x0)
    x = backend.copy(x0)
    points = [x]
    for _ in range(steps):
        x = x + h * xp.asarray(field(x))
        points.append(x)
    return xp.stack(points)


# ---------------------------------------------------------------- conditioning --------

def induced_norm_1(X) -> float:
    """``||X||_1 = max_{v != 0} ||X v||_1 / ||v||_1``: the largest absolute column sum.

    The maximum is attained at a coordinate vector ``e_j`` (the 1-norm ball's corners),
    so one badly scaled feature column sets the norm on its own.
    """
    xp = backend.get_namespace(X)
    X = xp.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix, got shape {X.shape}")
    return float(xp.max(xp.sum(xp.abs(X), axis=0)))


def condition_number(A) -> float:
    """``lambda_max / lambda_min`` of a symmetric positive semi-definite matrix
    (``inf`` when singular). For ``A = X^T X / n`` it is the ``kappa = L / mu`` of least squares."""
    xp = backend.get_namespace(A)
    A = xp.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    lam = xp.linalg.eigvalsh((A + A.T) / 2)
    lo, hi = float(xp.min(lam)), float(xp.max(lam))
    if hi <= 0:
        raise ValueError("A must be positive semi-definite with a positive eigenvalue")
    return math.inf if lo <= hi * 1e-15 else hi / lo


# ---------------------------------------------------------------- chapter 1 figures ----

def fraction_within_angle(d, degrees) -> float:
    """Share of uniformly random unit vectors of R^d within ``degrees`` of a fixed direction.

    The spherical cap of half-angle theta covers ``I_{sin^2 theta}((d-1)/2, 1/2) / 2`` of the
    sphere for theta <= 90 degrees (regularized incomplete beta; 1 minus that beyond). In 2-D it
    is theta/180; it shrinks like sin(theta)^(d-1) as d grows: random directions rarely align.
    """
    from scipy.special import betainc

    d = count(d, "d", minimum=2)
    theta = math.radians(_positive(degrees, "degrees"))
    if theta > math.pi:
        raise ValueError(f"degrees must be at most 180, got {degrees}")
    cap = 0.5 * float(betainc((d - 1) / 2, 0.5, math.sin(min(theta, math.pi - theta)) ** 2))
    return cap if theta <= math.pi / 2 else 1.0 - cap


def central_difference_eps(unit_roundoff=2.0 ** -52, scale=1.0) -> float:
    """The step that balances a central difference's two errors: ``(3 u s)^(1/3)``.

    Truncation costs ``eps^2 |f'''| / 6``, rounding about ``u |f| / eps`` (u: the relative
    error of a computed f; the default ``2^-52`` is float64's machine epsilon, twice its unit
    roundoff ``2^-53``, since an evaluated f is rarely better than an ulp or so); with
    ``scale = |f| / |f'''|`` their sum is smallest at ``eps = (3 u scale)^(1/3)``, about
    ``8.7e-6`` with the defaults, of the order of ``u^(1/3)``, far above ``sqrt(u)``.
    """
    return (3 * _positive(unit_roundoff, "unit_roundoff") * _positive(scale, "scale")) ** (1 / 3)


def sgd_noise_floor(lr, sigma2, batch_size=1) -> float:
    """Expected ``f - f*`` where constant-lr SGD on least squares settles: ``lr sigma2 / (4 B)``.

    ``sigma2 = mean_i ||grad l_i(w*)||^2`` is the spread of the per-example gradients at the
    optimum (where their mean is 0). From the stationary covariance P of the error,
    ``H P + P H = lr Sigma / B`` to first order in lr, and ``f - f* = tr(H P) / 2``.
    Valid for small ``lr L``; the next term is O(lr^2) and positive, so the true floor lies
    above this one (:func:`coursekit.theory.noise_floor.stationary_gap` gives it exactly).
    """
    lr, sigma2 = _positive(lr, "lr"), nonnegative(sigma2, "sigma2")
    batch_size = count(batch_size, "batch_size")
    return lr * sigma2 / (4 * batch_size)


def minibatch_noise(per_example_grads, batch_sizes, n_batches=2000, seed=0, replace=True):
    """Measured ``E ||g_B - g||^2`` for each batch size, over ``n_batches`` random batches.

    The sampling counterpart of :func:`minibatch_variance` (one float per batch size).
    """
    xp = backend.get_namespace(per_example_grads)
    G = xp.asarray(per_example_grads)
    if G.ndim != 2:
        raise ValueError(f"per_example_grads must have shape (N, d), got {G.shape}")
    full = xp.mean(G, axis=0)
    out = []
    for B in batch_sizes:
        diff = minibatch_gradients(G, int(B), n_batches, seed=seed, replace=replace) - full
        out.append(float(xp.mean(xp.sum(diff * diff, axis=1))))
    return out
