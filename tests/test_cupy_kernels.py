"""Every fused optimizer kernel compiles with NVRTC for sm_80 (A100) and sm_90 (H100), without a GPU.

The kernels a run can reach are found by running every option set of every optimizer (scalar
hyperparameters, and arrays of shape (R, 1)) through coursekit.optim.cupy_kernels.update on
NumPy, recording which kernel (CUDA C generated from the optimizer's element function) each
step asks for and with which arguments (no list by hand).
Each is then turned into CUDA C by CuPy's own code generator (``_get_elementwise_kernel_code``,
the arguments' types decided by the kernel's ``_decide_params_type``) for float32 and float64 and
the layouts CuPy launches (contiguous arrays reduced to 1-D, (R, d) parameters with (R, 1)
hyperparameters broadcast in 2-D, and 64-bit indexing for arrays of 2^31 elements or more), and
compiled with CuPy's options (``assemble_cupy_compiler_options`` + ``-ftz=true`` + the arch),
all kernels of one (arch, dtype) in one NVRTC program (each in its own namespace, renamed: one
compile of CuPy's headers instead of hundreds). The PTX shows the two differences from NumPy
that docs/gpu.md states: float32 flushes subnormals (``.ftz``), and ``max`` drops a NaN.
Run by .ci/cupy-api.
"""
import re

import numpy as np
import pytest
from cupy_host import cupy

from coursekit import optim
from coursekit.optim import cupy_kernels, paths
from optim_settings import NAMES, option_sets
from test_optim_paths import _array_hyperparameters

pytestmark = pytest.mark.cupy_api

from cupy._core import _carray, _kernel, _scalar, core  # noqa: E402
from cupy.cuda import compiler  # noqa: E402

ARCHS = ("80", "90")
NDARRAY, INDEXER, SCALAR = 1, 2, 3      # CuPy's _ArgKind (cupy/_core/_kernel.pxd)


CLASSES = {cls.__name__: cls for cls in optim.OPTIMIZERS.values()}


def _reachable(monkeypatch):
    """{(class name, live state, dead state, flags, layout of the inputs)}: the kernels every
    option set asks for in 3 steps."""
    seen, build = set(), cupy_kernels.kernel       # build: the real cupy.ElementwiseKernel

    def recorder(cls, live, dead, flags):
        kernel, inputs = build(cls, live, dead, flags)

        def call(*args):
            p = args[kernel.nin]
            ins = tuple("array" if hasattr(a, "shape") and a.shape == p.shape else
                        "broadcast" if hasattr(a, "shape") else "scalar" for a in args[:kernel.nin])
            seen.add((cls.__name__, live, dead, flags, ins))
        return call, inputs

    monkeypatch.setattr(cupy_kernels, "kernel", recorder)

    def update(path, cls, p, g, s, t, h, work):
        cupy_kernels.update(cls, p, g, s, t, h)
        return work
    monkeypatch.setattr(paths, "update", update)
    rng = np.random.default_rng(0)
    for name in NAMES:
        for kw in option_sets(name):
            opt = optim.OPTIMIZERS[name](np.ones((5, 4)), fast="numpy", **kw)
            for _ in range(3):
                opt.step(np.ones((5, 4)))
        opt = optim.OPTIMIZERS[name](np.ones((4, 6)), fast="numpy", **_array_hyperparameters(name, rng, 4))
        for _ in range(3):
            opt.step(np.ones((4, 6)))
    return seen


def _built(name, live, dead, flags):
    return cupy_kernels.kernel(CLASSES[name], live, dead, flags)[0]


@pytest.fixture(scope="module")
def reachable():
    with pytest.MonkeyPatch.context() as mp:
        return sorted(_reachable(mp))


def _arginfos(kernel, ins, dtype, index_32_bits):
    """The _ArgInfo tuple CuPy's ElementwiseKernel.__call__ builds for these arguments."""
    broadcast = "broadcast" in ins
    ndim = 2 if broadcast else 1      # broadcast: a non-contiguous 2-D operand keeps 2-D (_reduce_dims)
    arg = []
    for kind in ins:
        if kind == "scalar":
            arg.append(_kernel._ArgInfo(SCALAR, _scalar.CScalar, dtype, 0, True, True))
        else:
            arg.append(_kernel._ArgInfo(NDARRAY, cupy.ndarray, dtype, ndim, kind == "array",
                                        index_32_bits or kind == "broadcast"))
    arg += [_kernel._ArgInfo(NDARRAY, cupy.ndarray, dtype, ndim, True, index_32_bits)] * kernel.nout
    arg.append(_kernel._ArgInfo(INDEXER, _carray.Indexer, None, ndim, True, index_32_bits))
    return tuple(arg)


def _source(kernel, ins, dtype, index_32_bits):
    """CuPy's generated CUDA C for one launch (as ElementwiseKernel would compile it)."""
    in_types = tuple(None if k == "scalar" else dtype for k in ins)
    _, _, type_map = kernel._decide_params_type(in_types, (dtype,) * kernel.nout)
    return _kernel._get_elementwise_kernel_code(_arginfos(kernel, ins, dtype, index_32_bits), type_map,
                                               kernel.params, kernel.operation, kernel.name,
                                               kernel.preamble, **kernel.kwargs)


def _options(kernel, arch, method="cubin"):
    """CuPy's options for this kernel (cupy/_core/core.pyx, cupy/cuda/compiler.py)."""
    opts = core.assemble_cupy_compiler_options(tuple(kernel.kwargs.get("options", ())))
    arch_opt = f"-arch=sm_{arch}" if method == "cubin" else f"-arch=compute_{arch}"
    return opts + ("-ftz=true", arch_opt, "--device-as-default-execution-space")


def _compile(sources, options, method="cubin"):
    header = "".join(f"#include <{h}>\n" for h in core._cupy_header_list)
    program = compiler._NVRTCProgram(header + "".join(sources), "coursekit_kernels.cu", method=method)
    return program.compile(options)[0]


def test_every_optimizer_reaches_kernels_with_each_flag_both_ways(reachable):
    assert {name for name, *_ in reachable} == set(CLASSES)
    for element in {cls.element for cls in CLASSES.values()}:        # AdamW's is Adam's
        flags = {f for n, _, _, fs, _ in reachable if CLASSES[n].element is element for f in fs}
        assert flags and all((k, not v) in flags for k, v in flags), (element.__qualname__, sorted(flags))
    assert any("broadcast" in ins for *_, ins in reachable)


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_reachable_kernel_compiles_with_nvrtc(reachable, dtype, arch):
    dtype = np.dtype(dtype)
    sources, options = [], None
    for i, (name, live, dead, flags, ins) in enumerate(reachable):
        kernel = _built(name, live, dead, flags)
        options = options or _options(kernel, arch)
        assert _options(kernel, arch) == options
        for index_32_bits in (True, False):
            code = _source(kernel, ins, dtype, index_32_bits)
            assert f"void {kernel.name}(" in code
            tag = f"{i}_{int(index_32_bits)}"
            sources.append(f"namespace k{tag} {{\n{code.replace(f'void {kernel.name}(', f'void {kernel.name}_{tag}(')}\n}}\n")
    assert "--fmad=false" in options and "-ftz=true" in options
    cubin = _compile(sources, options)
    assert cubin[:4] == b"\x7fELF" and len(sources) == 2 * len(reachable)


def _ptx(amsgrad, l2, dtype):
    kernel = _built("Adam", ("m", "v", "v_max"), (), (("amsgrad", amsgrad), ("decay", False), ("l2", l2)))
    ins = ("array",) + ("scalar",) * (kernel.nin - 1)
    ptx = _compile([_source(kernel, ins, np.dtype(dtype), True)], _options(kernel, "90", "ptx"), "ptx")
    return ptx.decode() if isinstance(ptx, bytes) else ptx


def test_float32_kernels_flush_subnormals_and_never_fuse():
    """CuPy compiles with -ftz=true: every float32 operation flushes subnormal inputs and results
    to zero (NumPy keeps them); --fmad=false: no fused multiply-add in any kernel."""
    ptx = _ptx(True, True, "float32")
    ops = re.findall(r"^\s*((?:add|sub|mul|div|sqrt|max)\.[\w.]*f32)", ptx, re.M)
    assert ops and all(".ftz" in op for op in ops), ops
    assert "fma." not in ptx
    ptx64 = _ptx(True, True, "float64")
    assert re.search(r"\bsub\.[\w.]*f64", ptx64) and ".ftz" not in ptx64 and "fma." not in ptx64


def test_amsgrad_max_is_ptx_max_which_drops_a_nan():
    """AMSGrad's ``max(v_max, v)`` is PTX ``max`` without ``.NaN``: with one NaN operand it returns
    the other (PTX ISA), where numpy.maximum returns NaN (the reference path)."""
    for dtype, suffix in (("float32", "f32"), ("float64", "f64")):
        ptx = _ptx(True, False, dtype)
        maxes = re.findall(rf"^\s*(max\.[\w.]*{suffix})", ptx, re.M)
        assert maxes and not any(".NaN" in m for m in maxes), maxes
    assert np.isnan(np.maximum(1.0, np.nan)) and np.fmax(1.0, np.nan) == 1.0   # NumPy's two spellings
