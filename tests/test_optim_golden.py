"""coursekit.optim against torch.optim: stored golden trajectories, and torch live when installed.

The trajectories come from tests/golden/make_golden.py (torch.optim, float64, 100 steps,
every option, three parameter layouts); the gradient at each step is computed from the
current parameters by the same NumPy function for both libraries.
"""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from coursekit import optim
from coursekit.optim import paths

PATHS = ["reference", "numpy"] + (["numba"] if paths.numba_enabled() else [])

GOLDEN = Path(__file__).resolve().parent / "golden"
RTOL = 1e-10

_spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
mg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mg)

PROBLEMS = mg.load_problems()
CASES = sorted(mg.CASES)
LAYOUTS = sorted(mg.LAYOUTS)


def golden(case):
    opt_name = mg.CASES[case][0]
    with np.load(GOLDEN / f"torch_{opt_name}.npz") as z:
        kwargs = json.loads(str(z["cases"]))[case]
        return kwargs, {layout: z[f"{case}__{layout}"] for layout in LAYOUTS}


def our_trajectory(problem, layout, opt_name, kwargs, fast=None):
    """Run coursekit.optim on the golden problem; (STEPS + 1, n) flat parameter vectors."""
    params = mg.split(problem["x0"], layout)
    opt = optim.OPTIMIZERS[opt_name](params if len(params) > 1 else params[0], fast=fast, **kwargs)
    traj = [problem["x0"]]
    for t in range(1, mg.STEPS + 1):
        grads = mg.split(mg.gradient(problem, traj[-1], t), layout)
        opt.step(grads if len(grads) > 1 else grads[0])
        traj.append(np.concatenate([p.ravel() for p in params]))
    return np.stack(traj)


def assert_trajectories_close(ours, theirs):
    assert ours.shape == theirs.shape
    atol = RTOL * np.max(np.abs(theirs))                 # scaled: atol = rtol * max|p|
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=atol)


def test_golden_files_cover_every_case_and_stay_small():
    assert mg.STEPS >= 100
    sizes = sum(p.stat().st_size for p in GOLDEN.glob("*.npz"))
    assert sizes < 2e6
    for case in CASES:
        kwargs, trajs = golden(case)
        assert kwargs == json.loads(json.dumps(mg.CASES[case][1]))   # stored = script's cases
        for layout, traj in trajs.items():
            assert traj.shape == (mg.STEPS + 1, PROBLEMS[layout]["x0"].size)
            assert traj.dtype == np.float64 and np.all(np.isfinite(traj))
    covered = {(mg.CASES[c][0], k) for c in CASES for k in mg.CASES[c][1] if k != "lr"}
    assert covered >= {("sgd", "momentum"), ("sgd", "dampening"), ("sgd", "nesterov"),
                       ("sgd", "weight_decay"), ("adagrad", "lr_decay"),
                       ("adagrad", "initial_accumulator_value"), ("adagrad", "weight_decay"),
                       ("adagrad", "eps"), ("rmsprop", "centered"), ("rmsprop", "momentum"),
                       ("rmsprop", "weight_decay"), ("rmsprop", "alpha"), ("rmsprop", "eps"),
                       ("adam", "amsgrad"), ("adam", "weight_decay"), ("adam", "betas"),
                       ("adam", "eps"), ("adamw", "amsgrad"), ("adamw", "weight_decay"),
                       ("adamw", "betas"), ("adamw", "eps")}


@pytest.mark.parametrize("case", [c for c in CASES if not c.endswith("_plain")])
def test_every_golden_option_changes_the_trajectory(case):
    """The cases discriminate: an option left out would show 10^4 times above the tolerance."""
    plain = golden(mg.CASES[case][0] + "_plain")[1]
    for layout, traj in golden(case)[1].items():
        assert np.max(np.abs(traj - plain[layout])) > 1e4 * RTOL * np.max(np.abs(traj))


@pytest.mark.parametrize("case", CASES)
def test_matches_torch_golden_trajectories(case):
    kwargs, trajs = golden(case)
    for layout in LAYOUTS:
        for fast in PATHS:
            ours = our_trajectory(PROBLEMS[layout], layout, mg.CASES[case][0], kwargs, fast=fast)
            assert_trajectories_close(ours, trajs[layout])


@pytest.mark.parametrize("case", CASES)
def test_matches_torch_live(case):
    pytest.importorskip("torch")
    opt_name, kwargs = mg.CASES[case]
    for layout in LAYOUTS:
        theirs = mg.torch_trajectory(PROBLEMS[layout], layout, opt_name, kwargs)
        assert_trajectories_close(our_trajectory(PROBLEMS[layout], layout, opt_name, kwargs), theirs)


def test_matches_torch_live_with_state_dict_resume_and_lr_changes():
    """A schedule writing opt.lr each step, and a checkpoint in the middle, still track torch."""
    torch = pytest.importorskip("torch")
    prob, layout = PROBLEMS["matrix"], "matrix"
    x_t = torch.tensor(prob["x0"].reshape(4, 5), requires_grad=True)
    t_opt = torch.optim.Adam([x_t], lr=0.05, amsgrad=True, weight_decay=0.01, foreach=False)
    x = prob["x0"].reshape(4, 5).copy()
    opt = optim.Adam(x, lr=0.05, amsgrad=True, weight_decay=0.01)
    for t in range(1, 61):
        lr = 0.05 * 0.5 * (1 + np.cos(np.pi * t / 60))
        t_opt.param_groups[0]["lr"] = lr
        opt.lr = lr
        if t == 30:                     # checkpoint, then go on with a fresh optimizer
            saved = opt.state_dict()
            x = x.copy()
            opt = optim.Adam(x, amsgrad=True)
            opt.load_state_dict(saved)
        g = mg.gradient(prob, x.ravel(), t).reshape(4, 5)
        x_t.grad = torch.from_numpy(g.copy())
        t_opt.step()
        opt.step(g)
        np.testing.assert_allclose(x, x_t.detach().numpy(), rtol=RTOL, atol=RTOL * np.max(np.abs(x)))
