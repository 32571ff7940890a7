"""Chapter 1's learner-mistake table: each mistake loses the check's points on 20 seeds, with a hint
that names it and none of its exercise's other mistakes (or, for a changed input, a note)."""
import numpy as np
import pytest

from trials import assert_diagnosed, reference, table_rows
from wrong_answers import (divided_by_eps, first_rows, flattened, forward_difference, full_gradient, gradient_sign,
                           ignores_eps, naive_logs, same_row, summed_loss, times_scale, zeros_like_x)

ref = reference(1)


def gradient_in_place(f, x, eps=1e-6):
    g = ref.numerical_gradient(f, x, eps)
    x += 0.0 * x + 1e-3          # a leftover of x[i] += eps
    return g


def ascent(x, grad, lr):
    return x + lr * grad


def no_lr(x, grad, lr):
    return x - grad


def step_only(x, grad, lr):
    return -lr * grad


def step_in_place(x, grad, lr):
    x -= lr * grad
    return x.copy()


def no_x0(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    return ref.gradient_descent(grad_f, x0, lr, max_steps, tol)[1:]


def stops_late(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
    for _ in range(max_steps):
        x = x - lr * grad_f(x)
        path.append(x)
        if np.linalg.norm(grad_f(path[-2])) <= tol:
            break
    return np.array(path)


def half_bounds(H):
    lam = np.linalg.eigvalsh(H)
    return 1 / lam[-1], 1 / (lam[0] + lam[-1])


def swapped_bounds(H):
    return ref.lr_bounds(H)[::-1]


def diagonal_bounds(H):
    d = np.diag(H)
    return 2 / d.max(), 2 / (d.min() + d.max())


def with_replacement(grad, w, X, y, batch_size, rng):
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    idx = rng.choice(X.shape[0], size=batch_size, replace=True)
    return grad(w, X[idx], y[idx])


def sample_std(X_train):
    mean, scale = ref.fit_standardizer(X_train)
    X_train = np.asarray(X_train, dtype=float)
    return mean, np.where(X_train.std(axis=0) > 0, X_train.std(axis=0, ddof=1), 1.0)


def variance(X_train):
    return np.asarray(X_train).mean(axis=0), np.asarray(X_train).var(axis=0)


def own_statistics(X, mean, scale):
    return (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)


def standardize_in_place(X, mean, scale):
    X -= mean
    X /= scale
    return X.copy()


TABLE = [
    ("numerical_gradient/central", forward_difference, "forward difference"),
    ("numerical_gradient/quadratic", divided_by_eps, "divide by eps instead of 2 * eps"),
    ("numerical_gradient/central", ignores_eps, "ignore the eps argument"),
    ("numerical_gradient/integer x", zeros_like_x, "np.zeros_like(x) copies x's integer dtype"),
    ("numerical_gradient/shape", flattened, "build it with np.zeros_like(x)"),
    ("numerical_gradient/shape", gradient_in_place, "note: x was modified by the call"),
    ("gd_step/new point", ascent, "gradient DEScent subtracts"),
    ("gd_step/new point", no_lr, "the learning rate is missing"),
    ("gd_step/new point", step_only, "returned the step instead of the new point"),
    ("gd_step/new point", step_in_place, "note: x was modified by the call"),
    ("gradient_descent/path", no_x0, "the first row must be x0 itself"),
    ("gradient_descent/stopping rule", stops_late, "test the stopping rule"),
    ("gradient_descent/path", same_row, "every row is the same point"),
    ("lr_bounds/diagonal Hessian", half_bounds, "you returned half of each"),
    ("lr_bounds/diagonal Hessian", swapped_bounds, "the two are swapped"),
    ("lr_bounds/rotated Hessian", diagonal_bounds, "you used the diagonal entries of H"),
    ("minibatch_gradient/batch mean", full_gradient, "every example contributes"),
    ("minibatch_gradient/seeded", with_replacement, "replace=False) draws"),
    ("minibatch_gradient/seeded", first_rows, "your batch is the first"),
    ("fit_standardizer/statistics", sample_std, "sample standard deviation (ddof=1)"),
    ("fit_standardizer/statistics", variance, "this is the variance"),
    ("standardize/train statistics", own_statistics, "X_test's own mean and std"),
    ("standardize/train statistics", times_scale, "you multiplied by scale"),
    ("standardize/train statistics", standardize_in_place, "note: "),
    ("logistic_loss_and_grad/loss", summed_loss, "you summed over the examples"),
    ("logistic_loss_and_grad/gradient", gradient_sign, "the gradient has the wrong sign"),
    ("logistic_loss_and_grad/large logits", naive_logs, "overflow: exp(1000) is inf"),
]


@pytest.mark.parametrize("check_id, mistake, says, others", table_rows(TABLE))
def test_mistake_loses_points_on_every_seed_with_its_hint(check_id, mistake, says, others):
    assert_diagnosed(1, check_id, mistake, says, others)


def test_the_table_covers_every_exercise():
    from coursekit.exercises.checks import ch1
    assert {c.exercise for c in ch1.CHECKS} == {row[0].split("/")[0] for row in TABLE}
