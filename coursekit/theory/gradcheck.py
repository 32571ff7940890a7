"""Finite-difference gradient checking.

Backpropagation (or any hand-written gradient) is checked against the
central difference

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h),

whose error is O(h^2): halving ``eps`` divides the truncation error by four,
until rounding (about ulp(f) / h) takes over. ``eps = 1e-6`` in float64 gives
about 1e-10 relative accuracy on smooth functions of size one.

Public names:

- :func:`numerical_gradient` (f: array -> scalar), also for a list of arrays;
- :func:`numerical_jacobian` (F: array -> array), e.g. a Hessian as the Jacobian of a gradient;
- :func:`relative_error` (the norm-wise relative difference used by the checks);
- :func:`check_gradient` -> :class:`GradientCheck` (error, ok, ...), optionally raising.

Everything works on any Array API array (NumPy, CuPy, ``array_api_strict``);
inputs are never modified.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .. import backend
from .._validate import nonnegative, positive, real_array

__all__ = ["numerical_gradient", "numerical_jacobian", "relative_error",
           "check_gradient", "GradientCheck"]

_TINY = 1e-300   # guards 0/0 in relative_error


def _check_eps(eps) -> float:
    return positive(eps, "eps")


def _as_float_array(x, name="x"):
    """(namespace, x as a floating array: the input itself, or a float64 cast of integers)."""
    return real_array(x, name, bools=True)


def _scalar(value, name="f") -> float:
    """A Python float from a scalar or 0-d array returned by ``f``."""
    shape = getattr(value, "shape", ())
    if tuple(shape) != ():
        raise ValueError(f"{name} must return a scalar (0-d array or number), got shape {tuple(shape)}")
    return float(value)


def _central_differences(f, x, eps, evaluate):
    """Shared loop: evaluate(f(x +- h e_i)) for every coordinate i of the flattened x.

    Returns (list of (plus - minus) / (x_plus_i - x_minus_i), namespace, float x).
    The divisor uses the steps as actually represented, which removes the
    rounding of ``x_i + eps`` from the estimate.
    """
    xp, x = _as_float_array(x)
    shape = tuple(x.shape)
    flat = xp.reshape(backend.copy(x), (-1,))
    diffs = []
    for i in range(flat.shape[0]):
        old = float(flat[i])
        flat[i] = old + eps
        up = float(flat[i])                  # the step as stored in x's dtype
        f_up = evaluate(f(xp.reshape(backend.copy(flat), shape)))
        flat[i] = old - eps
        down = float(flat[i])
        f_down = evaluate(f(xp.reshape(backend.copy(flat), shape)))
        flat[i] = old
        diffs.append((f_up - f_down) / (up - down))
    return diffs, xp, x


def numerical_gradient(f: Callable, x, eps: float = 1e-6):
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``g_i = (f(x + h e_i) - f(x - h e_i)) / (2h)`` with ``h = eps``, for every
    entry of ``x`` (any shape; the result has ``x``'s shape, namespace and
    floating dtype; integer ``x`` is promoted to float64). ``f`` receives fresh
    copies, so ``x`` is never modified. Costs ``2 * x.size`` calls of ``f``.

    ``x`` may also be a list/tuple of arrays (e.g. an MLP's ``[W1, b1, ...]``):
    then ``f`` takes such a list and a list of gradients is returned.

    eps: the step ``h`` (> 0). The truncation error is ``h^2 f'''/6``; the
    rounding error about ``ulp(f) / h``; 1e-6 balances the two in float64.
    """
    eps = _check_eps(eps)
    if isinstance(x, (list, tuple)):
        return _numerical_gradient_list(f, list(x), eps)
    diffs, xp, x = _central_differences(f, x, eps, _scalar)
    return xp.reshape(xp.asarray(diffs, dtype=x.dtype), tuple(x.shape))


def _numerical_gradient_list(f, xs, eps):
    grads = []
    for k in range(len(xs)):
        def f_k(xk, k=k):
            return f(xs[:k] + [xk] + xs[k + 1:])
        grads.append(numerical_gradient(f_k, xs[k], eps))
    return grads


def numerical_jacobian(F: Callable, x, eps: float = 1e-6):
    """Central-difference Jacobian of the array function ``F`` at ``x``.

    Returns ``J`` of shape ``F(x).shape + x.shape`` with
    ``J[..., i] = (F(x + h e_i) - F(x - h e_i)) / (2h)``. With ``F = grad f``
    this is a finite-difference Hessian (symmetrize with ``(J + J.T) / 2`` if needed).
    ``x`` is never modified.
    """
    eps = _check_eps(eps)
    xp0 = backend.get_namespace(x)

    def evaluate(value):
        return xp0.astype(xp0.asarray(value), xp0.float64)

    diffs, xp, x = _central_differences(F, x, eps, evaluate)
    if not diffs:
        raise ValueError("x must have at least one entry")
    out_shape = tuple(diffs[0].shape)
    stacked = xp.stack(diffs, axis=-1)                    # out_shape + (x.size,)
    stacked = xp.astype(stacked, x.dtype)
    return xp.reshape(stacked, out_shape + tuple(x.shape))


def _flat_float64(a, name):
    if isinstance(a, (list, tuple)):
        parts = [_flat_float64(e, name) for e in a]
        xp = backend.get_namespace(*parts) if parts else backend.xp
        return xp.concat(parts) if parts else xp.zeros((0,), dtype=xp.float64)
    xp, a = _as_float_array(a, name)
    return xp.reshape(xp.astype(a, xp.float64), (-1,))


def relative_error(a, b) -> float:
    """Norm-wise relative difference of two arrays (or two lists of arrays):

        max_i |a_i - b_i|  /  max( max_i (|a_i| + |b_i|),  tiny )

    A number in [0, 1]: 0 when equal, 1 when e.g. ``b = -a`` or one is zero
    and the other is not; two zero arrays give 0. Unlike the entry-wise ratio
    it is not fooled by entries that are nearly zero in both arrays (where
    finite differences have only absolute accuracy). Lists are flattened and
    concatenated, so an MLP's gradients are compared as one vector.
    """
    fa, fb = _flat_float64(a, "a"), _flat_float64(b, "b")
    if tuple(fa.shape) != tuple(fb.shape):
        raise ValueError(f"a and b must have the same number of entries, got {fa.shape[0]} and {fb.shape[0]}")
    xp = backend.get_namespace(fa, fb)
    if fa.shape[0] == 0:
        return 0.0
    num = float(xp.max(xp.abs(fa - fb)))
    den = float(xp.max(xp.abs(fa) + xp.abs(fb)))
    return num / max(den, _TINY)


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`check_gradient`; truthy exactly when the check passed,
    so ``assert check_gradient(f, g, x)`` works (and prints the summary)."""
    error: float          #: relative_error(analytic, numerical)
    ok: bool              #: error <= rtol
    rtol: float           #: the tolerance used
    analytic: Any = field(repr=False)    #: grad_f(x)
    numerical: Any = field(repr=False)   #: numerical_gradient(f, x, eps)
    worst_index: Any = None              #: index (into the flattened gradient) of the largest |difference|

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        return (f"gradient check {verdict}: relative error {self.error:.3e} "
                f"(rtol {self.rtol:.1e}), worst at flat index {self.worst_index}")


def check_gradient(f: Callable, grad_f: Callable, x, eps: float = 1e-6, rtol: float = 1e-6,
                   raise_on_failure: bool = False) -> GradientCheck:
    """Compare ``grad_f(x)`` with :func:`numerical_gradient` ``(f, x, eps)``.

    Returns a :class:`GradientCheck` (``error``, ``ok``, both gradients, the
    worst index), truthy when ``ok``. With ``raise_on_failure=True`` a failed check raises
    ``AssertionError`` with that summary instead, so a test can read
    ``check_gradient(f, g, x, raise_on_failure=True)``.

    rtol: largest accepted :func:`relative_error`; central differences with
    eps=1e-6 reach about 1e-9 on well-scaled float64 problems, so 1e-6 leaves room.
    ``x`` may be a list of arrays (``f`` and ``grad_f`` then take/return lists).
    """
    rtol = nonnegative(rtol, "rtol")
    if not callable(f) or not callable(grad_f):
        raise TypeError("f and grad_f must be callables (grad_f returns the analytic gradient)")
    analytic = grad_f(x)
    numerical = numerical_gradient(f, x, eps)
    fa, fn = _flat_float64(analytic, "grad_f(x)"), _flat_float64(numerical, "numerical gradient")
    if tuple(fa.shape) != tuple(fn.shape):
        raise ValueError(f"grad_f(x) has {fa.shape[0]} entries but x has {fn.shape[0]}")
    error = relative_error(fa, fn)
    xp = backend.get_namespace(fa)
    worst = int(xp.argmax(xp.abs(fa - fn))) if fa.shape[0] else None
    result = GradientCheck(error, error <= rtol, rtol, analytic, numerical, worst)
    if raise_on_failure and not result.ok:
        raise AssertionError(str(result))
    return result
