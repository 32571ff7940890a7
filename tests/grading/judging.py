"""Runs chapter 1's judges in-process, as the grader feeds them (for the hint tests).

No sandbox needed: the code under test here is ours. ``reference`` is the solution
module solutions/ch1_gradient_descent.py.
"""
import importlib.util
from pathlib import Path

import numpy as np

from coursekit.exercises.spec import Call, Ref

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("reference_ch1", ROOT / "solutions" / "ch1_gradient_descent.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def judge(check, function, seed):
    """The hint of ``check`` for ``function`` on the inputs of ``seed`` (None: passed).

    Fresh inputs, copies into the function, then the original inputs, the returned
    value and the arguments after the call to the judge.
    """
    rng = np.random.default_rng(seed)
    args = check.inputs(rng)
    copies = [a.resolve() if isinstance(a, Ref) else np.copy(a) if isinstance(a, np.ndarray) else a
              for a in args.args]
    value = function(*copies, **args.kwargs)
    after = [a if isinstance(a, np.ndarray) else None for a in copies]
    return check.judge(Call(args.args, args.kwargs, value, after))
