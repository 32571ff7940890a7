"""How fast coursekit's optimizers step, measured against the machine and against torch.optim.

``python -m coursekit.bench [--quick] [--json FILE] [--plot FILE] [--backend numpy|cupy]``

1. the memory bandwidth (``a = b + c``, counting the read a CPU makes before it writes
   ``a``, and a sum that only reads, on arrays far larger than the caches), for the header;
   the bound itself is ``a = b + c`` on each size's own arrays, timed in every repeat beside
   the steps: a step that reads and writes ``k`` arrays takes about ``k / 4`` (CPU) or
   ``k / 3`` (GPU) of its time;
2. for each optimizer and size ``N``, ms per step of each of coursekit's paths and, when
   torch is installed, of torch.optim's default, foreach and fused steps, all timed in
   turn within each repeat (interleaved, so a slow spell of the machine hits them
   alike); medians and ranges over the repeats, and per-repeat ratios;
3. the batched sweep: 10,000 (lr, momentum) configurations on Rosenbrock in one
   optimizer with broadcast hyperparameters, against a loop of single runs.

The math modules never import this package; the plot alone imports matplotlib.
"""
from .run import run

__all__ = ["run"]
