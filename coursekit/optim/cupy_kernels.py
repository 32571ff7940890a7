"""Fused GPU kernels (CuPy): each update is one elementwise kernel, one pass over memory.

The kernel's source is written out per optimizer and option set (a switched-off term
is not in it) and compiled once per set and dtype (``cupy.ElementwiseKernel`` caches
the binary). Every operation is the reference's, in its order; derived scalars
(``1 - beta``, ``lr / (1 - beta1^t)``, ...) are computed on the host by the reference's
expressions and cast to the parameters' dtype, and hyperparameter arrays broadcast
inside the kernel (R configurations in one launch). Compiled with ``--fmad=false``,
so ``a * b + c`` is not fused and, with CUDA's IEEE division and square root, the
kernels compute the reference's float operations; the ``gpu`` tests hold them
within 2 ulp. Two differences from NumPy remain (docs/gpu.md): CuPy compiles every kernel with
``-ftz=true``, so float32 subnormals (below ~1.18e-38) are read and written as 0; and AMSGrad's
``max(v_max, v)`` is CUDA's ``max``, which drops a NaN (``numpy.maximum`` keeps it: after a NaN
gradient the GPU's ``v_max`` keeps its old value; the parameter is NaN on both).
Without a GPU, .ci/cupy-api compiles every reachable kernel with NVRTC (sm_80, sm_90) from
CuPy's own code generator (tests/test_cupy_kernels.py).
"""
from __future__ import annotations

import functools

from coursekit.backend import get_namespace

from .moments import bias_correction
from .terms import is_zero

__all__ = ["UPDATES", "kernel_source"]

_OPTIONS = ("--fmad=false",)


def kernel_source(name, **flags) -> tuple[str, str, str]:
    """``(in_params, out_params, operation)`` of the kernel for optimizer ``name`` and ``flags``."""
    return _SOURCES[name](**flags)


def _sgd(has_momentum, first, nesterov, l2):
    body = ["T gi = g;"]
    if l2:
        body.append("gi = gi + wd * p;")
    if has_momentum:
        body.append("b = gi;" if first else "b = mu * b + one_minus_tau * gi;")
        body.append("gi = gi + mu * b;" if nesterov else "gi = b;")
    body.append("p = p - lr * gi;")
    return "T g, T lr, T mu, T one_minus_tau, T wd", "T p" + (", T b" if has_momentum else ""), "\n".join(body)


def _adagrad(l2):
    body = ["T gi = g;"] + (["gi = gi + wd * p;"] if l2 else [])
    body += ["G = G + gi * gi;", "p = p - lr_t * gi / (sqrt(G) + eps);"]
    return "T g, T lr_t, T eps, T wd", "T p, T G", "\n".join(body)


def _rmsprop(centered, has_momentum, first, l2):
    body = ["T gi = g;"] + (["gi = gi + wd * p;"] if l2 else [])
    body.append("v = alpha * v + one_minus_alpha * (gi * gi);")
    if centered:
        body += ["g_avg = alpha * g_avg + one_minus_alpha * gi;", "T d = sqrt(v - g_avg * g_avg) + eps;"]
    else:
        body.append("T d = sqrt(v) + eps;")
    if has_momentum:
        body += ["b = gi / d;" if first else "b = mu * b + gi / d;", "p = p - lr * b;"]
    else:
        body.append("p = p - lr * gi / d;")
    out = "T p, T v" + (", T g_avg" if centered else "") + (", T b" if has_momentum else "")
    return "T g, T lr, T alpha, T one_minus_alpha, T eps, T wd, T mu", out, "\n".join(body)


def _adam(amsgrad, l2, decoupled):
    body = ["T pi = p;"] + (["pi = pi * keep;"] if decoupled else [])
    body += ["T gi = g;"] + (["gi = gi + wd * pi;"] if l2 else [])
    body += ["m = beta1 * m + one_minus_beta1 * gi;", "v = beta2 * v + one_minus_beta2 * (gi * gi);"]
    if amsgrad:
        body.append("v_max = max(v_max, v);")
    body.append(f"p = pi - step_size * m / (sqrt({'v_max' if amsgrad else 'v'}) / root_bc2 + eps);")
    ins = ("T g, T beta1, T one_minus_beta1, T beta2, T one_minus_beta2, T root_bc2, T step_size, T eps, "
           "T wd, T keep")
    return ins, "T p, T m, T v" + (", T v_max" if amsgrad else ""), "\n".join(body)


_SOURCES = {"sgd": _sgd, "adagrad": _adagrad, "rmsprop": _rmsprop, "adam": _adam}


@functools.lru_cache(maxsize=None)
def _kernel(name, **flags):
    import cupy
    ins, outs, op = kernel_source(name, **flags)
    tag = "_".join(k for k, v in sorted(flags.items()) if v)
    return cupy.ElementwiseKernel(ins, outs, op, f"coursekit_{name}{'_' + tag if tag else ''}",
                                  options=_OPTIONS, no_return=True)


def _cast(p, *values):
    """Scalars as the parameters' dtype; arrays (already that dtype) as they are."""
    c = p.dtype.type
    return [v if hasattr(v, "shape") else c(v) for v in values]


def sgd(p, g, s, t, *, lr, momentum, dampening, weight_decay, nesterov):
    has_momentum = not is_zero(momentum)
    first = has_momentum and s.b is None
    if first:
        s["b"] = get_namespace(p).empty_like(p)
    k = _kernel("sgd", has_momentum=has_momentum, first=first, nesterov=bool(nesterov and has_momentum),
                l2=not is_zero(weight_decay))
    k(g, *_cast(p, lr, momentum, 1 - dampening, weight_decay), p, *([s.b] if has_momentum else []))


def adagrad(p, g, s, t, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    k = _kernel("adagrad", l2=not is_zero(weight_decay))
    k(g, *_cast(p, lr / (1 + (t - 1) * lr_decay), eps, weight_decay), p, s.sum_sq)


def rmsprop(p, g, s, t, *, lr, alpha, eps, weight_decay, momentum, centered):
    has_momentum = not is_zero(momentum)
    first = has_momentum and s.b is None
    if first:
        s["b"] = get_namespace(p).empty_like(p)
    k = _kernel("rmsprop", centered=bool(centered), has_momentum=has_momentum, first=first,
                l2=not is_zero(weight_decay))
    outs = [p, s.v] + ([s.g_avg] if centered else []) + ([s.b] if has_momentum else [])
    k(g, *_cast(p, lr, alpha, 1 - alpha, eps, weight_decay, momentum), *outs)


def adam(p, g, s, t, *, lr, betas, eps, weight_decay, amsgrad, decoupled=False):
    beta1, beta2 = betas
    k = _kernel("adam", amsgrad=bool(amsgrad), l2=not decoupled and not is_zero(weight_decay),
                decoupled=bool(decoupled))
    scalars = _cast(p, beta1, 1 - beta1, beta2, 1 - beta2, bias_correction(beta2, t) ** 0.5,
                    lr / bias_correction(beta1, t), eps, weight_decay, 1 - lr * weight_decay)
    k(g, *scalars, p, s.m, s.v, *([s.v_max] if amsgrad else []))


def adamw(p, g, s, t, *, lr, betas, eps, weight_decay, amsgrad):
    adam(p, g, s, t, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
         decoupled=not is_zero(weight_decay))


UPDATES = {"sgd": sgd, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam, "adamw": adamw}
