"""The default NumPy path: each optimizer's reference operations, in place, block by block.

The five optimizers' blocked updates are written out by hand: their ``element`` functions
applied to NumPy blocks (one temporary per operation) measured 1.4x to 2.9x slower than these
in-place calls on two scratch blocks (docs/architecture.md). An optimizer without one here
(not in :data:`UPDATES`) gets exactly that: its ``element`` on each block, results written back.
The tests hold both to the reference bit for bit, so they cannot drift apart.

``reference_update`` makes a new array per operation: about ten passes over memory,
each with a temporary the size of the parameters. Here the same operations, in the
same order (so the same bits, tests hold them equal), run on blocks of ``BLOCK``
elements with two block-sized scratch arrays, so the intermediates stay in cache
and a step allocates nothing of the parameters' size. ``BLOCK`` was tuned with
``benchmarks/tune_block.py`` (see that file for the measurements).

Hyperparameters that are arrays (R configurations at once) are cut along the
first axis with the parameters; scalar hyperparameters and C-contiguous arrays
are cut flat.
"""
from __future__ import annotations

import numpy as np

from . import elementwise
from .moments import bias_correction
from .terms import is_zero

__all__ = ["BLOCK", "UPDATES", "blocks", "ema_", "l2_gradient_"]

BLOCK = 1 << 16     #: elements per block (65536: 256 KiB of float32, 512 KiB of float64)


def ema_(avg, x, beta, one_minus_beta, work):
    """In place: ``avg <- beta * avg + (1 - beta) * x`` (``work`` is scratch and may be ``x``)."""
    np.multiply(avg, beta, out=avg)
    np.multiply(x, one_minus_beta, out=work)
    return np.add(avg, work, out=avg)


def l2_gradient_(g, p, weight_decay, work):
    """``g + weight_decay * p`` (the L2 penalty's gradient) into ``work``; ``g`` itself when
    ``weight_decay`` is the number 0, as torch.optim skips the term."""
    if is_zero(weight_decay):
        return g
    np.multiply(p, weight_decay, out=work)
    return np.add(g, work, out=work)


def blocks(p, arrays, hyper, work, block=None):
    """Yield ``(p_block, [array blocks], hyper for the block, w1, w2)`` covering ``p``.

    ``arrays`` have ``p``'s shape (``None`` entries stay ``None``); ``hyper`` maps names
    to floats or arrays broadcasting against ``p``; ``work`` is two flat scratch arrays
    of at least :func:`scratch_size` elements.
    """
    block = block or BLOCK
    scalar = all(not hasattr(v, "shape") for v in hyper.values())
    if scalar and p.flags.c_contiguous and all(a is None or a.flags.c_contiguous for a in arrays):
        p, arrays = p.reshape(-1), [None if a is None else a.reshape(-1) for a in arrays]
    elif p.ndim == 0:
        p, arrays = p.reshape(1), [None if a is None else a.reshape(1) for a in arrays]
    rows = max(1, block // _row_size(p))
    sliced = {k for k, v in hyper.items() if hasattr(v, "shape") and v.ndim == p.ndim and v.shape[0] != 1}
    for start in range(0, p.shape[0], rows):
        cut = slice(start, start + rows)
        pb = p[cut]
        n = pb.size
        w1, w2 = work[0][:n].reshape(pb.shape), work[1][:n].reshape(pb.shape)
        hb = {k: (v[cut] if k in sliced else v) for k, v in hyper.items()} if sliced else hyper
        yield pb, [None if a is None else a[cut] for a in arrays], hb, w1, w2


def _row_size(p) -> int:
    return int(np.prod(p.shape[1:], dtype=np.int64)) if p.ndim > 1 else 1


def scratch_size(p, block=None) -> int:
    """Elements each scratch array needs for ``p`` (at least one row, at most ``p.size``)."""
    return max(1, min(p.size, max(block or BLOCK, _row_size(p))))


def step(cls, p, g, s, t, h, work, block=None):
    """One step of optimizer class ``cls`` on ``p`` in place: its hand-written update in
    :data:`UPDATES` (by lower-case class name), else its ``element`` on each block; returns
    the scratch (allocated here once)."""
    if cls.__name__.lower() not in UPDATES:
        return element_step(cls, p, g, s, t, h, block)
    need = scratch_size(p, block)
    if work is None or work[0].size < need or work[0].dtype != p.dtype:
        work = [np.empty(need, p.dtype), np.empty(need, p.dtype)]
    UPDATES[cls.__name__.lower()](p, g, s, t, work, block, **h)
    return work


def element_step(cls, p, g, s, t, h, block=None):
    """One step of ``cls`` on ``p`` in place: its ``element`` applied to each block (no scratch)."""
    states, scalars, flags = elementwise.prepare(cls, p, s, t, h)
    work = [np.empty(scratch_size(p, block), p.dtype)] * 2            # unused views: blocks() cuts them
    for pb, (gb, *sb), hb, _, _ in blocks(p, [g, *(s[k] for k in states)], scalars, work, block):
        new = cls.element(pb, gb, *sb, **hb, **flags)
        for a, v in zip([pb, *sb], new):                                # p first: no state reads it
            if a is not None and v is not a:
                a[...] = v


def sgd(p, g, s, t, work, block, *, lr, momentum, dampening, weight_decay, nesterov):
    has_momentum = not is_zero(momentum)
    first = has_momentum and s.b is None
    if first:
        s["b"] = np.empty_like(p)                      # b_1 = g_1 below
    h = dict(lr=lr, mu=momentum, one_minus_tau=1 - dampening, wd=weight_decay)
    for p_, (g_, b), k, w1, w2 in blocks(p, [g, s.b if has_momentum else None], h, work, block):
        g_ = l2_gradient_(g_, p_, k["wd"], w1)
        if has_momentum:
            if first:
                np.copyto(b, g_)
            else:
                np.multiply(b, k["mu"], out=b)
                np.multiply(g_, k["one_minus_tau"], out=w2)
                np.add(b, w2, out=b)
            if nesterov:
                np.multiply(b, k["mu"], out=w2)
                g_ = np.add(g_, w2, out=w2)
            else:
                g_ = b
        tmp = g_ if (g_ is w1 or g_ is w2) else w2
        np.multiply(g_, k["lr"], out=tmp)
        np.subtract(p_, tmp, out=p_)


def adagrad(p, g, s, t, work, block, *, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    h = dict(lr_t=lr / (1 + (t - 1) * lr_decay), wd=weight_decay, eps=eps)
    for p_, (g_, G), k, w1, w2 in blocks(p, [g, s.sum_sq], h, work, block):
        g_ = l2_gradient_(g_, p_, k["wd"], w1)
        np.multiply(g_, g_, out=w2)
        np.add(G, w2, out=G)
        np.sqrt(G, out=w2)
        np.add(w2, k["eps"], out=w2)
        np.multiply(g_, k["lr_t"], out=w1)
        np.divide(w1, w2, out=w1)
        np.subtract(p_, w1, out=p_)


def rmsprop(p, g, s, t, work, block, *, lr, alpha, eps, weight_decay, momentum, centered):
    has_momentum = not is_zero(momentum)
    first = has_momentum and s.b is None
    if first:
        s["b"] = np.empty_like(p)                      # b_1 = g_1 / d_1 below
    h = dict(lr=lr, alpha=alpha, one_minus_alpha=1 - alpha, eps=eps, wd=weight_decay, mu=momentum)
    arrays = [g, s.v, s.g_avg, s.b if has_momentum else None]
    for p_, (g_, v, g_avg, b), k, w1, w2 in blocks(p, arrays, h, work, block):
        g_ = l2_gradient_(g_, p_, k["wd"], w1)
        np.multiply(g_, g_, out=w2)
        ema_(v, w2, k["alpha"], k["one_minus_alpha"], w2)
        if centered:
            ema_(g_avg, g_, k["alpha"], k["one_minus_alpha"], w2)
            np.multiply(g_avg, g_avg, out=w2)
            np.subtract(v, w2, out=w2)
            np.sqrt(w2, out=w2)
        else:
            np.sqrt(v, out=w2)
        np.add(w2, k["eps"], out=w2)                   # w2 = d
        if not has_momentum:
            np.multiply(g_, k["lr"], out=w1)
            np.divide(w1, w2, out=w1)
            np.subtract(p_, w1, out=p_)
            continue
        if first:
            np.divide(g_, w2, out=b)
        else:
            np.multiply(b, k["mu"], out=b)
            np.divide(g_, w2, out=w2)
            np.add(b, w2, out=b)
        np.multiply(b, k["lr"], out=w2)
        np.subtract(p_, w2, out=p_)


def adam(p, g, s, t, work, block, *, lr, betas, eps, weight_decay, amsgrad, decoupled=False):
    beta1, beta2 = betas
    h = dict(beta1=beta1, one_minus_beta1=1 - beta1, beta2=beta2, one_minus_beta2=1 - beta2,
             step_size=lr / bias_correction(beta1, t), root_bc2=bias_correction(beta2, t) ** 0.5,
             eps=eps, wd=0.0 if decoupled else weight_decay)
    if decoupled:
        h["keep"] = 1 - lr * weight_decay
    for p_, (g_, m, v, v_max), k, w1, w2 in blocks(p, [g, s.m, s.v, s.v_max], h, work, block):
        if decoupled:
            np.multiply(p_, k["keep"], out=p_)
        g_ = l2_gradient_(g_, p_, k["wd"], w1)
        ema_(m, g_, k["beta1"], k["one_minus_beta1"], w2)
        np.multiply(g_, g_, out=w2)
        ema_(v, w2, k["beta2"], k["one_minus_beta2"], w2)
        if amsgrad:
            np.maximum(v_max, v, out=v_max)
        np.sqrt(v_max if amsgrad else v, out=w2)
        np.divide(w2, k["root_bc2"], out=w2)
        np.add(w2, k["eps"], out=w2)                   # w2 = denom
        np.multiply(m, k["step_size"], out=w1)
        np.divide(w1, w2, out=w1)
        np.subtract(p_, w1, out=p_)


def adamw(p, g, s, t, work, block, *, lr, betas, eps, weight_decay, amsgrad):
    decoupled = not is_zero(weight_decay)
    adam(p, g, s, t, work, block, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
         amsgrad=amsgrad, decoupled=decoupled)


UPDATES = {"sgd": sgd, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam, "adamw": adamw}
