"""The default NumPy path: each optimizer's element function, in place, block by block.

``reference_update`` makes a new array per operation: about ten passes over memory, each
with a temporary the size of the parameters. Here the element's operations, in its order
(the reference's: the same bits, the tests hold them equal), run as NumPy calls with
``out=`` (:mod:`.numpy_source` writes them from the element's code) on blocks of ``BLOCK``
elements with a few block-sized scratch arrays, so the intermediates stay in cache and a
step allocates nothing of the parameters' size. ``BLOCK`` was tuned with
``benchmarks/tune_block.py`` (see that file for the measurements).

Hyperparameters that are arrays (R configurations at once) are cut along the
first axis with the parameters; scalar hyperparameters and C-contiguous arrays
are cut flat.
"""
from __future__ import annotations

import numpy as np

from . import elementwise, numpy_source

__all__ = ["BLOCK", "blocks", "scratch_size", "step"]

BLOCK = 1 << 16     #: elements per block (65536: 256 KiB of float32, 512 KiB of float64)


def blocks(p, arrays, hyper, work, block=None):
    """Yield ``(p_block, [array blocks], hyper for the block, [scratch blocks])`` covering ``p``.

    ``arrays`` have ``p``'s shape (``None`` entries stay ``None``); ``hyper`` maps names
    to floats or arrays broadcasting against ``p``; ``work`` is flat scratch arrays of at
    least :func:`scratch_size` elements, cut to the block's shape.
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
        wb = [w[:n].reshape(pb.shape) for w in work]
        hb = {k: (v[cut] if k in sliced else v) for k, v in hyper.items()} if sliced else hyper
        yield pb, [None if a is None else a[cut] for a in arrays], hb, wb


def _row_size(p) -> int:
    return int(np.prod(p.shape[1:], dtype=np.int64)) if p.ndim > 1 else 1


def scratch_size(p, block=None) -> int:
    """Elements each scratch array needs for ``p`` (at least one row, at most ``p.size``)."""
    return max(1, min(p.size, max(block or BLOCK, _row_size(p))))


def step(cls, p, g, s, t, h, work, block=None):
    """One step of optimizer class ``cls`` on ``p`` in place: its ``element`` as in-place NumPy
    calls (:mod:`.numpy_source`) on each block; returns the scratch (allocated here once)."""
    states, scalars, flags = elementwise.prepare(cls, p, s, t, h)
    live, dead = elementwise.liveness(states, s)
    update, scratch = numpy_source.compile_blocked(cls.element, ("p", *live), tuple(flags.items()), dead)
    need = scratch_size(p, block)
    if work is None or len(work) < scratch or work[0].size < need or work[0].dtype != p.dtype:
        work = [np.empty(need, p.dtype) for _ in range(max(scratch, 1))]
    for pb, (gb, *sb), hb, wb in blocks(p, [g, *(s[k] for k in states)], scalars, work, block):
        update(pb, gb, *sb, work=wb, **hb)
    return work
