"""What chapter 2's judges share: one reference optimizer step, and the form of a returned tuple."""
import numpy as np

from coursekit.exercises.spec import fmt, pair, unchanged

__all__ = ["run_optimizer", "inputs_unchanged", "parts"]


def run_optimizer(cls, p, g, state, t=0, **hyper):
    """(new p, new state dict) after one ``cls`` step from ``p`` with ``state`` at step count ``t``."""
    x = np.array(p, dtype=float)
    opt = cls(x, **hyper)
    for k, v in state.items():
        opt.state[0][k] = None if v is None else np.array(v, dtype=float)
    opt.t = t
    opt.step(np.array(g, dtype=float))
    return x, dict(opt.state[0])


def inputs_unchanged(c, names):
    """The hint for the first positional array argument the call modified, or None."""
    for i, name in enumerate(names):
        if isinstance(c.args[i], np.ndarray):
            problem = unchanged(c.args[i], c.after[i], name=name)
            if problem:
                return problem
    return None


def parts(c, n, names, what):
    """(list of the n returned arrays, None) or (None, hint) for a wrong form."""
    value = c.value
    if n == 2:
        problem = pair(value, names, what)
    else:
        problem = None if isinstance(value, (tuple, list)) and len(value) == n else \
            f"{what} should return a tuple {names}, got {fmt(value)}"
    return (None, problem) if problem else (list(value), None)


