"""Tests of coursekit.runs: minimize and the Trajectory it returns.

Expected values come from closed forms computed here with NumPy (GD on a quadratic:
x_k - c = (I - lr A)^k (x0 - c)), not from the code under test.
"""
import functools
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from coursekit import optim
from coursekit.optim import schedules
from coursekit.functions import Quadratic
from coursekit.runs import Trajectory, minimize

A_EIG = (1.0, 10.0)
ANGLE = 0.4


def rotated_A(eigenvalues=A_EIG, angle=ANGLE):
    c, s = math.cos(angle), math.sin(angle)
    Q = np.array([[c, -s], [s, c]])
    return Q @ np.diag(eigenvalues) @ Q.T


def quadratic_fg(A, center=None):
    """f(x) = 1/2 (x-c)^T A (x-c) for x of shape (..., d), written here independently."""
    c = np.zeros(A.shape[0], dtype=A.dtype) if center is None else np.asarray(center, dtype=A.dtype)

    def fg(x):
        y = np.asarray(x) - c
        g = y @ A
        return 0.5 * np.sum(y * g, axis=-1), g
    return fg


def gd_closed_form(A, x0, lr, k, center=None):
    """Iterates x_0..x_k of GD with a fixed step: x_j - c = (I - lr A)^j (x0 - c)."""
    c = np.zeros(A.shape[0]) if center is None else np.asarray(center)
    M = np.eye(A.shape[0]) - lr * A
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([c + np.linalg.matrix_power(M, j) @ (np.asarray(x0) - c) for j in range(k + 1)])


def scaled_close(actual, expected, rtol=1e-12):
    expected = np.asarray(expected)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=rtol * max(1.0, np.max(np.abs(expected))))


# --- values: gradient descent against its closed form --------------------------------------
def test_gd_with_lr_one_over_L_matches_closed_form():
    center = np.array([0.5, -0.3])
    f = Quadratic(A_EIG, angle=ANGLE, center=center)
    x0 = np.array([2.0, 1.5])
    lr, k = 1.0 / f.L, 40
    traj = minimize(f, x0, "sgd", k, lr=lr)
    A = rotated_A()
    xs = gd_closed_form(A, x0, lr, k, center)
    assert traj.iterates.shape == (k + 1, 2) and traj.steps == k
    scaled_close(traj.iterates, xs)
    e = xs - center
    scaled_close(traj.losses, 0.5 * np.einsum("ki,ij,kj->k", e, A, e))
    scaled_close(traj.grad_norms, np.linalg.norm(e @ A, axis=1))
    np.testing.assert_array_equal(traj.lrs, np.full(k, lr))
    np.testing.assert_array_equal(traj.final, traj.iterates[-1])
    assert not traj.diverged and traj.diverged_at is None and not traj.converged
    assert traj.message.startswith(f"finished {k} steps: loss = ")
    assert traj.landscape is f and traj.label == f"SGD(lr={lr:g})"
    assert traj.wall_time > 0
    assert "SGD" in repr(traj) and "40 steps" in repr(traj)


def first_step_over(losses, limit):
    return int(np.argmax(losses > limit))


@pytest.mark.claim("C3")
def test_divergence_reported_at_the_step_predicted_by_the_closed_form():
    """lr slightly above 2/L: |1 - lr L| > 1, the loss grows like |1 - lr L|^(2k)."""
    A = rotated_A()
    x0 = np.array([1.0, -1.0])
    fg = quadratic_fg(A)
    below = minimize(fg, x0, "sgd", 300, lr=0.99 * 2 / 10.0)
    assert not below.diverged and below.losses[-1] < 1e-3 * below.losses[0]

    lr = 1.05 * 2 / 10.0
    traj = minimize(fg, x0, "sgd", 1000, lr=lr)
    xs = gd_closed_form(A, x0, lr, 1000)
    losses = 0.5 * np.einsum("ki,ij,kj->k", xs, A, xs)
    k = first_step_over(losses, 1e6 * (losses[0] + 1))
    assert 50 < k < 1000                                   # a real prediction, not step 1
    assert traj.diverged is True and traj.diverged_at == k and traj.steps == k
    assert traj.message.startswith(f"diverged at step {k}: loss = ")
    assert len(traj.iterates) == k + 1                    # the huge but finite loss is kept
    assert np.all(np.isfinite(traj.iterates)) and np.all(np.isfinite(traj.losses))
    scaled_close(traj.iterates, xs[:k + 1], rtol=1e-10)
    # a smaller divergence_factor trips earlier, at its own predicted step
    early = minimize(fg, x0, "sgd", 1000, lr=lr, divergence_factor=10.0)
    assert early.diverged_at == first_step_over(losses, 10.0 * (losses[0] + 1))


def test_non_finite_loss_stops_and_keeps_the_finite_prefix():
    """f = x^2/2 on |x| <= 3 and NaN beyond; GD with lr = 2.5 gives x_k = (-1.5)^k."""
    def fg(x):
        loss = 0.5 * float(x[0]) ** 2 if abs(float(x[0])) <= 3 else math.nan
        return loss, np.asarray(x) * 1.0
    traj = minimize(fg, np.array([1.0]), optim.SGD, 10, lr=2.5)
    assert traj.diverged and traj.diverged_at == 3
    assert traj.message == "diverged at step 3: loss = nan"
    np.testing.assert_array_equal(traj.iterates[:, 0], [1.0, -1.5, 2.25])
    assert np.all(np.isfinite(traj.losses)) and len(traj.lrs) == 2


def test_tol_stops_at_the_first_small_gradient():
    A = rotated_A()
    x0 = np.array([1.0, 2.0])
    lr, tol = 0.15, 1e-8
    traj = minimize(quadratic_fg(A), x0, "sgd", 1000, lr=lr, tol=tol)
    xs = gd_closed_form(A, x0, lr, 1000)
    k = int(np.argmax(np.linalg.norm(xs @ A, axis=1) <= tol))
    assert traj.converged and traj.converged_at == k and traj.steps == k
    assert traj.grad_norms[-1] <= tol < traj.grad_norms[-2]
    assert traj.message.startswith(f"converged at step {k}: gradient norm")
    assert f"<= tol {tol:g}" in traj.message
    # already converged at x0: zero steps
    at_min = minimize(quadratic_fg(A), np.zeros(2), "sgd", 10, lr=lr, tol=tol)
    assert at_min.steps == 0 and at_min.converged_at == 0 and at_min.iterates.shape == (1, 2)


def test_schedule_sets_the_learning_rate_of_every_step():
    A = rotated_A()
    x0 = np.array([2.0, -1.0])
    sched = schedules.step_decay(0.15, step_size=4, gamma=0.5)
    traj = minimize(quadratic_fg(A), x0, "sgd", 12, schedule=sched)
    expected_lrs = [sched(t) for t in range(12)]
    np.testing.assert_array_equal(traj.lrs, expected_lrs)
    x, xs = x0.copy(), [x0.copy()]
    for lr in expected_lrs:
        x = x - lr * (A @ x)
        xs.append(x.copy())
    scaled_close(traj.iterates, xs)


def test_x0_is_copied_never_mutated():
    x0 = np.array([1.0, 2.0])
    keep = x0.copy()
    traj = minimize(quadratic_fg(rotated_A()), x0, "adam", 5, lr=0.1)
    np.testing.assert_array_equal(x0, keep)
    assert not np.shares_memory(traj.iterates, x0)
    np.testing.assert_array_equal(traj.iterates[0], keep)
    # lists and integer arrays become float64; float32 stays float32
    assert minimize(quadratic_fg(rotated_A()), [1, 2], "sgd", 2, lr=0.1).iterates.dtype == np.float64
    assert minimize(quadratic_fg(rotated_A()), np.array([1, 2]), "sgd", 2, lr=0.1).iterates.dtype == np.float64
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    assert minimize(quadratic_fg(rotated_A().astype(np.float32)), x32, "sgd", 2, lr=0.1).iterates.dtype == np.float32


# --- batched runs ---------------------------------------------------------------------------
LRS = np.array([0.05, 0.1, 0.25])      # L = 10: the last one is above 2/L = 0.2


def test_batched_run_equals_separate_runs():
    f = Quadratic(A_EIG, angle=ANGLE)
    x0 = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]])
    lrs = np.array([0.05, 0.1, 0.3])     # heavy ball is stable below 2 (1 + momentum) / L = 0.26
    batch = minimize(f, x0, "sgd", 60, lr=lrs[:, None], momentum=0.3)
    assert batch.is_batched and batch.batch_shape == (3,)
    assert batch.iterates.shape == (61, 3, 2) and batch.losses.shape == (61, 3)
    for i in range(3):
        single = minimize(f, x0[i], "sgd", 60, lr=float(lrs[i]), momentum=0.3)
        row = batch.row(i)
        assert bool(batch.diverged[i]) == single.diverged and row.diverged_at == single.diverged_at
        assert row.steps == single.steps
        scaled_close(row.iterates, single.iterates)
        scaled_close(row.losses, single.losses)
        scaled_close(row.grad_norms, single.grad_norms)
        np.testing.assert_array_equal(row.lrs, single.lrs)
        assert row.label == single.label == f"SGD(lr={lrs[i]:g}, momentum=0.3)"
    assert list(batch.diverged) == [False, False, True] and batch.steps == 60
    np.testing.assert_array_equal(batch.lrs[:, :2], np.tile(lrs[:2], (60, 1)))
    assert np.isnan(batch.losses[-1, 2]) and np.all(np.isfinite(batch.losses[:, :2]))
    np.testing.assert_array_equal(batch.final[2], batch.row(2).iterates[-1])


def test_batch_stops_only_when_every_run_is_done():
    A = rotated_A()
    x0 = np.tile([1.0, 2.0], (3, 1))
    tol = 1e-6
    batch = minimize(quadratic_fg(A), x0, "sgd", 2000, lr=LRS[:, None], tol=tol)
    done_at = []
    for i, lr in enumerate(LRS):
        xs = gd_closed_form(A, x0[i], lr, 2000)
        with np.errstate(over="ignore", invalid="ignore"):
            gn = np.linalg.norm(xs @ A, axis=1)
            loss = 0.5 * np.einsum("ki,ij,kj->k", xs, A, xs)
        if lr < 0.2:
            done_at.append(int(np.argmax(gn <= tol)))
            assert batch.converged[i] and batch.converged_at[i] == done_at[-1]
        else:
            done_at.append(first_step_over(loss, 1e6 * (loss[0] + 1)))
            assert batch.diverged[i] and batch.diverged_at[i] == done_at[-1]
    assert batch.steps == max(done_at) < 2000
    assert list(batch.converged_at) == [done_at[0], done_at[1], -1]
    assert batch.message.startswith(f"3 runs, {max(done_at)} steps: 1 diverged at step {done_at[2]}, "
                                    "2 converged")
    # all rows diverged: stop at the last divergence, trailing NaN rows dropped
    blow = minimize(quadratic_fg(A), x0, "sgd", 2000, lr=np.array([[0.25], [0.3], [0.4]]))
    assert blow.diverged.all() and blow.steps == blow.diverged_at.max()


def test_batch_over_a_grid_of_configurations():
    """x0 of shape (2, 3, d) with lr (2, 1, 1) and momentum (1, 3, 1): a 2x3 sweep."""
    f = Quadratic(A_EIG, angle=ANGLE)
    lrs, moms = np.array([0.02, 0.08]), np.array([0.0, 0.5, 0.9])
    x0 = np.broadcast_to([1.0, 1.0], (2, 3, 2))
    sweep = minimize(f, x0, "sgd", 30, lr=lrs[:, None, None], momentum=moms[None, :, None])
    assert sweep.batch_shape == (2, 3) and sweep.lrs.shape == (30, 2, 3)
    single = minimize(f, [1.0, 1.0], "sgd", 30, lr=0.08, momentum=0.5)
    scaled_close(sweep.row((1, 1)).iterates, single.iterates)
    assert len(sweep.rows()) == 6


# --- clipping, optimizer forms, callbacks -----------------------------------------------------
def test_clip_norm_caps_the_step_length_and_keeps_the_direction():
    """f = |x|^2/2 from |x0| = 50: clipped to norm 1, GD moves exactly lr along -x/|x|."""
    fg = quadratic_fg(np.eye(2))
    x0 = np.array([30.0, 40.0])
    lr = 0.5
    traj = minimize(fg, x0, "sgd", 20, lr=lr, clip_norm=1.0)
    radii = np.linalg.norm(traj.iterates, axis=1)
    np.testing.assert_allclose(radii, 50.0 - lr * np.arange(21), rtol=1e-6)
    np.testing.assert_allclose(traj.iterates / radii[:, None], np.tile([0.6, 0.8], (21, 1)), atol=1e-12)
    np.testing.assert_allclose(traj.grad_norms, radii)          # recorded before clipping
    unclipped = minimize(fg, x0, "sgd", 1, lr=lr)
    np.testing.assert_allclose(unclipped.iterates[1], [15.0, 20.0])
    # per run in a batch, as separate runs
    xb = np.array([[30.0, 40.0], [0.3, 0.4]])
    batch = minimize(fg, xb, "sgd", 5, lr=lr, clip_norm=1.0)
    for i in range(2):
        scaled_close(batch.row(i).iterates, minimize(fg, xb[i], "sgd", 5, lr=lr, clip_norm=1.0).iterates)


def test_optimizer_as_class_name_or_callable():
    A = rotated_A()
    x0 = np.array([1.0, -2.0])
    fg = quadratic_fg(A)
    runs = [minimize(fg, x0, optim.Adam, 15, lr=0.1),
            minimize(fg, x0, "adam", 15, lr=0.1),
            minimize(fg, x0, "ADAM", 15, lr=0.1),
            minimize(fg, x0, lambda p: optim.Adam(p, lr=0.1), 15),
            minimize(fg, x0, functools.partial(optim.Adam, lr=0.1), 15)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.iterates, runs[0].iterates)
    # Adam's first step has size lr per coordinate, against the gradient's sign (claim C17)
    g0 = A @ x0
    np.testing.assert_allclose(runs[0].iterates[1], x0 - 0.1 * np.sign(g0), rtol=1e-7)
    assert runs[0].label == "Adam(lr=0.1)" and runs[3].label == "Adam"
    with pytest.raises(ValueError, match="optimizer"):
        minimize(fg, x0, "adamax", 3)
    with pytest.raises(TypeError, match="optimizer"):
        minimize(fg, x0, 3.0, 3)
    with pytest.raises(TypeError, match="optimizer"):
        minimize(fg, x0, lambda p: None, 3)


def test_callback_sees_each_step_and_can_stop():
    seen = []

    def cb(k, x, loss, grad):
        seen.append((k, float(x[0]), float(loss)))
        return k == 4
    traj = minimize(quadratic_fg(np.eye(1)), np.array([1.0]), "sgd", 10, lr=0.5, callback=cb)
    assert [s[0] for s in seen] == [1, 2, 3, 4] and traj.steps == 4
    np.testing.assert_allclose([s[1] for s in seen], 0.5 ** np.arange(1, 5))
    assert traj.message.startswith("stopped by callback at step 4")


def test_progress_bar_runs_and_leaves_results_unchanged(capsys):
    fg = quadratic_fg(rotated_A())
    with_bar = minimize(fg, [1.0, 1.0], "sgd", 30, lr=0.05, progress=True)
    plain = minimize(fg, [1.0, 1.0], "sgd", 30, lr=0.05, progress="auto")   # short: no bar
    np.testing.assert_array_equal(with_bar.iterates, plain.iterates)


# --- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=-1), "steps"), (dict(tol=0.0), "tol"),
    (dict(clip_norm=-1.0), "clip_norm"), (dict(divergence_factor=0), "divergence_factor"),
    (dict(progress="yes"), "progress"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, match):
    args = dict(steps=3, **{k: v for k, v in kwargs.items() if k != "steps"})
    if "steps" in kwargs:
        args["steps"] = kwargs["steps"]
    with pytest.raises(ValueError, match=match):
        minimize(quadratic_fg(np.eye(2)), [1.0, 1.0], "sgd", lr=0.1, **args)


@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=2.5), "steps"), (dict(tol="small"), "tol"), (dict(clip_norm=None, steps=None), "steps"),
    (dict(callback=3), "callback"), (dict(divergence_factor="big"), "divergence_factor"),
])
def test_arguments_of_the_wrong_type_raise_type_error_naming_them(kwargs, match):
    args = dict(dict(steps=3), **kwargs)
    with pytest.raises(TypeError, match=f"^{match}"):
        minimize(quadratic_fg(np.eye(2)), [1.0, 1.0], "sgd", lr=0.1, **args)


def test_bad_functions_raise_clear_errors():
    with pytest.raises(TypeError, match="fun_and_grad"):
        minimize(42, [1.0], "sgd", 3)
    with pytest.raises(TypeError, match="fun_and_grad"):
        minimize(lambda x: 1.0, [1.0], "sgd", 3)
    with pytest.raises(ValueError, match="gradient of shape"):
        minimize(lambda x: (1.0, np.zeros(3)), [1.0, 2.0], "sgd", 3)
    with pytest.raises(ValueError, match="x0"):
        minimize(lambda x: (math.inf, x), [1.0], "sgd", 3)
    with pytest.raises(ValueError, match="loss of shape"):
        minimize(lambda x: (np.ones(5), x), [1.0, 2.0], "sgd", 3)
    with pytest.raises(TypeError, match="schedule"):
        minimize(quadratic_fg(np.eye(1)), [1.0], "sgd", 3, schedule=0.1)


# --- array modules, import hygiene, properties ------------------------------------------------
def test_runs_on_array_api_strict_arrays_like_numpy():
    xps = pytest.importorskip("array_api_strict")
    f = Quadratic(A_EIG, angle=ANGLE)
    ref = minimize(f, np.array([[1.0, 2.0], [30.0, 40.0]]), "adam", 10, lr=0.1, clip_norm=1.0)
    strict = minimize(f, xps.asarray([[1.0, 2.0], [30.0, 40.0]], dtype=xps.float64), "adam", 10,
                      lr=0.1, clip_norm=1.0)
    assert isinstance(strict.iterates, np.ndarray)
    scaled_close(strict.iterates, ref.iterates)


def test_importing_runs_does_not_import_matplotlib():
    code = "import sys, coursekit.runs; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=25, deadline=None)
@given(lam_min=st.floats(0.1, 1.0), lam_max=st.floats(1.0, 50.0), frac=st.floats(0.05, 0.95),
       angle=st.floats(0.0, math.pi))
def test_gd_below_two_over_L_never_diverges_and_never_increases_the_loss(lam_min, lam_max, frac, angle):
    """On a convex quadratic, fixed-step GD with 0 < lr < 2/L decreases f monotonically (C3)."""
    f = Quadratic((lam_min, lam_max), angle=angle)
    traj = minimize(f, [1.0, -1.0], "sgd", 50, lr=frac * 2 / f.L)
    assert not traj.diverged
    assert np.all(np.diff(traj.losses) <= 1e-12 * traj.losses[0])


def test_trajectory_plot_rejects_unknown_kinds_and_missing_landscape():
    traj = minimize(quadratic_fg(np.eye(2)), [1.0, 1.0], "sgd", 3, lr=0.1)
    assert isinstance(traj, Trajectory)
    with pytest.raises(ValueError, match="landscape"):
        traj.plot("contour")
    with pytest.raises(ValueError, match="kind"):
        traj.plot("histogram")
    with pytest.raises(ValueError, match="single run"):
        traj.row(0)
