"""Gradient clipping: by global norm and by value (torch.nn.utils semantics, new arrays).

Clipping by norm rescales all gradients by one factor, so the update keeps its direction
and only its length is capped (claim C21); clipping by value cuts each entry and can turn
the direction. Both take one array or a list of arrays (one per parameter) and return the
same structure, never modifying their inputs.
"""
from __future__ import annotations

import math

from coursekit import backend
from coursekit._validate import nonnegative, number, real_array

__all__ = ["global_norm", "clip_by_norm", "clip_by_value"]


def global_norm(grads, norm_type=2.0):
    """The p-norm of all entries of all gradients together, as a float.

    Computed as torch does: the norm of the vector of per-array norms
    (equal to the norm of the concatenation). ``norm_type`` p > 0 or ``inf``.
    Mixed precisions (float32 and float64 arrays) are combined in float64.
    """
    grads, _ = _as_list(grads)
    p = _norm_type(norm_type)
    return float(_global_norm(grads, p)) if grads else 0.0


def clip_by_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False, *, axis=None):
    """Rescale gradients so that their global norm is at most ``max_norm``.

    With total = ||(g_1, ..., g_n)||_p, every g_i is multiplied by
    min(1, max_norm / (total + 1e-6)), as ``torch.nn.utils.clip_grad_norm_`` does
    (Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural networks",
    ICML 2013). The direction is unchanged; the norm becomes <= max_norm.

    Parameters
    ----------
    grads : array or list of arrays
    max_norm : float >= 0
        The largest allowed global norm.
    norm_type : float
        p of the p-norm (p > 0, or ``math.inf`` for the largest absolute entry).
    error_if_nonfinite : bool
        Raise ``FloatingPointError`` when the total norm is nan or inf (otherwise the
        result is torch's: all nan for a nan norm; 0, or nan where an entry is inf,
        for an inf norm).
    axis : int or tuple of ints, optional
        For one array only: take the norm over these axes, and clip every index of the
        other axes on its own (each run of a batch of shape ``(R, d)`` with ``axis=1``).

    Returns
    -------
    (clipped, total_norm) : clipped is one array for one array, else a list (new arrays);
        total_norm is the global norm *before* clipping, a float (with ``axis``: an array
        of the other axes' shape).
    """
    grads, single = _as_list(grads)
    max_norm = nonnegative(max_norm, "max_norm")
    p = _norm_type(norm_type)
    if axis is not None:
        return _clip_slices(grads, single, max_norm, p, axis, error_if_nonfinite)
    if not grads:
        return [], 0.0
    total = _global_norm(grads, p)
    total_norm = float(total)
    if error_if_nonfinite and not math.isfinite(total_norm):
        raise FloatingPointError(f"the total norm of grads is {total_norm}; cannot clip")
    scale = min(max_norm / (total_norm + 1e-6), 1.0)    # nan stays nan, inf gives 0, as in torch
    clipped = [g * scale for g in grads]
    return (clipped[0] if single else clipped), total_norm


def clip_by_value(grads, clip_value):
    """Clamp every gradient entry to [-clip_value, clip_value] (``torch.nn.utils.clip_grad_value_``).

    Returns new arrays in the structure of ``grads``. Unlike clipping by norm this can
    change the direction of the gradient.
    """
    grads, single = _as_list(grads)
    c = nonnegative(clip_value, "clip_value")
    clipped = [backend.get_namespace(g).clip(g, -c, c) for g in grads]
    return clipped[0] if single else clipped


# --- helpers ----------------------------------------------------------------------------
def _clip_slices(grads, single, max_norm, p, axis, error_if_nonfinite):
    """clip_by_norm of one array with the norm taken over ``axis`` (one clip per slice)."""
    if not single:
        raise TypeError("axis: give one array, not a list of arrays")
    g = grads[0]
    xp = backend.get_namespace(g)
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    if not all(isinstance(a, int) and -g.ndim <= a < g.ndim for a in axis):
        raise ValueError(f"axis must name axes of the {g.ndim}-D gradient, got {axis}")
    norms = _p_norm(xp, g, p, axis=axis, keepdims=True)
    if error_if_nonfinite and not bool(xp.all(xp.isfinite(norms))):
        raise FloatingPointError("a norm of grads is nan or inf; cannot clip")
    scale = xp.minimum(max_norm / (norms + 1e-6), 1.0)   # the rule above, slice by slice
    return g * scale, xp.squeeze(norms, axis=axis)


def _global_norm(grads, p):
    """The global p-norm as a 0-d array of the gradients' module."""
    xp = backend.get_namespace(*grads)
    norms = [_p_norm(xp, g, p) for g in grads]
    if len({str(n.dtype) for n in norms}) > 1:      # mixed precisions: combine in float64
        norms = [xp.astype(n, xp.float64) for n in norms]
    return _p_norm(xp, xp.stack(norms), p)


def _p_norm(xp, g, p, axis=None, keepdims=False):
    """(sum |g_i|^p)^(1/p) over all entries (or over ``axis``); max |g_i| for p = inf."""
    a = xp.abs(g)
    if p == math.inf:
        reduce = xp.max if math.prod(a.shape) > 0 else xp.sum
        return reduce(a, axis=axis, keepdims=keepdims)
    if p == 1.0:
        return xp.sum(a, axis=axis, keepdims=keepdims)
    if p == 2.0:
        return xp.sqrt(xp.sum(a * a, axis=axis, keepdims=keepdims))
    return xp.sum(a ** p, axis=axis, keepdims=keepdims) ** (1.0 / p)


def _as_list(grads):
    """(list of real floating arrays, whether a single array was given); integers become float64."""
    single = not isinstance(grads, (list, tuple))
    items = [grads] if single else list(grads)
    return [real_array(g, "grads")[1] for g in items], single


def _norm_type(norm_type):
    """p > 0 of the p-norm (``math.inf`` allowed)."""
    return number(norm_type, "norm_type", low=0.0, low_open=True, finite=False)
