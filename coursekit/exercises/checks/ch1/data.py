"""Checks for chapter 1's exercises on data (module ``ch1_gradient_descent``).

minibatch_gradient, fit_standardizer, standardize and logistic_loss_and_grad, in the
order of the notebook. Format: coursekit.exercises.spec. Every judge computes the
expected value itself, from a closed form or a short reference computation written
here, and names the likely mistake when the result matches one. Imported by
coursekit.exercises.checks.ch1, whose ``CHECKS`` lists these last.
"""
import numpy as np

from coursekit.exercises.spec import Checks, Ref, array_like, call, close, fmt, number, pair, unchanged

CHECKS = Checks()


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


@CHECKS.add("batch mean", "minibatch_gradient", 2, _minibatch_inputs, trials=3,
            description="the gradient on batch_size distinct random rows, averaged over the batch")
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


@CHECKS.add("seeded", "minibatch_gradient", 1, _minibatch_inputs,
            description="draws the batch with rng.choice(n, size=batch_size, replace=False)")
def _judge_minibatch_seeded(c):
    _, w, X, y, B, seed = c.args
    expected_idx = np.sort(np.random.default_rng(seed).choice(X.shape[0], size=B, replace=False))
    what = f"minibatch_gradient(..., batch_size={B}, rng={seed})"
    idx, problem = _batch_of(c.value, w, y, what)
    if problem:
        return problem
    if not np.array_equal(idx, expected_idx) and np.array_equal(idx, np.arange(B)):
        return (f"{what}: your batch is the first {B} rows: draw random indices with "
                "rng.choice(n, size=batch_size, replace=False)")
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
    problem = pair(got, "(mean, scale)", what)
    if problem:
        return problem
    for name, part in zip(("mean", "scale"), got):
        if isinstance(part, np.ndarray) and part.ndim == 1 and part.shape[0] != d:
            return (f"{what}: {name} has shape {part.shape}, expected ({d},), one value per column: "
                    "use axis=0 (down the rows)")
    return None


@CHECKS.add("statistics", "fit_standardizer", 1, _fit_inputs, trials=2,
            description="column means and population standard deviations")
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


def constant_columns(X):
    """Columns whose std is 0 up to rounding: std <= 10 eps |mean|, the rule of data.Standardizer."""
    return X.std(axis=0) <= 10 * np.finfo(float).eps * np.abs(X.mean(axis=0))


def _fit_constant_inputs(rng):
    X = _features(rng, d=4)
    j = int(rng.integers(0, 4))
    X[:, j] = float(rng.integers(-20, 21))          # an integer: its mean, hence its std (0), is exact
    return call(X)


def _fit_rounding_inputs(rng):
    while True:                                     # a column of 0.1: its computed std is ~1e-17, not 0
        X = _features(rng, d=4)
        j = int(rng.integers(0, 4))
        X[:, j] = 0.1
        if X.std(axis=0)[j] > 0:
            return call(X)


def _judge_constant(c, what):
    (X,) = c.args
    problem = _standardizer_pair(c.value, X.shape[1], what)
    if problem:
        return problem
    std, constant = X.std(axis=0), constant_columns(X)
    expected = np.where(constant, 1.0, std)
    scale = c.value[1]
    if isinstance(scale, np.ndarray) and scale.shape == expected.shape and np.all(np.isfinite(scale)):
        tiny = scale[constant]
        if np.any(tiny == 0):
            return f"{what}: its scale is 0, so standardizing divides by zero: give constant columns scale 1"
        if np.any(np.abs(tiny - std[constant]) <= 1e-12):
            return (f"{what}: the constant column's computed std is {fmt(std[constant])}, not exactly 0 "
                    "(rounding), and you kept it as its scale: treat std <= 10 * eps * |mean| as 0 "
                    "(eps = np.finfo(float).eps), as data.Standardizer does, and give that column scale 1")
    return close(scale, expected, rtol=1e-9, what=f"{what}: the scale (1 for the constant column)")


@CHECKS.add("constant column", "fit_standardizer", 1, _fit_constant_inputs,
            description="a constant column gets scale 1")
def _judge_fit_constant(c):
    return _judge_constant(c, "fit_standardizer on data with a constant column")


@CHECKS.add("constant up to rounding", "fit_standardizer", 1, _fit_rounding_inputs,
            description="a column of 0.1 (std ~1e-17 by rounding) counts as constant: scale 1")
def _judge_fit_rounding(c):
    return _judge_constant(c, "fit_standardizer on data with a column of 0.1")


def _standardize_inputs(rng):
    X_train = _features(rng, d=3)
    mean, scale = X_train.mean(axis=0), X_train.std(axis=0)
    X_test = X_train[:10] * 1.5 + scale                     # other data: its own mean and std differ
    return call(X_test, mean, scale)


@CHECKS.add("train statistics", "standardize", 1.5, _standardize_inputs, trials=2,
            description="(X - mean) / scale with the given (training) statistics")
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
    """coursekit's model (tested on its own), not a copy of the solution: the checks ship to learners."""
    from coursekit.models import LogisticRegression

    loss, grad = LogisticRegression().value_and_grad(w, X, y)
    return float(loss), np.asarray(grad, dtype=float)


def _logistic_inputs(rng, scale=1.0):
    n, d = int(rng.integers(20, 50)), int(rng.integers(2, 5))
    X = rng.normal(size=(n, d))
    return call(scale * rng.normal(size=d), X, (rng.uniform(size=n) < 0.5).astype(float))


@CHECKS.add("loss", "logistic_loss_and_grad", 1, _logistic_inputs, trials=2,
            description="mean cross-entropy of random data")
def _judge_logistic_loss(c):
    w, X, y = c.args
    what = "logistic_loss_and_grad: the loss"
    loss, _ = _logistic_reference(w, X, y)
    z = X @ w
    return pair(c.value, "(loss, gradient)", what) or number(c.value[0], what) or close(
        float(c.value[0]), loss, rtol=1e-9, what=what,
        mistakes={"you summed over the examples: the loss is the MEAN": loss * X.shape[0],
                  "the label term has the wrong sign: the loss is log(1 + exp(z)) - y z":
                      float(np.mean(np.logaddexp(0.0, z) + y * z)),
                  "the roles of y = 0 and y = 1 are swapped: -y log(sigma(z)) - (1 - y) log(1 - sigma(z))":
                      float(np.mean(np.logaddexp(0.0, z) - (1 - y) * z))})


@CHECKS.add("gradient", "logistic_loss_and_grad", 1, _logistic_inputs, trials=2,
            description="X^T (sigma(Xw) - y) / n")
def _judge_logistic_grad(c):
    what = "logistic_loss_and_grad: the gradient"
    _, grad = _logistic_reference(*c.args)
    n = c.args[1].shape[0]
    return pair(c.value, "(loss, gradient)", what) or close(
        c.value[1], grad, rtol=1e-8, atol=1e-12, what=what,
        mistakes={"the gradient has the wrong sign: it is X^T (sigma(z) - y) / n": -grad,
                  "divide by n: the gradient of a mean is the mean of the gradients": grad * n})


@CHECKS.add("large logits", "logistic_loss_and_grad", 2, lambda rng: _logistic_inputs(rng, 400.0),
            trials=2, description="finite and exact for logits of size ~1000")
def _judge_logistic_large(c):
    w, X, y = c.args
    what = "logistic_loss_and_grad with logits of size ~1000"
    problem = pair(c.value, "(loss, gradient)", what) or number(c.value[0], f"{what}: the loss")
    if problem:
        return problem
    loss, grad = _logistic_reference(w, X, y)
    got_loss, got_grad = c.value
    stable = ("overflow: exp(1000) is inf in float64; compute log(1 + exp(z)) as np.logaddexp(0, z) and "
              "sigma(z) as np.exp(-np.logaddexp(0, -z)) (or with np.where on the sign of z)")
    if not np.isfinite(float(got_loss)):
        return f"{what}: the loss is {got_loss}; {stable}"
    if isinstance(got_grad, np.ndarray) and not np.all(np.isfinite(got_grad)):
        return f"{what}: the gradient contains NaN or inf; {stable}"
    return close(float(got_loss), loss, rtol=1e-9, what=f"{what}: the loss") or close(
        got_grad, grad, rtol=1e-8, atol=1e-12, what=f"{what}: the gradient")
