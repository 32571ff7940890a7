"""coursekit.optim's code paths: the blocked in-place NumPy path equals the reference math bit
for bit for every option (float32 and float64, one block or many, array hyperparameters);
the numba kernels equal it within 1 ulp (bit for bit on x86-64); the CuPy kernels likewise
(tests marked gpu); the reference math runs on array_api_strict arrays; the default picks
the reference below paths.MIN_SIZE, and a step allocates no parameter-sized temporaries.
"""
import itertools
import os
import tracemalloc

import array_api_strict as xps
import numpy as np
import pytest

from coursekit import optim
from coursekit.backend import to_numpy
from coursekit.optim import elementwise, inplace, paths

HAS_NUMBA = paths.numba_enabled()
needs_numba = pytest.mark.skipif(not HAS_NUMBA, reason="numba is not installed (the `fast` extra)")

from optim_settings import NAMES, all_on, option_sets  # noqa: E402  (settings read from each class)


def problem(dtype, seed=0, steps=30, shapes=((5, 4), (3,))):
    """Params (a matrix and a vector) and a gradient source g(p, t) = grad of a quartic + noise."""
    rng = np.random.default_rng(seed)
    x0 = [rng.standard_normal(s).astype(dtype) for s in shapes]
    noise = [[rng.standard_normal(x.shape).astype(dtype) for x in x0] for _ in range(steps)]

    def grads(params, t, xp=np):
        return [0.5 * p + 0.05 * p * p * p + xp.asarray(n[...]) for p, n in zip(params, noise[t - 1])]
    return x0, grads, steps


def run(name, kw, params, grads, steps, xp=np, fast=None):
    opt = optim.OPTIMIZERS[name](params, fast=fast, **kw)
    for t in range(1, steps + 1):
        opt.step(grads(opt.params, t, xp))
    return [to_numpy(p) for p in opt.params], opt


def assert_same_run(name, kw, x0, grads, steps, fast, ulps=0):
    """``fast`` and the reference give the same params and state: bit for bit, or within ``ulps``."""
    ours, opt_f = run(name, kw, [x.copy() for x in x0], grads, steps, fast=fast)
    ref, opt_r = run(name, kw, [x.copy() for x in x0], grads, steps, fast=False)
    assert opt_f.paths == [fast] * len(x0) and opt_r.paths == ["reference"] * len(x0)
    states = [(sf[k], sr[k]) for sf, sr in zip(opt_f.state_dict()["state"], opt_r.state_dict()["state"])
              for k in sf if sf[k] is not None]
    for a, b in list(zip(ours, ref)) + states:
        assert a.dtype == b.dtype == x0[0].dtype
        if ulps == 0:
            np.testing.assert_array_equal(a, b, err_msg=f"{name} {kw}")
        else:
            np.testing.assert_allclose(a, b, rtol=ulps * np.finfo(a.dtype).eps, atol=0, err_msg=f"{name} {kw}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_numpy_path_equals_reference_bit_for_bit(name, dtype, monkeypatch):
    """Every option set, with blocks of 7 elements: many blocks and a ragged last one."""
    monkeypatch.setattr(inplace, "BLOCK", 7)
    x0, grads, steps = problem(dtype, shapes=((5, 4), (3,), ()))
    for kw in option_sets(name):
        assert_same_run(name, kw, x0, grads, steps, "numpy")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_element_function_on_numpy_blocks_equals_reference_bit_for_bit(name, dtype, monkeypatch):
    """The element function itself, run as Python on NumPy blocks (its own meaning, without the
    in-place code written from it), for every option set and array hyperparameters."""
    def element_on_blocks(cls, p, g, s, t, h, work, block=None):
        states, scalars, flags = elementwise.prepare(cls, p, s, t, h)
        scratch = [np.empty(inplace.scratch_size(p, block), p.dtype)]
        for pb, (gb, *sb), hb, _ in inplace.blocks(p, [g, *(s[k] for k in states)], scalars, scratch, block):
            for a, v in zip([pb, *sb], cls.element(pb, gb, *sb, **hb, **flags)):   # p first: no state reads it
                if a is not None and v is not a:
                    a[...] = v
        return work

    monkeypatch.setattr(inplace, "step", element_on_blocks)
    monkeypatch.setattr(inplace, "BLOCK", 7)
    x0, grads, steps = problem(dtype, shapes=((5, 4), (3,), ()))
    for kw in option_sets(name):
        assert_same_run(name, kw, x0, grads, steps, "numpy")
    rng = np.random.default_rng(3)
    kw, x = _array_hyperparameters(name, rng, 5), rng.standard_normal((5, 6))
    ours, ref = run(name, kw, [x.copy()], lambda ps, t, xp: [p + 0.5 for p in ps], 10, fast="numpy"), \
        run(name, kw, [x.copy()], lambda ps, t, xp: [p + 0.5 for p in ps], 10, fast=False)
    np.testing.assert_array_equal(ours[0][0], ref[0][0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_numpy_path_equals_reference_with_default_block_size(name, dtype):
    x0, grads, steps = problem(dtype, seed=5, steps=4, shapes=((3 * inplace.BLOCK + 11,),))
    for kw in itertools.islice(option_sets(name), 0, None, 3):
        assert_same_run(name, kw, x0, grads, steps, "numpy")


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_numba_kernels_equal_reference_within_one_ulp(name, dtype):
    """Held within 1 ulp (a fused multiply-add would change the last bit); on x86-64 they are equal."""
    x0, grads, steps = problem(dtype, shapes=((5, 4), (3,), ()))
    for kw in option_sets(name):
        assert_same_run(name, kw, x0, grads, steps, "numba", ulps=1)


_LOOP_RUN = """
import sys
import numpy as np
from coursekit import optim
x = np.ones(1 << 10, np.float32)
opt = optim.Adam(x, fast="numba", amsgrad=True, weight_decay=0.1)
opt.step(np.full_like(x, 0.5))
loop = [m for k, m in sys.modules.items() if k.startswith("coursekit_numba_loop_")][0].loop
print(sum(loop.stats.cache_hits.values()), sum(loop.stats.cache_misses.values()), x[0])
"""


@needs_numba
def test_numba_loops_are_cached_on_disk_and_work_without_a_cache(tmp_path):
    """The loop written from an element is a file in the cache folder: the first process compiles
    it (a miss), the next loads it (a hit), with the same result; a cache folder that cannot be
    made (a file in its way) falls back to a loop compiled in memory."""
    import subprocess
    import sys

    def run_once(cache):
        env = {**os.environ, "COURSEKIT_CACHE_DIR": str(cache), "NUMBA_CACHE_DIR": ""}
        done = subprocess.run([sys.executable, "-c", _LOOP_RUN], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.split()

    first, second = run_once(tmp_path), run_once(tmp_path)
    assert first[:2] == ["0", "1"] and second[:2] == ["1", "0"] and first[2] == second[2]
    files = list((tmp_path / "numba").glob("loop_*.py"))
    assert len(files) == 1 and "Adam.element" in files[0].read_text()
    (tmp_path / "blocked").write_text("a file where the cache folder would go")
    done = subprocess.run([sys.executable, "-c", "import numpy as np; from coursekit import optim; "
                           "x = np.ones(1 << 10); optim.Adam(x, fast='numba').step(x); print(x[0])"],
                          capture_output=True, text=True, env={**os.environ, "COURSEKIT_CACHE_DIR": str(tmp_path / "blocked")})
    assert done.returncode == 0 and float(done.stdout) < 1, done.stderr[-2000:]


def _array_hyperparameters(name, rng, R):
    """:func:`all_on`'s settings with lr and pairs (betas) of shape (R, 1) and weight decay of
    shape (1, 6): R configurations on params of shape (R, 6)."""
    kw = all_on(name)
    kw["lr"] = rng.uniform(0.5, 1.5, (R, 1)) * kw["lr"]
    for k, v in kw.items():
        if isinstance(v, tuple):
            kw[k] = tuple(rng.uniform(0.7, 1.0, (R, 1)) * e for e in v)
    if "weight_decay" in kw:
        kw["weight_decay"] = rng.uniform(0, 0.1, (1, 6))
    return kw


@pytest.mark.parametrize("fast", ["numpy"] + (["numba"] if HAS_NUMBA else []))
@pytest.mark.parametrize("name", NAMES)
def test_fast_paths_equal_reference_with_array_hyperparameters(name, fast, monkeypatch):
    """Hyperparameters of shape (R, 1) and (1, d) are cut with the params' rows (numba hands them on)."""
    monkeypatch.setattr(inplace, "BLOCK", 12)           # 2 rows of 6 per block
    rng = np.random.default_rng(1)
    R = 5
    kw = _array_hyperparameters(name, rng, R)
    x0 = rng.standard_normal((R, 6))
    gs = rng.standard_normal((25, R, 6))
    fast_x, ref_x = x0.copy(), x0.copy()
    o_f = optim.OPTIMIZERS[name](fast_x, fast=fast, **kw)
    o_r = optim.OPTIMIZERS[name](ref_x, fast=False, **kw)
    for g in gs:
        o_f.step(g + fast_x)
        o_r.step(g + ref_x)
    np.testing.assert_array_equal(fast_x, ref_x)


@pytest.mark.parametrize("fast", ["numpy"] + (["numba"] if HAS_NUMBA else []))
def test_fast_paths_update_non_contiguous_params_in_place(fast, monkeypatch):
    monkeypatch.setattr(inplace, "BLOCK", 4)
    rng = np.random.default_rng(2)
    big_f, big_r = rng.standard_normal((6, 10)), None
    big_r = big_f.copy()
    gs = rng.standard_normal((5, 6, 5))
    o_f = optim.Adam(big_f[:, ::2], lr=0.1, amsgrad=True, weight_decay=0.1, fast=fast)
    o_r = optim.Adam(big_r[:, ::2], lr=0.1, amsgrad=True, weight_decay=0.1, fast=False)
    for g in gs:
        o_f.step(g)
        o_r.step(g)
    np.testing.assert_array_equal(big_f, big_r)
    assert not np.array_equal(big_f[:, ::2], rng.standard_normal((6, 5)))


@pytest.mark.parametrize("name", NAMES)
def test_a_numpy_step_allocates_no_parameter_sized_temporaries(name):
    """tracemalloc sees NumPy's buffers: after the first step (which allocates the scratch and
    the momentum buffers) a step of 2M float64 parameters allocates less than one block, where
    the reference allocates several times the parameters' 30 blocks."""
    n = 2_000_000
    kw = all_on(name)
    x, g = np.ones(n), np.full(n, 0.5)
    opt = optim.OPTIMIZERS[name](x, fast="numpy", **kw)
    opt.step(g)                                         # first step: scratch and momentum buffers
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        opt.step(g)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < inplace.BLOCK * 8, f"{name}: a step allocated {peak} bytes"   # the scratch is the first step's
    one_ref = optim.OPTIMIZERS[name](np.ones(n), fast=False, **kw)
    tracemalloc.start()                                 # the test can fail: the reference allocates
    try:
        one_ref.step(g)
        assert tracemalloc.get_traced_memory()[1] > n * 8
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", NAMES)
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


def test_default_paths_by_size_and_setting(monkeypatch):
    small, large = np.zeros(paths.MIN_SIZE["numpy"] - 1), np.zeros(max(paths.MIN_SIZE.values()))
    monkeypatch.setenv("COURSEKIT_FAST", "0")
    assert optim.SGD([small, large]).paths == ["reference", "numpy"]
    assert optim.SGD([small, large], fast=True).paths == ["reference", "numpy"]
    assert optim.SGD([small, large], fast=False).paths == ["reference", "reference"]
    assert optim.SGD([small, large], fast="numpy").paths == ["numpy", "numpy"]
    monkeypatch.setenv("COURSEKIT_FAST", "1")
    assert optim.SGD(large).paths == ["numba" if HAS_NUMBA else "numpy"]
    assert optim.SGD(xps.zeros(3)).paths == ["reference"]


def test_bad_fast_settings_raise_value_error_naming_fast():
    with pytest.raises(ValueError, match="fast=True"):
        optim.SGD(xps.zeros(3), fast=True)
    with pytest.raises(ValueError, match="fast"):
        optim.SGD(np.zeros(3), fast="turbo")
    with pytest.raises(ValueError, match="fast='cupy'"):
        optim.SGD(np.zeros(3), fast="cupy")
    with pytest.raises(ValueError, match="fast='numpy'"):
        optim.SGD(xps.zeros(3), fast="numpy")


def test_a_subclass_that_rewrites_the_math_runs_its_own_math():
    class Halved(optim.SGD):
        @staticmethod
        def reference_update(p, g, s, t, **h):
            return optim.SGD.reference_update(p, 0.5 * g, s, t, **h)

    x = np.ones(10_000)
    opt = Halved(x, lr=1.0)
    assert opt.paths == ["reference"]
    opt.step(np.ones(10_000))
    np.testing.assert_array_equal(x, 0.5)
    with pytest.raises(ValueError, match="no fast kernel"):
        Halved(x, fast="numpy")


def element_launch(cls, live, dead, flags):
    """A CPU stand-in for ``cupy_kernels.kernel``: ``(launch, inputs)`` where ``launch`` takes
    the kernel's arguments (the translator's inputs, then p and the live state) and runs the
    element function on them with NumPy, writing p and the live state back."""
    from coursekit.optim import cuda_source
    inputs = cuda_source.source(cls.element, ("p", *live), dict(flags), dead)[3]
    code = cls.element.__code__
    params = code.co_varnames[:code.co_argcount]
    names = [*inputs, "p", *live]

    def launch(*args):
        given = dict(zip(names, args))
        new = cls.element(**{k: given.get(k) for k in params if k not in dict(flags)}, **dict(flags))
        for k, value in zip(["p", *params[2:]], new):
            if k in given and k not in inputs:
                given[k][...] = value
    return launch, inputs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_cupy_path_wrapper_equals_reference_with_the_element_as_kernel(name, dtype, monkeypatch):
    """Without a GPU: cupy_kernels.update (host scalars cast to the dtype, live and lazy state,
    the translator's inputs in order) with each launch run by the element function on NumPy,
    for every option set and array hyperparameters, equals the reference bit for bit."""
    from coursekit.optim import cupy_kernels
    monkeypatch.setattr(cupy_kernels, "kernel", element_launch)
    monkeypatch.setattr(paths, "update", lambda path, cls, p, g, s, t, h, work: cupy_kernels.update(cls, p, g, s, t, h))
    x0, grads, steps = problem(dtype, shapes=((5, 4), (3,), ()))
    for kw in option_sets(name):
        assert_same_run(name, kw, x0, grads, steps, "numpy")
    rng = np.random.default_rng(8)
    kw, x = _array_hyperparameters(name, rng, 5), rng.standard_normal((5, 6)).astype(dtype)
    ours = run(name, kw, [x.copy()], lambda ps, t, xp: [p + 0.5 for p in ps], 10, fast="numpy")[0]
    ref = run(name, kw, [x.copy()], lambda ps, t, xp: [p + 0.5 for p in ps], 10, fast=False)[0]
    np.testing.assert_array_equal(ours[0], ref[0])


def _source(cls, live, dead=(), **flags):
    from coursekit.optim import cuda_source
    return cuda_source.source(cls.element, ("p", *live), flags, dead)


def test_generated_cuda_sources_hold_each_option_once():
    """The CUDA source is generated per option set from the element function: a switched-off
    term is not in it, and only the scalars it reads are kernel inputs."""
    off = dict(amsgrad=False, l2=False, decay=False)
    ins, outs, op, inputs = _source(optim.Adam, ("m", "v"), ("v_max",), **off)
    assert "v_max" not in op + outs and "wd" not in op + ins and "keep" not in op + ins
    assert inputs == ("g", "beta1", "one_minus_beta1", "beta2", "one_minus_beta2", "step_size", "root_bc2", "eps")
    assert op.splitlines() == ["m = beta1 * m + one_minus_beta1 * g;",
                               "v = beta2 * v + one_minus_beta2 * (g * g);",
                               "p = p - step_size * m / (sqrt(v) / root_bc2 + eps);"]
    ins, outs, op, _ = _source(optim.Adam, ("m", "v", "v_max"), amsgrad=True, l2=True, decay=False)
    assert "v_max = max(v_max, v);" in op and "g_ = g + wd * p;" in op and outs == "T p, T m, T v, T v_max"
    assert op.splitlines()[0] == "T g_ = g;" and "keep" not in ins
    ins, outs, op, inputs = _source(optim.SGD, (), ("b",), momentum=False, nesterov=False, l2=False, first=False)
    assert outs == "T p" and op == "p = p - lr * g;" and inputs == ("g", "lr")
    ins, outs, op, _ = _source(optim.RMSProp, ("v", "g_avg", "b"), centered=True, momentum=True, l2=False, first=True)
    assert "b = g / d;" in op and "sqrt(v - g_avg * g_avg)" in op and op.startswith("T d;")


def test_the_translator_keeps_pythons_order_and_refuses_what_it_does_not_write():
    from coursekit.optim.cuda_source import TranslationError, source

    def element(p, g, s, a, b, c, on):
        s = a - (b - c) * -g / (a * (b / c))
        if on:
            p = p - np.sign(s) + 2
        return p, s
    ins, outs, op, inputs = source(element, ("p", "s"), {"on": True})
    assert op.splitlines() == ["s = a - (b - c) * (-g) / (a * (b / c));",
                               "p = p - (T)((s > (T)0) - (s < (T)0)) + (T)2.0;"]
    assert inputs == ("g", "a", "b", "c") and outs == "T p, T s"
    assert "p =" not in source(element, ("p", "s"), {"on": False})[2]
    with pytest.raises(TranslationError, match="state s is read but is None"):
        source(element, ("p",), {"on": True}, dead=("s",))

    def bad(p, g, on):
        p = np.exp(g)
        return (p,)
    with pytest.raises(TranslationError, match="np.exp"):
        source(bad, ("p",), {"on": True})

    def loop(p, g, on):
        for _ in range(2):
            p = p - g
        return (p,)
    with pytest.raises(TranslationError, match="is not translated"):
        source(loop, ("p",), {"on": True})


@pytest.mark.parametrize("name", NAMES)
def test_every_option_set_translates_and_reads_no_dead_state(name):
    """The option sets the optimizers reach (3 steps, scalar and array hyperparameters) all
    translate; .ci/cupy-api compiles them with NVRTC (tests/test_cupy_kernels.py)."""
    from coursekit.optim import cuda_source, elementwise
    cls = optim.OPTIMIZERS[name]
    for kw in option_sets(name):
        opt = cls(np.ones(3), fast=False, **kw)
        for t in (1, 2):
            s = opt.state[0]
            states, scalars, flags = elementwise.prepare(cls, opt.params[0], s, t, opt.hyperparameters)
            live, dead = elementwise.liveness(states, s)
            ins, outs, op, inputs = cuda_source.source(cls.element, ("p", *live), flags, dead)
            assert set(inputs) <= {"g", *scalars} and outs == ", ".join(f"T {k}" for k in ("p", *live))
            opt.step(np.ones(3))


def _cupy_or_skip():
    from coursekit import backend
    if not backend.gpu_available():
        pytest.skip(backend.gpu_unavailable_reason())
    import cupy
    return cupy


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_cupy_kernels_equal_reference(name, dtype):
    cupy = _cupy_or_skip()
    x0, grads, steps = problem(dtype, seed=4, steps=12, shapes=((5, 4), (3,), ()))
    for kw in option_sets(name):
        expected, opt_np = run(name, kw, [x.copy() for x in x0], grads, steps, fast=False)
        for fast in ("cupy", "reference"):
            ours, opt = run(name, kw, [cupy.asarray(x) for x in x0], grads, steps, xp=cupy, fast=fast)
            assert opt.paths == [fast] * len(x0) and all(isinstance(p, cupy.ndarray) for p in opt.params)
            for a, b in zip(ours, expected):
                np.testing.assert_allclose(a, b, rtol=2 * np.finfo(dtype).eps, atol=0, err_msg=f"{name} {kw}")


@pytest.mark.gpu
@pytest.mark.parametrize("name", NAMES)
def test_cupy_kernels_broadcast_array_hyperparameters(name):
    cupy = _cupy_or_skip()
    rng = np.random.default_rng(6)
    R = 4
    kw = _array_hyperparameters(name, rng, R)
    kw.pop("weight_decay", None)
    x0, gs = rng.standard_normal((R, 6)), rng.standard_normal((10, R, 6))
    x_np, x_cp = x0.copy(), cupy.asarray(x0)
    o_np = optim.OPTIMIZERS[name](x_np, fast=False, **kw)
    o_cp = optim.OPTIMIZERS[name](x_cp, **{k: _to_cupy(cupy, v) for k, v in kw.items()})
    assert o_cp.paths == ["cupy"]
    for g in gs:
        o_np.step(g)
        o_cp.step(cupy.asarray(g))
    np.testing.assert_allclose(cupy.asnumpy(x_cp), x_np, rtol=1e-14, atol=0)


def _to_cupy(cupy, v):
    if isinstance(v, tuple):
        return tuple(_to_cupy(cupy, e) for e in v)
    return cupy.asarray(v) if isinstance(v, np.ndarray) else v
