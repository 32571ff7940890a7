"""Typical wrong answers to chapter 1's exercises, one mistake each, shared by the judges' hint
tests (test_hints.py, test_hints_ch1_descent.py) and the learner-mistake table (test_mistakes_ch1.py)."""
import numpy as np

from judging import reference


def forward_difference(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x)) / eps
    return g


def divided_by_eps(f, x, eps=1e-6):
    return 2 * reference.numerical_gradient(f, x, eps)


def ignores_eps(f, x, eps=1e-6):
    return reference.numerical_gradient(f, x)


def zeros_like_x(f, x, eps=1e-6):
    """The notebook's hint followed literally: np.zeros_like(x) keeps an integer x's dtype."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def flattened(f, x, eps=1e-6):
    return reference.numerical_gradient(f, x, eps).ravel()


def same_row(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    """Every row of the path is one array, updated in place (x -= ...)."""
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(max_steps):
        g = grad_f(x)
        if np.linalg.norm(g) <= tol:
            break
        x -= lr * g
        path.append(x)
    return np.array(path)


def first_rows(grad, w, X, y, batch_size, rng):
    return grad(w, X[:batch_size], y[:batch_size])


def full_gradient(grad, w, X, y, batch_size, rng):
    return grad(w, X, y)


def times_scale(X, mean, scale):
    return (X - mean) * scale


def naive_logs(w, X, y):
    """exp(-z) and log(p) as written: inf and NaN for large logits."""
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-X @ w))
        loss = float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))
    return loss, X.T @ (p - y) / X.shape[0]


def summed_loss(w, X, y):
    loss, grad = reference.logistic_loss_and_grad(w, X, y)
    return loss * X.shape[0], grad


def gradient_sign(w, X, y):
    loss, grad = reference.logistic_loss_and_grad(w, X, y)
    return loss, -grad
