"""GPU timings time the GPU, not the compiler: every kernel a timed region launches was launched
before its clock started (CuPy compiles a kernel at its first launch per option set, dtype and
layout: 0.2-0.5 s against milliseconds of work).

Without a GPU: the optimizers are routed through coursekit.optim.cupy_kernels.update (each
kernel's launch run by its element function on NumPy), each launch recorded with its option
set and argument layout, and each read of the clock marked in the same log.
"""
import time

import numpy as np
import pytest

from coursekit import tuning
from coursekit.experiments import ch2 as sweeps
from coursekit.bench import sweep as bench_sweep
from coursekit.functions import Rosenbrock
from coursekit.optim import cupy_kernels, paths
from test_optim_paths import element_launch

CLOCK = "clock"


@pytest.fixture
def launches(monkeypatch):
    """The log: ("kernel", name, flags, layout) per launch, CLOCK per time.perf_counter()."""
    log = []

    def kernel(cls, live, dead, flags):
        run, inputs = element_launch(cls, live, dead, flags)

        def launch(*args):
            log.append(("kernel", cls.__name__, flags, tuple(np.shape(a) for a in args)))
            run(*args)
        return launch, inputs

    monkeypatch.setattr(cupy_kernels, "kernel", kernel)
    monkeypatch.setattr(paths, "choose", lambda fast, xp, p, k: "reference" if fast is False or k is None
                        else "cupy")
    clock = time.perf_counter

    def perf_counter():
        log.append(CLOCK)
        return clock()
    monkeypatch.setattr(time, "perf_counter", perf_counter)
    return log


def _compiled_inside_the_clock(log):
    """Kernels (option set and layout) first launched after the clock first started."""
    first = log.index(CLOCK)
    before = {e for e in log[:first] if e != CLOCK}
    return {e for e in log[first:] if e != CLOCK} - before


def test_momentum_sweep_warms_up_every_kernel_it_times(launches):
    lr, mom = sweeps.grid(np.geomspace(1e-4, 1e-3, 3), np.linspace(0.0, 0.9, 3))
    sweeps.momentum_sweep(Rosenbrock(), np.array([-1.2, 1.0]), lr, mom, 5)
    assert any(e != CLOCK for e in launches) and not _compiled_inside_the_clock(launches)


def test_batched_sweep_warms_up_every_kernel_it_times(launches):
    tuning.batched_sweep(16, steps=4, n=32, d=4)
    assert any(e != CLOCK for e in launches) and not _compiled_inside_the_clock(launches)


def test_bench_sweep_warms_up_both_timed_loops(launches):
    bench_sweep.sweep(np, configs=9, steps=3, loop_configs=3)
    assert any(e != CLOCK for e in launches) and not _compiled_inside_the_clock(launches)


def test_the_check_sees_a_kernel_compiled_inside_the_clock(launches):
    """The check can fail: a first momentum step (another kernel) after the clock started."""
    from coursekit import optim
    x = np.ones(4)
    opt = optim.SGD(x, lr=0.1, momentum=0.9)
    time.perf_counter()
    opt.step(np.ones(4))
    opt.step(np.ones(4))
    assert len(_compiled_inside_the_clock([CLOCK] + launches)) == 2


def test_time_gradient_descent_warms_up_the_run_it_times(launches, monkeypatch):
    """Chapter 1: the timed minimize launches no kernel its untimed warm-up did not."""
    from coursekit import experiments, runs
    minimize = runs.minimize

    def marked(*args, **kwargs):
        launches.append("minimize")
        return minimize(*args, **kwargs)
    monkeypatch.setattr(runs, "minimize", marked)
    rng = np.random.default_rng(0)
    out = experiments.time_gradient_descent(rng.normal(size=(64, 3)), rng.normal(size=64), 5, 0.1)
    assert out["numpy"].warmup_time > 0 and out["numpy"].steps == 5
    timed = launches.index("minimize", launches.index("minimize") + 1)
    kernels = [e for e in launches if isinstance(e, tuple)]
    assert kernels and {e for e in launches[timed:] if isinstance(e, tuple)} <= set(launches[:timed])
