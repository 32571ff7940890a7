"""Which terms of an update apply: a hyperparameter that is the number 0 switches its term off."""
from __future__ import annotations

__all__ = ["is_zero"]


def is_zero(h) -> bool:
    """True when a hyperparameter is the number 0 (an array never counts as zero).

    Optimizers skip a term (weight decay, momentum) exactly when torch.optim does.
    """
    return isinstance(h, (int, float)) and h == 0
