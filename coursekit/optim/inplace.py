"""The default NumPy path: each optimizer's ``element`` function applied to blocks, in place.

``reference_update`` makes a new array per operation: about ten passes over memory,
each with a temporary the size of the parameters. Here the optimizer's ``element``
function (:mod:`.elementwise`: the reference's operations in its order, so the same
bits; tests hold them equal) runs on blocks of ``BLOCK`` elements and its results are
written back into the block, so the intermediates are block-sized and stay in cache,
and a step allocates nothing of the parameters' size. ``BLOCK`` was tuned with
``benchmarks/tune_block.py`` (see that file for the measurements).

Hyperparameters that are arrays (R configurations at once) are cut along the
first axis with the parameters; scalar hyperparameters and C-contiguous arrays
are cut flat.
"""
from __future__ import annotations

import numpy as np

from . import elementwise

__all__ = ["BLOCK", "blocks", "step"]

BLOCK = 1 << 16     #: elements per block (65536: 256 KiB of float32, 512 KiB of float64)


def blocks(p, arrays, hyper, block=None):
    """Yield ``(p_block, [array blocks], hyper for the block)`` covering ``p``.

    ``arrays`` have ``p``'s shape (``None`` entries stay ``None``); ``hyper`` maps names
    to floats or arrays broadcasting against ``p``.
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
        hb = {k: (v[cut] if k in sliced else v) for k, v in hyper.items()} if sliced else hyper
        yield p[cut], [None if a is None else a[cut] for a in arrays], hb


def _row_size(p) -> int:
    return int(np.prod(p.shape[1:], dtype=np.int64)) if p.ndim > 1 else 1


def step(cls, p, g, s, t, h, block=None):
    """One step of optimizer class ``cls`` on ``p``, in place, block by block."""
    states, scalars, flags = elementwise.prepare(cls, p, s, t, h)
    for pb, (gb, *sb), hb in blocks(p, [g, *(s[k] for k in states)], scalars, block):
        new = cls.element(pb, gb, *sb, **hb, **flags)
        for a, v in zip([pb, *sb], new):
            if a is not None and v is not a:
                a[...] = v
