"""Chapter 1, gradient descent: the exercises.

The 8 functions below are what the exercises of course/01_gradient_descent.ipynb
ask for (one or two each).
Check your work in the notebook, or grade it in one command::

    python -m coursekit.grade exercises/ --chapter 1

Rules for every exercise (the grader applies them, and so do the notebook's figures):
- types: where a Python int, float or bool is asked, NumPy's (np.int64, np.float64,
  np.bool_) are accepted too; arrays are float64 unless the exercise says otherwise
  (another dtype, e.g. float32, fails with a hint saying so);
- inputs: never change an argument in place (arrays, lists of arrays); a changed input
  earns a note, and the notebook hands your function copies;
- time: each call must answer within 10 s (a loop that never ends is stopped there).
"""
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Estimate the gradient of a scalar function ``f`` at ``x`` by central differences.

    For every entry i of x (x may have any shape)::

        g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

    where e_i is the array of x's shape with a 1 at entry i and 0 elsewhere.
    The error is O(eps^2), against O(eps) for the forward difference.

    f: callable taking an array shaped like x and returning a number.
    x: NumPy array, possibly of integers; it must not be modified.
    eps: the step (float > 0).
    Returns a float array of the same shape as x (also for an integer x).
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad
    # END SOLUTION


def gd_step(x, grad, lr):
    """One gradient descent step: return ``x - lr * grad`` as a new array.

    x: current point (NumPy array); it must not be modified.
    grad: the gradient of the loss at x (same shape as x).
    lr: the learning rate (float > 0).
    """
    # BEGIN SOLUTION
    return np.asarray(x, dtype=float) - lr * np.asarray(grad, dtype=float)
    # END SOLUTION


def gradient_descent(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    """Run gradient descent from ``x0`` and return every iterate.

    Repeat ``x_{k+1} = x_k - lr * grad_f(x_k)`` (use your ``gd_step``), with a stopping
    rule: stop *before* taking a step when ``||grad_f(x_k)|| <= tol`` (Euclidean norm),
    and stop after ``max_steps`` steps in any case.

    grad_f: callable x -> gradient at x.
    x0: starting point (NumPy array of shape (d,)); it must not be modified.
    lr: learning rate (float > 0); max_steps: int >= 0; tol: float >= 0.
    Returns an array of shape (k + 1, d): x_0, x_1, ..., x_k, where k is the number of
    steps taken (k = max_steps unless the stopping rule fired first).
    """
    # BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(max_steps):
        g = np.asarray(grad_f(x), dtype=float)
        if np.linalg.norm(g) <= tol:
            break
        x = gd_step(x, g, lr)
        path.append(x)
    return np.array(path)
    # END SOLUTION


def lr_bounds(H):
    """Learning rates of gradient descent on a quadratic with Hessian ``H``.

    With mu and L the smallest and largest eigenvalues of the symmetric positive
    definite matrix H, return the pair ``(lr_max, lr_best)``:

    - ``lr_max = 2 / L``: GD converges from every start iff 0 < lr < lr_max;
    - ``lr_best = 2 / (mu + L)``: the fixed learning rate with the fastest convergence.

    H: (d, d) symmetric positive definite NumPy array (not necessarily diagonal).
    Returns a tuple of two floats.
    """
    # BEGIN SOLUTION
    eigenvalues = np.linalg.eigvalsh(H)
    mu, L = eigenvalues[0], eigenvalues[-1]
    return float(2 / L), float(2 / (mu + L))
    # END SOLUTION


def minibatch_gradient(grad, w, X, y, batch_size, rng):
    """A mini-batch estimate of the gradient of a loss averaged over the rows of X.

    Draw ``batch_size`` distinct row indices uniformly at random with
    ``rng.choice(n, size=batch_size, replace=False)`` (n = number of rows of X), and
    return the gradient on that batch: ``grad(w, X[idx], y[idx])``.

    grad: callable (w, X, y) -> gradient of the mean loss over the rows of X.
    w: parameters; X: (n, d) features; y: (n,) targets.
    batch_size: int, 1 <= batch_size <= n.
    rng: a numpy Generator, or an int seed (then use np.random.default_rng(rng)).
    Returns an array shaped like w.
    """
    # BEGIN SOLUTION
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    idx = rng.choice(X.shape[0], size=batch_size, replace=False)
    return grad(w, X[idx], y[idx])
    # END SOLUTION


def fit_standardizer(X_train):
    """Per-feature mean and scale of the training data, for standardization.

    mean: the mean of each column of X_train.
    scale: the standard deviation of each column (population std, numpy's default
    ddof=0); a constant column gets scale 1 (so that it maps to 0 instead of dividing by
    zero). "Constant" allows for rounding: a column of 0.1 has a computed std of about
    1e-17, not 0. Count a column as constant when its std <= 10 * eps * |its mean|, with
    eps = np.finfo(float).eps (the rule of coursekit.data.Standardizer).

    X_train: (n, d) NumPy array; it must not be modified.
    Returns a tuple (mean, scale) of two arrays of shape (d,).
    """
    # BEGIN SOLUTION
    X_train = np.asarray(X_train, dtype=float)
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    constant = scale <= 10 * np.finfo(float).eps * np.abs(mean)
    scale = np.where(constant, 1.0, scale)
    return mean, scale
    # END SOLUTION


def standardize(X, mean, scale):
    """Apply a standardization fitted on training data: return ``(X - mean) / scale``.

    X: (m, d) array (training, validation or test data); it must not be modified.
    mean, scale: the arrays returned by ``fit_standardizer(X_train)``.
    Returns an (m, d) array.
    """
    # BEGIN SOLUTION
    return (np.asarray(X, dtype=float) - mean) / scale
    # END SOLUTION


def logistic_loss_and_grad(w, X, y):
    """Mean cross-entropy of logistic regression and its gradient, stable for any logit.

    With logits z = X w and sigma(z) = 1 / (1 + exp(-z)), the loss is

        L(w) = mean_i [ log(1 + exp(z_i)) - y_i z_i ]

    (the cross-entropy -y log sigma(z) - (1 - y) log(1 - sigma(z)) rearranged) and its
    gradient is X^T (sigma(z) - y) / n. Compute log(1 + exp(z)) with np.logaddexp(0, z)
    and sigma(z) without overflow, so that logits of size 1000 give finite results.

    w: (d,) weights; X: (n, d) features; y: (n,) labels in {0, 1}.
    Returns (loss as a float, gradient as an array of shape (d,)).
    """
    # BEGIN SOLUTION
    z = X @ w
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    sigma = np.exp(-np.logaddexp(0.0, -z))
    return loss, X.T @ (sigma - y) / X.shape[0]
    # END SOLUTION
