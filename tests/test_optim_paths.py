"""coursekit.optim's two code paths: the in-place NumPy fast path equals the reference math
bit for bit for every option, and the reference math runs on array_api_strict arrays.
"""
import itertools

import array_api_strict as xps
import numpy as np
import pytest

from coursekit import optim
from coursekit.backend import to_numpy

GRID = {   # every option, and their combinations
    "sgd": dict(momentum=[0.0, 0.9], dampening=[0.0, 0.3], nesterov=[False, True], weight_decay=[0.0, 0.1]),
    "adagrad": dict(lr_decay=[0.0, 0.05], initial_accumulator_value=[0.0, 0.3], weight_decay=[0.0, 0.1],
                    eps=[1e-10, 1e-3]),
    "rmsprop": dict(alpha=[0.99, 0.8], centered=[False, True], momentum=[0.0, 0.7], weight_decay=[0.0, 0.1]),
    "adam": dict(betas=[(0.9, 0.999), (0.5, 0.9)], eps=[1e-8, 1e-3], weight_decay=[0.0, 0.1],
                 amsgrad=[False, True]),
    "adamw": dict(betas=[(0.9, 0.999), (0.5, 0.9)], eps=[1e-8, 1e-3], weight_decay=[0.0, 0.1],
                  amsgrad=[False, True]),
}
LR = {"sgd": 0.05, "adagrad": 0.2, "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05}


def option_sets(name):
    keys = list(GRID[name])
    for values in itertools.product(*GRID[name].values()):
        kw = dict(zip(keys, values), lr=LR[name])
        if kw.get("nesterov") and kw["dampening"] != 0 or kw.get("nesterov") and kw["momentum"] == 0:
            continue                                   # invalid for torch too
        yield kw


def problem(dtype, seed=0, steps=30):
    """Two params (a matrix and a vector) and a gradient source g(p, t) = grad of a quartic + noise."""
    rng = np.random.default_rng(seed)
    x0 = [rng.standard_normal((5, 4)).astype(dtype), rng.standard_normal(3).astype(dtype)]
    noise = [[rng.standard_normal(x.shape).astype(dtype) for x in x0] for _ in range(steps)]

    def grads(params, t, xp=np):
        return [0.5 * p + 0.05 * p * p * p + xp.asarray(n[...]) for p, n in zip(params, noise[t - 1])]
    return x0, grads, steps


def run(name, kw, params, grads, steps, xp=np, fast=None):
    opt = optim.OPTIMIZERS[name](params, fast=fast, **kw)
    for t in range(1, steps + 1):
        opt.step(grads(opt.params, t, xp))
    return [to_numpy(p) for p in opt.params], opt


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(GRID))
def test_fast_path_equals_reference_bit_for_bit(name, dtype):
    x0, grads, steps = problem(dtype)
    for kw in option_sets(name):
        fast, opt_f = run(name, kw, [x.copy() for x in x0], grads, steps, fast=True)
        ref, opt_r = run(name, kw, [x.copy() for x in x0], grads, steps, fast=False)
        assert opt_f.fast and not opt_r.fast
        for a, b in zip(fast, ref):
            assert a.dtype == dtype
            np.testing.assert_array_equal(a, b, err_msg=f"{name} {kw}")
        for sf, sr in zip(opt_f.state_dict()["state"], opt_r.state_dict()["state"]):
            for k in sf:
                np.testing.assert_array_equal(sf[k], sr[k], err_msg=f"{name} {kw} state {k}")


@pytest.mark.parametrize("name", sorted(GRID))
def test_fast_path_equals_reference_with_array_hyperparameters(name):
    rng = np.random.default_rng(1)
    R = 4
    kw = {k: v[-1] for k, v in GRID[name].items()}
    if name == "sgd":
        kw["nesterov"], kw["dampening"] = False, rng.uniform(0, 0.5, (R, 1))
    kw["lr"] = rng.uniform(0.5, 1.5, (R, 1)) * LR[name]
    if "betas" in kw:
        kw["betas"] = (rng.uniform(0.5, 0.9, (R, 1)), rng.uniform(0.9, 0.999, (R, 1)))
    if "weight_decay" in kw:
        kw["weight_decay"] = rng.uniform(0, 0.1, (1, 6))
    x0 = rng.standard_normal((R, 6))
    gs = rng.standard_normal((25, R, 6))
    fast = [x0.copy()]
    ref = [x0.copy()]
    o_f = optim.OPTIMIZERS[name](fast[0], fast=True, **kw)
    o_r = optim.OPTIMIZERS[name](ref[0], fast=False, **kw)
    for g in gs:
        o_f.step(g + fast[0])
        o_r.step(g + ref[0])
    np.testing.assert_array_equal(fast[0], ref[0])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(GRID))
def test_reference_runs_on_array_api_strict_and_matches_numpy(name, dtype):
    """array_api_strict exposes only the standard: any NumPy-only call in the math fails here."""
    x0, grads, steps = problem(np.dtype(dtype), seed=2, steps=12)
    for kw in option_sets(name):
        strict = [xps.asarray(x, copy=True) for x in x0]
        ours, opt = run(name, kw, strict, grads, steps, xp=xps)
        assert not opt.fast and all(type(p) is type(strict[0]) for p in opt.params)
        assert all(p.dtype == getattr(xps, dtype) for p in opt.params)
        expected, _ = run(name, kw, [x.copy() for x in x0], grads, steps)
        for a, b in zip(ours, expected):
            np.testing.assert_allclose(a, b, rtol=1e-15, atol=0, err_msg=f"{name} {kw}")
        saved = opt.state_dict()                            # checkpoints work there too
        fresh = optim.OPTIMIZERS[name]([xps.asarray(np.asarray(p)) for p in opt.params], **kw)
        fresh.load_state_dict(saved)
        assert fresh.t == steps


def test_array_api_strict_with_array_hyperparameters():
    rng = np.random.default_rng(3)
    x0, gs = rng.standard_normal((3, 4)), rng.standard_normal((10, 3, 4))
    lr, b1 = rng.uniform(0.01, 0.1, (3, 1)), rng.uniform(0.5, 0.9, (3, 1))
    x_np = x0.copy()
    x_s = xps.asarray(x0, copy=True)
    o_np = optim.Adam(x_np, lr=lr, betas=(b1, 0.99), amsgrad=True)
    o_s = optim.Adam(x_s, lr=xps.asarray(lr), betas=(xps.asarray(b1), 0.99), amsgrad=True)
    for g in gs:
        o_np.step(g)
        o_s.step(xps.asarray(g))
    np.testing.assert_allclose(np.asarray(x_s), x_np, rtol=1e-15, atol=0)


def test_fast_flag():
    x = np.zeros(3)
    assert optim.SGD(x).fast and not optim.SGD(x, fast=False).fast
    assert not optim.SGD(xps.zeros(3)).fast
    with pytest.raises(ValueError, match="fast=True"):
        optim.SGD(xps.zeros(3), fast=True)


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(GRID))
def test_cupy_fast_and_reference_paths_match_numpy(name):
    from coursekit import backend
    if not backend.gpu_available():
        pytest.skip(backend.gpu_unavailable_reason())
    import cupy
    x0, grads, steps = problem(np.float64, seed=4, steps=12)
    for kw in option_sets(name):
        expected, _ = run(name, kw, [x.copy() for x in x0], grads, steps)
        for fast in (True, False):
            ours, opt = run(name, kw, [cupy.asarray(x) for x in x0], grads, steps, xp=cupy, fast=fast)
            assert opt.fast == fast and all(isinstance(p, cupy.ndarray) for p in opt.params)
            for a, b in zip(ours, expected):
                np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13, err_msg=f"{name} {kw}")
