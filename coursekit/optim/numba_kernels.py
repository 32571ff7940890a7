"""Fused CPU kernels (numba, optional ``fast`` extra): each update is one parallel loop.

One pass over memory per step instead of one per operation, split over the machine's
cores (``prange``). Each kernel is made per option set (the flags are constants of a
closure, so a switched-off term is not in the loop), compiled once per dtype and
cached on disk. Scalars are cast to the parameters' dtype first and every
operation is the reference's in the reference's order, so float32 stays float32.
numba does not contract ``a * b + c`` into a fused multiply-add unless ``fastmath``
is on (it is off here); on this x86-64 machine the kernels equal the reference bit
for bit, and the tests allow 1 ulp (``rtol`` 2**-23 / 2**-52) for targets where LLVM
fuses anyway. Array hyperparameters and non-contiguous arrays go to :mod:`.inplace`.
"""
from __future__ import annotations

import functools

import numba
import numpy as np
from numba import njit, prange

from .moments import bias_correction
from .terms import is_zero

__all__ = ["UPDATES", "supports", "PARALLEL_MIN"]

_jit = njit(parallel=True, cache=True, fastmath=False, nogil=True)

#: Below this many elements a kernel runs on one thread: waking the others costs more
#: than it saves (``benchmarks/tune_block.py``; on a loaded 2-core machine, milliseconds).
PARALLEL_MIN = 1 << 17


def _launch(kernel, *args):
    if args[0].size >= PARALLEL_MIN:
        return kernel(*args)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        kernel(*args)
    finally:
        numba.set_num_threads(threads)


def supports(p, g, s, h) -> bool:
    """Scalar hyperparameters and C-contiguous parameter, gradient and state."""
    for v in h.values():
        if any(hasattr(e, "shape") for e in (v if isinstance(v, tuple) else (v,))):
            return False
    return all(a is None or a.flags.c_contiguous for a in (p, g, *s.values()))


@functools.lru_cache(maxsize=None)
def _sgd(has_momentum, nesterov, l2):
    @_jit
    def sgd(p, g, b, lr, mu, one_minus_tau, wd, first):
        for i in prange(p.size):
            gi = g[i]
            if l2:
                gi = gi + wd * p[i]
            if has_momentum:
                bi = gi if first else mu * b[i] + one_minus_tau * gi
                b[i] = bi
                gi = gi + mu * bi if nesterov else bi
            p[i] = p[i] - lr * gi
    return sgd


@functools.lru_cache(maxsize=None)
def _adagrad(l2):
    @_jit
    def adagrad(p, g, G, lr_t, eps, wd):
        for i in prange(p.size):
            gi = g[i]
            if l2:
                gi = gi + wd * p[i]
            Gi = G[i] + gi * gi
            G[i] = Gi
            p[i] = p[i] - lr_t * gi / (np.sqrt(Gi) + eps)
    return adagrad


@functools.lru_cache(maxsize=None)
def _rmsprop(centered, has_momentum, l2):
    @_jit
    def rmsprop(p, g, v, g_avg, b, lr, alpha, one_minus_alpha, eps, wd, mu, first):
        for i in prange(p.size):
            gi = g[i]
            if l2:
                gi = gi + wd * p[i]
            vi = alpha * v[i] + one_minus_alpha * (gi * gi)
            v[i] = vi
            if centered:
                ai = alpha * g_avg[i] + one_minus_alpha * gi
                g_avg[i] = ai
                d = np.sqrt(vi - ai * ai) + eps
            else:
                d = np.sqrt(vi) + eps
            if has_momentum:
                bi = gi / d if first else mu * b[i] + gi / d
                b[i] = bi
                p[i] = p[i] - lr * bi
            else:
                p[i] = p[i] - lr * gi / d
    return rmsprop


@functools.lru_cache(maxsize=None)
def _adam(amsgrad, l2, decoupled):
    @_jit
    def adam(p, g, m, v, v_max, beta1, one_minus_beta1, beta2, one_minus_beta2, root_bc2, step_size, eps,
             wd, keep):
        for i in prange(p.size):
            pi = p[i]
            if decoupled:
                pi = pi * keep
            gi = g[i]
            if l2:
                gi = gi + wd * pi
            mi = beta1 * m[i] + one_minus_beta1 * gi
            vi = beta2 * v[i] + one_minus_beta2 * (gi * gi)
            m[i] = mi
            v[i] = vi
            if amsgrad:
                vi = np.maximum(v_max[i], vi)
                v_max[i] = vi
            p[i] = pi - step_size * mi / (np.sqrt(vi) / root_bc2 + eps)
    return adam


def _flat(a, fallback):
    return (fallback if a is None else a).reshape(-1)


def sgd(p, g, s, t, *, lr, momentum, dampening, weight_decay, nesterov):
    c = p.dtype.type
    has_momentum = not is_zero(momentum)
    first = has_momentum and s.b is None
    if first:
        s["b"] = np.empty_like(p)
    kernel = _sgd(has_momentum, bool(nesterov and has_momentum), not is_zero(weight_decay))
    _launch(kernel, p.reshape(-1), g.reshape(-1), _flat(s.b, p), c(lr), c(momentum), c(1 - dampening),
            c(weight_decay), first)


def adagrad(p, g, s, t, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    c = p.dtype.type
    kernel = _adagrad(not is_zero(weight_decay))
    _launch(kernel, p.reshape(-1), g.reshape(-1), s.sum_sq.reshape(-1), c(lr / (1 + (t - 1) * lr_decay)), c(eps),
           c(weight_decay))


def rmsprop(p, g, s, t, *, lr, alpha, eps, weight_decay, momentum, centered):
    c = p.dtype.type
    has_momentum = not is_zero(momentum)
    first = has_momentum and s.b is None
    if first:
        s["b"] = np.empty_like(p)
    kernel = _rmsprop(bool(centered), has_momentum, not is_zero(weight_decay))
    _launch(kernel, p.reshape(-1), g.reshape(-1), s.v.reshape(-1), _flat(s.g_avg, p), _flat(s.b, p), c(lr),
            c(alpha), c(1 - alpha), c(eps), c(weight_decay), c(momentum), first)


def adam(p, g, s, t, *, lr, betas, eps, weight_decay, amsgrad, decoupled=False):
    c = p.dtype.type
    beta1, beta2 = betas
    kernel = _adam(bool(amsgrad), not decoupled and not is_zero(weight_decay), bool(decoupled))
    _launch(kernel, p.reshape(-1), g.reshape(-1), s.m.reshape(-1), s.v.reshape(-1), _flat(s.v_max, p), c(beta1),
           c(1 - beta1), c(beta2), c(1 - beta2), c(bias_correction(beta2, t) ** 0.5),
           c(lr / bias_correction(beta1, t)), c(eps), c(weight_decay), c(1 - lr * weight_decay))


def adamw(p, g, s, t, *, lr, betas, eps, weight_decay, amsgrad):
    adam(p, g, s, t, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
         decoupled=not is_zero(weight_decay))


UPDATES = {"sgd": sgd, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam, "adamw": adamw}
