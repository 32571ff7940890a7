"""Checks for chapter 1's exercises after numerical_gradient (module ``ch1_gradient_descent``).

gd_step, gradient_descent, lr_bounds, minibatch_gradient, fit_standardizer, standardize
and logistic_loss_and_grad, in the order of the notebook. Format: coursekit.exercises.spec.
Every judge computes the expected value itself, from a closed form or a short reference
loop written here, and names the likely mistake when the result matches one.
Imported by coursekit.exercises.ch1, whose ``CHECKS`` lists these after its own.
"""
import numpy as np

from coursekit.exercises.spec import Check, Ref, array_like, call, close, fmt, unchanged



# ------------------------------------------------------------------ gd_step --
def _gd_step_inputs(rng):
    d = int(rng.integers(2, 6))
    return call(rng.normal(size=d), rng.normal(size=d), float(rng.uniform(0.05, 0.5)))


def _judge_gd_step(c):
    x, g, lr = c.args
    expected = x - lr * g
    return unchanged(x, c.after[0], name="x") or close(
        c.value, expected, rtol=1e-12, atol=1e-12, what=f"gd_step(x, grad, lr={lr:.3g})",
        mistakes={"you stepped along the gradient: gradient DEScent subtracts lr * grad": x + lr * g,
                  "the learning rate is missing: subtract lr * grad, not grad": x - g,
                  "you returned the step instead of the new point: return x - lr * grad": -lr * g})


# --------------------------------------------------------- gradient_descent --
def _spd(rng, d, low=1.0, high=5.0):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (Q * rng.uniform(low, high, size=d)) @ Q.T


def _reference_path(A, b, x0, lr, max_steps, tol):
    x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
    for _ in range(max_steps):
        g = A @ x + b
        if np.linalg.norm(g) <= tol:
            break
        x = x - lr * g
        path.append(x)
    return np.array(path)


def _quadratic_grad(A, b):
    return Ref("coursekit.exercises.targets.QuadraticForm", A, b, method="grad")


def _path_problem(expected, got, what):
    """Hints for a returned path of the wrong length or form (None if the form is right)."""
    if not isinstance(got, np.ndarray) or got.ndim != 2:
        return (f"{what} should return a 2-D array of iterates, shape {expected.shape}, "
                f"got {fmt(got)}: collect x_0, x_1, ... in a list and return np.array(path)")
    if got.shape[1] != expected.shape[1]:
        return f"{what} returned iterates of dimension {got.shape[1]}, expected {expected.shape[1]}"
    n, m = got.shape[0], expected.shape[0]
    if n == m - 1:
        if np.allclose(got, expected[1:], rtol=1e-9, atol=1e-12):
            return f"{what} returned {n} rows, expected {m}: the first row must be x0 itself"
        return f"{what} returned {n} rows, expected {m}: x_0 plus one row per step taken"
    if n == m + 1 and np.allclose(got[:m], expected, rtol=1e-9, atol=1e-12):
        return (f"{what} took one step too many ({n} rows, expected {m}): test the stopping rule "
                "||grad f(x_k)|| <= tol before taking a step from x_k")
    if n != m:
        return f"{what} returned {n} rows, expected {m} (x_0 plus one row per step taken)"
    if n > 2 and np.all(got == got[-1]):
        return (f"{what}: every row is the same point: you appended x and then changed it in place; "
                "make a new array at each step (x = x - lr * g), or append a copy")
    return None


def _gd_path_inputs(rng):
    d = int(rng.integers(2, 5))
    A, b = _spd(rng, d), rng.normal(size=d)
    lr = float(rng.uniform(0.5, 1.5) / np.linalg.eigvalsh(A).max())
    return call(_quadratic_grad(A, b), rng.normal(size=d), lr, max_steps=25, tol=0.0)


def _judge_gd_path(c):
    ref, x0, lr = c.args
    A, b = ref.args
    expected = _reference_path(A, b, x0, lr, c.kwargs["max_steps"], c.kwargs["tol"])
    what = "gradient_descent on a quadratic (25 steps, tol = 0)"
    return (unchanged(x0, c.after[1], name="x0") or _path_problem(expected, c.value, what)
            or close(c.value, expected, rtol=1e-9, atol=1e-12, what=what,
                     mistakes={"you stepped along the gradient: subtract lr * grad": _reference_path(A, b, x0, -lr, 25, 0.0)}))


def _gd_stop_inputs(rng):
    d = int(rng.integers(2, 5))
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = (Q * np.r_[1.0, 5.0, rng.uniform(1.0, 5.0, size=d - 2)]) @ Q.T
    b, lr = rng.normal(size=d), 0.2      # lr = 1/L: every gradient norm shrinks by a factor in [0, 0.8],
    x0 = rng.normal(size=d)              # so consecutive norms are well apart and far above rounding
    norms = np.linalg.norm(_reference_path(A, b, x0, lr, 200, 0.0) @ A.T + b, axis=1)
    k = int(rng.integers(5, 15))
    tol = float(np.sqrt(norms[k] * norms[k - 1]))    # between two gradient norms: fires at step k
    return call(_quadratic_grad(A, b), x0, lr, max_steps=200, tol=tol)


def _judge_gd_stop(c):
    ref, x0, lr = c.args
    A, b = ref.args
    tol = c.kwargs["tol"]
    expected = _reference_path(A, b, x0, lr, 200, tol)
    what = f"gradient_descent with tol = {tol:.3g} (it should stop after {expected.shape[0] - 1} steps)"
    got = c.value
    if isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[0] > expected.shape[0] + 1:
        return (f"{what}: it ran {got.shape[0] - 1} steps, so the stopping rule never fired; stop when "
                "np.linalg.norm(grad) <= tol")
    return _path_problem(expected, got, what) or close(got, expected, rtol=1e-9, atol=1e-12, what=what)


def _gd_max_inputs(rng):
    d = 3
    A, b = _spd(rng, d), rng.normal(size=d)
    lr = float(0.1 / np.linalg.eigvalsh(A).max())      # slow: never reaches tol within the budget
    return call(_quadratic_grad(A, b), rng.normal(size=d) + 5, lr, max_steps=int(rng.integers(3, 9)), tol=1e-12)


def _judge_gd_max(c):
    ref, x0, lr = c.args
    A, b = ref.args
    k = c.kwargs["max_steps"]
    expected = _reference_path(A, b, x0, lr, k, c.kwargs["tol"])
    return _path_problem(expected, c.value, f"gradient_descent with max_steps = {k}") or close(
        c.value, expected, rtol=1e-9, atol=1e-12, what=f"gradient_descent with max_steps = {k}")


def _gd_zero_inputs(rng):
    A, b = _spd(rng, 2), rng.normal(size=2)
    return call(_quadratic_grad(A, b), rng.normal(size=2), 0.1, max_steps=0, tol=1e-6)


def _judge_gd_zero(c):
    _, x0, _ = c.args
    return _path_problem(x0[None, :], c.value, "gradient_descent with max_steps = 0") or close(
        c.value, x0[None, :], rtol=0, atol=0, what="gradient_descent with max_steps = 0 (just x0)")


# ----------------------------------------------------------------- lr_bounds --
def _lr_bounds_judge(diagonal):
    def judge(c):
        (H,) = c.args
        lam = np.linalg.eigvalsh(H)
        mu, L = lam[0], lam[-1]
        expected = np.array([2 / L, 2 / (mu + L)])
        got = c.value
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            return f"lr_bounds should return a pair (lr_max, lr_best), got {fmt(got)}"
        try:
            got = np.array([float(got[0]), float(got[1])])
        except (TypeError, ValueError):
            return f"lr_bounds should return two numbers, got {fmt(c.value)}"
        dg = np.diag(H)
        mistakes = {
            "the stability limit is 2/L and the best step 2/(mu + L), you returned half of each: "
            "the error along the steepest direction is multiplied by 1 - lr L, so |1 - lr L| < 1 means lr < 2/L":
                expected / 2,
            "the two are swapped: return (lr_max, lr_best) = (2/L, 2/(mu+L))": expected[::-1],
            "the best fixed step is 2/(mu + L), not 1/L": np.array([2 / L, 1 / L]),
        }
        if not diagonal:
            mistakes["you used the diagonal entries of H: its eigenvalues (np.linalg.eigvalsh) are the curvatures"] = \
                np.array([2 / dg.max(), 2 / (dg.min() + dg.max())])
        return close(got, expected, rtol=1e-9, what=f"(lr_max, lr_best) for eigenvalues {fmt(lam)}",
                     mistakes=mistakes)
    return judge


def _lr_diag_inputs(rng):
    return call(np.diag(rng.uniform(0.5, 20.0, size=int(rng.integers(2, 6)))))


def _lr_rotated_inputs(rng):
    return call(_spd(rng, int(rng.integers(3, 6)), 0.2, 30.0))


# -------------------------------------------------------- minibatch_gradient --
def _minibatch_inputs(rng, n=40, batch=5):
    # X = identity: the gradient of example i is e_i (w_i - y_i), so the batch shows in the result
    w = rng.normal(size=n)
    y = w + rng.choice([-1.0, 1.0], size=n) * rng.uniform(0.5, 2.0, size=n)
    return call(Ref("coursekit.models.LinearRegression", method="grad"), w, np.eye(n), y, batch,
                int(rng.integers(0, 2**31)))


def _batch_of(value, w, y, what):
    """(indices of the batch, hint): the coordinates where the returned gradient is non-zero."""
    problem = array_like(value, w, what)
    if problem:
        return None, problem
    if not np.all(np.isfinite(value)):
        return None, f"{what} contains NaN or inf: {fmt(value)}"
    return np.flatnonzero(np.abs(value) > 1e-12), None


def _judge_minibatch(c):
    _, w, X, y, B, seed = c.args
    n = X.shape[0]
    what = f"minibatch_gradient with batch_size = {B} (n = {n})"
    idx, problem = _batch_of(c.value, w, y, what)
    if problem:
        return problem
    if idx.size == n:
        return f"{what}: every example contributes to your gradient: draw a batch of batch_size rows and use only those"
    if idx.size < B:
        return (f"{what}: only {idx.size} distinct examples contribute: sample without replacement "
                "(rng.choice(n, size=batch_size, replace=False))")
    if idx.size != B:
        return f"{what}: {idx.size} examples contribute, expected batch_size = {B}"
    expected = np.zeros(n)
    expected[idx] = (w[idx] - y[idx]) / B
    mistakes = {"you divided by n instead of the batch size: the mini-batch gradient is the MEAN over the batch":
                    expected * B / n,
                "you summed over the batch: the mini-batch gradient is the mean, divide by batch_size":
                    expected * B}
    problem = close(c.value, expected, rtol=1e-9, atol=1e-12,
                    what=f"{what}, gradient on the rows {idx.tolist()}", mistakes=mistakes)
    if problem:
        return problem
    if np.array_equal(idx, np.arange(B)):
        return (f"{what}: your batch is the first {B} rows: draw random indices with "
                "rng.choice(n, size=batch_size, replace=False)")
    return None


def _judge_minibatch_seeded(c):
    _, w, X, y, B, seed = c.args
    expected_idx = np.sort(np.random.default_rng(seed).choice(X.shape[0], size=B, replace=False))
    what = f"minibatch_gradient(..., batch_size={B}, rng={seed})"
    idx, problem = _batch_of(c.value, w, y, what)
    if problem:
        return problem
    if not np.array_equal(idx, expected_idx):
        return (f"{what} used the rows {idx.tolist()}, but np.random.default_rng({seed}).choice(n, size={B}, "
                f"replace=False) draws {expected_idx.tolist()}: turn an int rng into a Generator with "
                "np.random.default_rng(rng) and draw the batch with one call of rng.choice")
    return None


# ------------------------------------------------ fit_standardizer / standardize --
def _features(rng, n=None, d=None):
    n = n or int(rng.integers(20, 60))
    d = d or int(rng.integers(2, 6))
    scales = 10.0 ** rng.uniform(-2, 3, size=d)
    return rng.normal(size=(n, d)) * scales + rng.normal(size=d) * scales * 3


def _fit_inputs(rng):
    return call(_features(rng))


def _standardizer_pair(got, d, what):
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return f"{what} should return a pair (mean, scale), got {fmt(got)}"
    for name, part in zip(("mean", "scale"), got):
        if isinstance(part, np.ndarray) and part.ndim == 1 and part.shape[0] != d:
            return (f"{what}: {name} has shape {part.shape}, expected ({d},), one value per column: "
                    "use axis=0 (down the rows)")
    return None


def _judge_fit(c):
    (X,) = c.args
    n, d = X.shape
    what = "fit_standardizer(X_train)"
    problem = unchanged(X, c.after[0], name="X_train") or _standardizer_pair(c.value, d, what)
    if problem:
        return problem
    mean, scale = c.value
    return close(mean, X.mean(axis=0), rtol=1e-9, atol=1e-12, what=f"{what}: the mean") or close(
        scale, X.std(axis=0), rtol=1e-9, what=f"{what}: the scale",
        mistakes={"this is the sample standard deviation (ddof=1): use the population one, X.std(axis=0)":
                      X.std(axis=0, ddof=1),
                  "this is the variance: take its square root": X.var(axis=0)})


def _fit_constant_inputs(rng):
    X = _features(rng, d=4)
    j = int(rng.integers(0, 4))
    X[:, j] = float(rng.integers(-20, 21))          # an integer: its mean, hence its std (0), is exact
    return call(X)


def _judge_fit_constant(c):
    (X,) = c.args
    what = "fit_standardizer on data with a constant column"
    problem = _standardizer_pair(c.value, X.shape[1], what)
    if problem:
        return problem
    std = X.std(axis=0)
    expected = np.where(std > 0, std, 1.0)
    scale = c.value[1]
    if isinstance(scale, np.ndarray) and scale.shape == expected.shape and np.any(scale[std == 0] == 0):
        return f"{what}: its scale is 0, so standardizing divides by zero: give constant columns scale 1"
    return close(scale, expected, rtol=1e-9, what=f"{what}: the scale (1 for the constant column)")


def _standardize_inputs(rng):
    X_train = _features(rng, d=3)
    mean, scale = X_train.mean(axis=0), X_train.std(axis=0)
    X_test = X_train[:10] * 1.5 + scale                     # other data: its own mean and std differ
    return call(X_test, mean, scale)


def _judge_standardize(c):
    X, mean, scale = c.args
    expected = (X - mean) / scale
    return unchanged(X, c.after[0], name="X") or close(
        c.value, expected, rtol=1e-9, atol=1e-12, what="standardize(X_test, mean, scale)",
        mistakes={"you standardized with X_test's own mean and std: use the mean and scale you were given "
                  "(fitted on the training data), so that train and test go through the same map":
                      (X - X.mean(axis=0)) / X.std(axis=0),
                  "you multiplied by scale: divide by it": (X - mean) * scale,
                  "subtract the mean first, then divide: (X - mean) / scale": X / scale - mean})


# ----------------------------------------------------- logistic_loss_and_grad --
def _logistic_reference(w, X, y):
    z = X @ w
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    sigma = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (sigma - y) / X.shape[0]


def _logistic_inputs(rng, scale=1.0):
    n, d = int(rng.integers(20, 50)), int(rng.integers(2, 5))
    X = rng.normal(size=(n, d))
    return call(scale * rng.normal(size=d), X, (rng.uniform(size=n) < 0.5).astype(float))


def _logistic_pair(got, d, what):
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return f"{what} should return a pair (loss, gradient), got {fmt(got)}"
    return None


def _judge_logistic_loss(c):
    w, X, y = c.args
    what = "logistic_loss_and_grad: the loss"
    problem = _logistic_pair(c.value, w.size, what)
    if problem:
        return problem
    loss, _ = _logistic_reference(w, X, y)
    z = X @ w
    got = c.value[0]
    try:
        got = float(got)
    except (TypeError, ValueError):
        return f"{what} should be a number, got {fmt(got)}"
    return close(got, loss, rtol=1e-9, what=what,
                 mistakes={"you summed over the examples: the loss is the MEAN": loss * X.shape[0],
                           "the label term has the wrong sign: the loss is log(1 + exp(z)) - y z":
                               float(np.mean(np.logaddexp(0.0, z) + y * z)),
                           "the roles of y = 0 and y = 1 are swapped: -y log(sigma(z)) - (1 - y) log(1 - sigma(z))":
                               float(np.mean(np.logaddexp(0.0, z) - (1 - y) * z))})


def _judge_logistic_grad(c):
    w, X, y = c.args
    what = "logistic_loss_and_grad: the gradient"
    problem = _logistic_pair(c.value, w.size, what)
    if problem:
        return problem
    _, grad = _logistic_reference(w, X, y)
    return close(c.value[1], grad, rtol=1e-8, atol=1e-12, what=what,
                 mistakes={"the gradient has the wrong sign: it is X^T (sigma(z) - y) / n": -grad,
                           "divide by n: the gradient of a mean is the mean of the gradients": grad * X.shape[0]})


def _judge_logistic_large(c):
    w, X, y = c.args
    what = "logistic_loss_and_grad with logits of size ~1000"
    problem = _logistic_pair(c.value, w.size, what)
    if problem:
        return problem
    loss, grad = _logistic_reference(w, X, y)
    got_loss, got_grad = c.value
    stable = ("overflow: exp(1000) is inf in float64; compute log(1 + exp(z)) as np.logaddexp(0, z) and "
              "sigma(z) as np.exp(-np.logaddexp(0, -z)) (or with np.where on the sign of z)")
    try:
        if not np.isfinite(float(got_loss)):
            return f"{what}: the loss is {got_loss}; {stable}"
    except (TypeError, ValueError):
        return f"{what}: the loss should be a number, got {fmt(got_loss)}"
    if isinstance(got_grad, np.ndarray) and not np.all(np.isfinite(got_grad)):
        return f"{what}: the gradient contains NaN or inf; {stable}"
    return close(float(got_loss), loss, rtol=1e-9, what=f"{what}: the loss") or close(
        got_grad, grad, rtol=1e-8, atol=1e-12, what=f"{what}: the gradient")


CHECKS = [
    Check("new point", "gd_step", 1, _gd_step_inputs, _judge_gd_step, trials=3,
          description="returns x - lr * grad and leaves x unchanged"),
    Check("path", "gradient_descent", 2, _gd_path_inputs, _judge_gd_path, trials=2,
          description="every iterate of 25 steps on a random quadratic, x0 first"),
    Check("stopping rule", "gradient_descent", 1, _gd_stop_inputs, _judge_gd_stop, trials=2,
          description="stops before stepping once ||grad|| <= tol"),
    Check("max_steps", "gradient_descent", 1, _gd_max_inputs, _judge_gd_max, trials=2,
          description="takes exactly max_steps steps when tol is not reached"),
    Check("no step", "gradient_descent", 0.5, _gd_zero_inputs, _judge_gd_zero,
          description="max_steps = 0 returns x0 alone, shape (1, d)"),
    Check("diagonal Hessian", "lr_bounds", 1, _lr_diag_inputs, _lr_bounds_judge(True), trials=2,
          description="(2/L, 2/(mu + L)) for a diagonal Hessian"),
    Check("rotated Hessian", "lr_bounds", 1, _lr_rotated_inputs, _lr_bounds_judge(False), trials=2,
          description="uses the eigenvalues, not the diagonal, of a non-diagonal Hessian"),
    Check("batch mean", "minibatch_gradient", 2, _minibatch_inputs, _judge_minibatch, trials=3,
          description="the gradient on batch_size distinct random rows, averaged over the batch"),
    Check("seeded", "minibatch_gradient", 1, _minibatch_inputs, _judge_minibatch_seeded,
          description="draws the batch with rng.choice(n, size=batch_size, replace=False)"),
    Check("statistics", "fit_standardizer", 1, _fit_inputs, _judge_fit, trials=2,
          description="column means and population standard deviations"),
    Check("constant column", "fit_standardizer", 1, _fit_constant_inputs, _judge_fit_constant,
          description="a constant column gets scale 1"),
    Check("train statistics", "standardize", 1.5, _standardize_inputs, _judge_standardize, trials=2,
          description="(X - mean) / scale with the given (training) statistics"),
    Check("loss", "logistic_loss_and_grad", 1, _logistic_inputs, _judge_logistic_loss, trials=2,
          description="mean cross-entropy of random data"),
    Check("gradient", "logistic_loss_and_grad", 1, _logistic_inputs, _judge_logistic_grad, trials=2,
          description="X^T (sigma(Xw) - y) / n"),
    Check("large logits", "logistic_loss_and_grad", 2, lambda rng: _logistic_inputs(rng, 400.0),
          _judge_logistic_large, trials=2, description="finite and exact for logits of size ~1000"),
]
