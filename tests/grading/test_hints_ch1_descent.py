"""Judges of coursekit.exercises.checks.ch1.descent and .data: the reference passes, typical mistakes get their hint.

Runs the judges in-process as the grader feeds them (judging.judge: fresh inputs, copies
into the function, the original inputs, the returned value and the arguments after the call).
"""
import numpy as np
import pytest

from coursekit.exercises.checks.ch1 import data, descent
from judging import judge, reference
from wrong_answers import first_rows, full_gradient, gradient_sign, naive_logs, same_row, summed_loss, times_scale

CHECKS = descent.CHECKS + data.CHECKS   # gd_step ... logistic_loss_and_grad


def find(exercise, name):
    return next(c for c in CHECKS if c.exercise == exercise and c.name == name)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_reference_passes_for_many_random_inputs(check):
    for seed in range(40):
        assert judge(check, getattr(reference, check.exercise), seed) is None, seed


# ------------------------------------------------------------------ mistakes

def gd_in_place(x, grad, lr):
    x -= lr * grad
    return x


def descent_from(step):
    """A gradient_descent built on a given (possibly wrong) step rule."""
    def gradient_descent(grad_f, x0, lr, max_steps=1000, tol=1e-6):
        x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
        for _ in range(max_steps):
            g = grad_f(x)
            if np.linalg.norm(g) <= tol:
                break
            x = step(x, g, lr)
            path.append(x)
        return np.array(path)
    return gradient_descent


def gd_checks_after_step(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
    for _ in range(max_steps):
        g = grad_f(x)
        x = x - lr * g
        path.append(x)
        if np.linalg.norm(g) <= tol:
            break
    return np.array(path)


def gd_no_stop(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    return reference.gradient_descent(grad_f, x0, lr, max_steps, tol=0.0)


def gd_x0_in_place(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    path = [x0.copy()]
    for _ in range(max_steps):
        x0 -= lr * grad_f(x0)
        path.append(x0.copy())
    return np.array(path)


def gd_one_extra(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    """A loop that runs max_steps + 1 times (range(max_steps + 1))."""
    return reference.gradient_descent(grad_f, x0, lr, max_steps + 1, tol)


def gd_without_x0(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    return reference.gradient_descent(grad_f, x0, lr, max_steps, tol)[1:]


def lr_half(H):
    lam = np.linalg.eigvalsh(H)
    return 1 / lam[-1], 1 / (lam[0] + lam[-1])


def lr_diagonal(H):
    d = np.diag(H)
    return 2 / d.max(), 2 / (d.min() + d.max())


def batch_with_replacement(grad, w, X, y, batch_size, rng):
    idx = np.random.default_rng(rng).integers(0, X.shape[0], size=batch_size)
    idx[1] = idx[0]                       # make a repeat certain
    return grad(w, X[idx], y[idx])


def batch_own_seed(grad, w, X, y, batch_size, rng):
    idx = np.random.default_rng(12345).choice(X.shape[0], size=batch_size, replace=False)
    return grad(w, X[idx], y[idx])


def fit_ddof1(X):
    return X.mean(axis=0), X.std(axis=0, ddof=1)


def fit_rows(X):
    return X.mean(axis=1), X.std(axis=1)


def fit_no_guard(X):
    return X.mean(axis=0), X.std(axis=0)


def fit_exact_zero_guard(X):
    std = X.std(axis=0)
    return X.mean(axis=0), np.where(std > 0, std, 1.0)


def standardize_refit(X, mean, scale):
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.mark.parametrize("exercise, name, mistake, phrase", [
    ("gd_step", "new point", gd_in_place, "x was modified"),
    ("gd_step", "new point", lambda x, g, lr: x + lr * g, "along the gradient"),
    ("gd_step", "new point", lambda x, g, lr: x - g, "learning rate is missing"),
    ("gradient_descent", "path", descent_from(lambda x, g, lr: x + lr * g), "subtract lr * grad"),
    ("gradient_descent", "path", same_row, "every row is the same point"),
    ("gradient_descent", "path", gd_x0_in_place, "x0 was modified"),
    ("gradient_descent", "path", gd_without_x0, "the first row must be x0"),
    ("gradient_descent", "stopping rule", gd_checks_after_step, "one step too many"),
    ("gradient_descent", "stopping rule", gd_no_stop, "never fired"),
    ("gradient_descent", "path", gd_one_extra, "loop runs max_steps + 1 times"),
    ("gradient_descent", "max_steps", gd_one_extra, "loop runs max_steps + 1 times"),
    ("gradient_descent", "no step", gd_one_extra, "loop runs max_steps + 1 times"),
    ("gradient_descent", "x0 meets tol", gd_checks_after_step, "test the stopping rule"),
    ("gradient_descent", "x0 meets tol", gd_no_stop, "the first one (from x0) included"),
    ("lr_bounds", "diagonal Hessian", lr_half, "2/L"),
    ("lr_bounds", "rotated Hessian", lr_diagonal, "diagonal entries"),
    ("lr_bounds", "rotated Hessian", lambda H: lr_half(H)[::-1] and reference.lr_bounds(H)[::-1], "swapped"),
    ("minibatch_gradient", "batch mean", first_rows, "first 5 rows"),
    ("minibatch_gradient", "batch mean", batch_with_replacement, "without replacement"),
    ("minibatch_gradient", "batch mean", full_gradient, "every example contributes"),
    ("minibatch_gradient", "seeded", batch_own_seed, "np.random.default_rng(rng)"),
    ("fit_standardizer", "statistics", fit_ddof1, "ddof=1"),
    ("fit_standardizer", "statistics", fit_rows, "axis=0"),
    ("fit_standardizer", "constant column", fit_no_guard, "scale 1"),
    ("fit_standardizer", "constant up to rounding", fit_no_guard, "10 * eps * |mean|"),
    ("fit_standardizer", "constant up to rounding", fit_exact_zero_guard, "not exactly 0"),
    ("standardize", "train statistics", standardize_refit, "fitted on the training data"),
    ("standardize", "train statistics", times_scale, "divide by it"),
    ("logistic_loss_and_grad", "large logits", naive_logs, "np.logaddexp"),
    ("logistic_loss_and_grad", "loss", summed_loss, "MEAN"),
    ("logistic_loss_and_grad", "gradient", gradient_sign, "wrong sign"),
])
def test_typical_mistakes_get_a_specific_hint(exercise, name, mistake, phrase):
    check = find(exercise, name)
    with np.errstate(all="ignore"):
        hints = [judge(check, mistake, seed) for seed in range(4)]
    assert all(h and phrase in h for h in hints), hints


def test_naive_logistic_is_fine_for_moderate_logits():
    """The stability check is what separates a naive from a stable implementation."""
    assert judge(find("logistic_loss_and_grad", "loss"), naive_logs, 0) is None


def test_points():
    assert sum(c.points for c in CHECKS) == 19.5
    assert [c.exercise for c in CHECKS][::1] == sorted(
        [c.exercise for c in CHECKS],
        key=["gd_step", "gradient_descent", "lr_bounds", "minibatch_gradient", "fit_standardizer",
             "standardize", "logistic_loss_and_grad"].index)


def test_x0_meeting_tol_gives_one_row():
    check = find("gradient_descent", "x0 meets tol")
    for seed in range(5):
        args = check.inputs(np.random.default_rng(seed))
        grad_f = args.args[0].resolve()
        assert np.linalg.norm(grad_f(args.args[1])) <= args.kwargs["tol"]
        assert reference.gradient_descent(*[a.resolve() if hasattr(a, "resolve") else a for a in args.args],
                                          **args.kwargs).shape == (1, args.args[1].size)


def test_constant_column_tolerance_matches_the_standardizer():
    """A column of 0.1 has std ~1e-17: the solution and data.Standardizer both give it scale 1."""
    from coursekit import data
    check = find("fit_standardizer", "constant up to rounding")
    for seed in range(5):
        (X,) = check.inputs(np.random.default_rng(seed)).args
        j = int(np.flatnonzero(np.all(X == 0.1, axis=0))[0])
        assert 0 < X.std(axis=0)[j] < 1e-15
        _, scale = reference.fit_standardizer(X)
        np.testing.assert_array_equal(scale, data.Standardizer().fit(X).scale_)
        assert scale[j] == 1.0
