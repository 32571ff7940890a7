"""The GPU path witnessed by the real CuPy on a machine without a GPU (issue 17; .ci/cupy-api).

- Every public entry a GPU section, a test or the benchmark uses takes real ``cupy.ndarray``s
  (host-backed, see tests/cupy_host.py) through its checks to CuPy itself: the only error
  allowed is CuPy's "no CUDA driver" at the first computation. A NumPy stand-in with
  ``__array_namespace__`` hid that ``cupy.ndarray`` has none.
- Every ``xp.<name>`` coursekit calls (collected from its source, not listed by hand) exists in
  the installed CuPy, except the names ``backend.CUPY_FALLBACKS`` spells differently, only there.
"""
import ast
from pathlib import Path

import numpy as np
import pytest
from cupy_host import cupy, host, is_no_cuda, reaches_cuda

import coursekit
from coursekit import _validate, backend, experiments, optim, runs, tuning
from coursekit.experiments import ch2 as sweeps
from coursekit.functions import Quadratic, Rosenbrock
from coursekit.models import mlp

pytestmark = pytest.mark.cupy_api

ROOT = Path(coursekit.__file__).parent


def test_host_backed_arrays_are_real_cupy_arrays_without_a_namespace_method():
    x = host(np.ones((3, 2)))
    assert type(x) is cupy.ndarray and not hasattr(x, "__array_namespace__")
    assert backend.is_array(x) and backend.get_namespace(x) is cupy
    assert not backend.gpu_available() and "no CUDA driver" in backend.gpu_unavailable_reason()


def test_validation_keeps_cupy_arrays_in_cupy():
    xp, x = _validate.real_array(host(np.ones(4)), "x")
    assert xp is cupy and type(x) is cupy.ndarray
    ok, result = reaches_cuda(_validate.real_array, host(np.arange(4)), "x")   # int64: cast on the GPU
    assert not ok or result[0] is cupy
    with pytest.raises(TypeError, match="x must hold real numbers"):
        _validate.real_array(host(np.ones(2, complex)), "x")


def _optimizers():
    for name, cls in sorted(optim.OPTIMIZERS.items()):
        yield pytest.param(cls, {}, id=f"{name}-scalar")
        yield pytest.param(cls, {"lr": host(np.full((4, 1), 0.01))}, id=f"{name}-array-lr")
    yield pytest.param(optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}, id="sgd-nesterov")
    yield pytest.param(optim.Adam, {"amsgrad": True, "weight_decay": 0.1}, id="adam-amsgrad-l2")


@pytest.mark.parametrize("cls, kwargs", list(_optimizers()))
@pytest.mark.parametrize("fast", [None, "cupy", False])
def test_every_optimizer_takes_cupy_params(cls, kwargs, fast):
    x, g = host(np.ones((4, 6))), host(np.full((4, 6), 0.5))
    ok, opt = reaches_cuda(cls, [x], fast=fast, **kwargs)
    if ok:   # built without touching the device (state allocated lazily): the step gets there
        assert opt.xp is cupy and opt.paths == ["reference" if fast is False else "cupy"]
        reaches_cuda(opt.step, [g])


def test_cupy_arrays_go_through_the_public_entries():
    """Each entry gets past its checks to CuPy's first CUDA call (or finishes without one)."""
    x0, lr, mom = host(np.array([-1.2, 1.0])), host(np.full(4, 1e-3)), host(np.full(4, 0.5))
    W = [host(np.ones((3, 2))), host(np.zeros(2)), host(np.ones((2, 2))), host(np.zeros(2))]
    q = Quadratic((1.0, 10.0))
    from coursekit.bench import contenders
    from coursekit.bench import sweep as bench_sweep
    from coursekit.optim.clipping import clip_by_norm, global_norm
    from coursekit.convex import conjugate_gradient, newton
    entries = {
        "runs.minimize": lambda: runs.minimize(q, x0, "sgd", 3, lr=0.05),
        "runs.minimize batched": lambda: runs.minimize(q, host(np.ones((4, 2))), "adam", 3,
                                                       lr=host(np.full((4, 1), 0.1))),
        "sweeps.momentum_sweep": lambda: sweeps.momentum_sweep(Rosenbrock(), x0, lr, mom, 5),
        "sweeps.time_adam": lambda: sweeps.time_adam(1000, cupy),
        "sweeps.time_sweep": lambda: sweeps.time_sweep(Rosenbrock(), 3, 5, cupy),
        "tuning.batched_sweep": lambda: tuning.batched_sweep(8, steps=3, xp=cupy),
        "mlp.weight_norms": lambda: mlp.weight_norms(W),
        "clipping.global_norm": lambda: global_norm(W),
        "clipping.clip_by_norm": lambda: clip_by_norm(W, 1.0),
        "convex.conjugate_gradient": lambda: conjugate_gradient(host(np.eye(3) * 2), host(np.ones(3))),
        "convex.newton": lambda: newton(lambda x: (x @ x, 2 * x, 2 * cupy.eye(2)), x0, steps=2),
        "bench.contenders.make": lambda: contenders.make(cupy, "Adam", "cupy", host(np.ones(8, np.float32)),
                                                         host(np.ones(8, np.float32))),
        "bench.sweep": lambda: bench_sweep.sweep(cupy, configs=4, steps=2, loop_configs=2),
    }
    refused = {}
    for label, call in entries.items():
        try:
            reaches_cuda(call)
        except Exception as exc:
            refused[label] = f"{type(exc).__name__}: {exc}"
    assert not refused, "\n".join(f"{k}: {v}" for k, v in refused.items())


def test_the_entries_that_choose_the_backend_report_no_gpu():
    """time_gradient_descent (chapter 1), the benchmark and backend.use say why, naming the driver."""
    out = experiments.time_gradient_descent(np.ones((8, 2)), np.ones(8), 2, 0.1, backends=["numpy", "cupy"])
    assert not isinstance(out["numpy"], str) and is_no_cuda(RuntimeError(out["cupy"]))
    from coursekit.bench.__main__ import main
    with pytest.raises(SystemExit, match="no usable GPU .*no CUDA driver"):
        main(["--backend", "cupy", "--quick", "--no-progress"])
    with pytest.raises(RuntimeError, match="no CUDA driver"):
        backend.use("cupy")


def _namespace_names():
    """{dotted name after xp.: [file:line, ...]} for every module-attribute chain on a variable
    named xp* / cp / cupy (``xp.linalg.norm`` -> ``linalg.norm``) or an attribute ``.xp``."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            chain, base = [], node
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            root = base.id if isinstance(base, ast.Name) else None
            if root is None and not (isinstance(base, ast.Attribute) and base.attr == "xp"):
                continue
            if root is not None and not (root.startswith("xp") or root in ("cp", "cupy")):
                continue
            name = ".".join(reversed(chain))
            if name in ("__name__", "__version__"):
                continue
            found.setdefault(name, []).append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    # keep only the longest chains: xp.linalg.norm also walks xp.linalg
    return {n: where for n, where in found.items() if not any(m.startswith(n + ".") for m in found)}


def _resolve(module, dotted):
    obj = module
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def test_every_namespace_name_coursekit_calls_exists_in_cupy():
    names = _namespace_names()
    assert {"isdtype", "astype", "linalg.norm", "cuda.Device"} <= set(names)   # the scan sees them
    missing = {}
    for name, where in names.items():
        try:
            _resolve(cupy, name)
        except AttributeError:
            missing[name] = where
    fallbacks = set(getattr(backend, "CUPY_FALLBACKS", {}))
    assert set(missing) <= fallbacks, {n: w for n, w in missing.items() if n not in fallbacks}
    for name, where in missing.items():   # a fallback is used only in backend.py, through its function
        assert all(w.startswith("coursekit/backend.py:") for w in where), (name, where)
        assert callable(getattr(backend, backend.CUPY_FALLBACKS[name]))
