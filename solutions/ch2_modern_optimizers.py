"""Chapter 2, modern optimizers: the exercises.

The 8 functions below are what the exercises of course/02_modern_optimizers.ipynb
ask for (one or two each).
Each one takes NumPy float64 arrays, must NOT modify any of its array arguments, and
returns new arrays. Conventions are those of torch.optim (and coursekit.optim, which the
grader compares with): the step count t starts at 1. Grade your work in one command::

    python -m coursekit.grade exercises/ --chapter 2

Rules for every exercise (the grader applies them, and so do the notebook's figures):
- types: where a Python int, float or bool is asked, NumPy's (np.int64, np.float64,
  np.bool_) are accepted too; arrays are float64 unless the exercise says otherwise
  (another dtype, e.g. float32, fails with a hint saying so);
- inputs: never change an argument in place (arrays, lists of arrays); a changed input
  earns a note, and the notebook hands your function copies;
- time: each call must answer within 10 s (a loop that never ends is stopped there).
"""
import numpy as np


def momentum_step(p, g, buf, lr, momentum):
    """One step of SGD with heavy-ball momentum in torch's convention.

        buf <- g                        at the first step (buf is None)
        buf <- momentum * buf + g       afterwards (no (1 - momentum) factor)
        p   <- p - lr * buf

    p, g: arrays of one shape (float64); buf: an array of that shape, or None before the
    first step. lr, momentum: floats. Do not modify p, g or buf.
    Returns the pair (new_p, new_buf) of new arrays.
    """
    # BEGIN SOLUTION
    new_buf = np.array(g, dtype=float) if buf is None else momentum * buf + g
    return p - lr * new_buf, new_buf
    # END SOLUTION


def nesterov_step(p, g, buf, lr, momentum):
    """One step of Nesterov momentum in torch's form (torch.optim.SGD(nesterov=True)).

        buf <- g at the first step (buf is None), else momentum * buf + g
        p   <- p - lr * (g + momentum * buf)

    Same arguments and return value as momentum_step: (new_p, new_buf), new arrays.
    """
    # BEGIN SOLUTION
    new_buf = np.array(g, dtype=float) if buf is None else momentum * buf + g
    return p - lr * (g + momentum * new_buf), new_buf
    # END SOLUTION


def adagrad_step(p, g, sum_sq, lr, eps=1e-10):
    """One AdaGrad step: sum_sq <- sum_sq + g^2, then p <- p - lr * g / (sqrt(sum_sq) + eps).

    eps is added OUTSIDE the square root. p, g, sum_sq: arrays of one shape; do not modify
    them. Returns (new_p, new_sum_sq).
    """
    # BEGIN SOLUTION
    new_sum = sum_sq + g * g
    return p - lr * g / (np.sqrt(new_sum) + eps), new_sum
    # END SOLUTION


def rmsprop_step(p, g, v, lr, alpha=0.99, eps=1e-8):
    """One RMSProp step: v <- alpha v + (1 - alpha) g^2, then p <- p - lr * g / (sqrt(v) + eps).

    eps outside the square root; v starts at zeros. Do not modify p, g or v.
    Returns (new_p, new_v).
    """
    # BEGIN SOLUTION
    new_v = alpha * v + (1 - alpha) * g * g
    return p - lr * g / (np.sqrt(new_v) + eps), new_v
    # END SOLUTION


def adam_step(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Step number t (t = 1 for the first step) of Adam, with bias correction:

        m <- beta1 m + (1 - beta1) g,       v <- beta2 v + (1 - beta2) g^2
        m_hat = m / (1 - beta1^t),          v_hat = v / (1 - beta2^t)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps)

    m, v: the moments after step t - 1 (zeros before the first step). Do not modify the
    arguments. Returns (new_p, new_m, new_v).
    """
    # BEGIN SOLUTION
    new_m = beta1 * m + (1 - beta1) * g
    new_v = beta2 * v + (1 - beta2) * g * g
    m_hat = new_m / (1 - beta1 ** t)
    v_hat = new_v / (1 - beta2 ** t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
    # END SOLUTION


def adamw_step(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """Step t of AdamW: first decay the weights, p <- p * (1 - lr * weight_decay), then take
    an Adam step (adam_step) from the decayed p with the gradient g unchanged.

    Returns (new_p, new_m, new_v). Do not modify the arguments.
    """
    # BEGIN SOLUTION
    return adam_step(p * (1 - lr * weight_decay), g, m, v, t, lr, beta1, beta2, eps)
    # END SOLUTION


def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    """The learning rate at step t = 0, 1, 2, ...: linear warmup, then cosine decay.

        t < warmup_steps:                  lr_max * t / warmup_steps       (0 at t = 0)
        warmup_steps <= t < total_steps:   lr_min + (lr_max - lr_min) (1 + cos(pi s / S)) / 2
                                           with s = t - warmup_steps, S = total_steps - warmup_steps
        t >= total_steps:                  lr_min

    t, warmup_steps, total_steps: ints with 0 <= warmup_steps < total_steps. Returns a float.
    """
    # BEGIN SOLUTION
    if t < warmup_steps:
        return lr_max * t / warmup_steps
    if t >= total_steps:
        return lr_min
    s, S = t - warmup_steps, total_steps - warmup_steps
    return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * s / S)) / 2
    # END SOLUTION


def clip_by_global_norm(grads, max_norm):
    """Clip a list of gradient arrays by their GLOBAL Euclidean norm (torch's clip_grad_norm_).

        total = sqrt(sum over all arrays of sum(g^2))
        scale = min(1, max_norm / (total + 1e-6))
        return [g * scale for g in grads]

    Every array is multiplied by the same scale, so the direction of the whole update is
    kept. grads: a list of float64 arrays of any shapes; do not modify them.
    Returns a list of new arrays, in the same order and shapes.
    """
    # BEGIN SOLUTION
    total = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [g * scale for g in grads]
    # END SOLUTION
