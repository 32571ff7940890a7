"""coursekit.optim: the API, closed forms, invariants, bad input, checkpoints and batched runs.

Parity with torch.optim is in test_optim_golden.py; the fast path and array_api_strict
in test_optim_paths.py; closed forms, invariants and claims in test_optim_math.py.
"""
import inspect
import pickle

import numpy as np
import pytest

from coursekit import optim
from coursekit.optim import paths

PATHS = ["reference", "numpy"] + (["numba"] if paths.numba_enabled() else [])

from optim_settings import NAMES, all_on, batched  # noqa: E402  (settings read from each class)


def noisy_quartic(seed=0, steps=20, shapes=((4, 3), (5,))):
    """x0 (a list of arrays) and grads(params, t): gradient of a quartic plus noise."""
    rng = np.random.default_rng(seed)
    x0 = [rng.standard_normal(s) for s in shapes]
    noise = [[rng.standard_normal(s) for s in shapes] for _ in range(steps)]
    return x0, lambda ps, t: [p + 0.1 * p ** 3 + n for p, n in zip(ps, noise[t - 1])]


# -- API ------------------------------------------------------------------------------------

def test_signatures_and_defaults_are_those_of_api_md():
    expected = {
        optim.SGD: dict(lr=1e-2, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
        optim.AdaGrad: dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
        optim.RMSProp: dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
        optim.Adam: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False),
        optim.AdamW: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    }
    for cls, defaults in expected.items():
        sig = inspect.signature(cls).parameters
        positional = [k for k, p in sig.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert positional == ["params", *defaults], cls
        assert {k: sig[k].default for k in defaults} == defaults
        assert sig["check_finite"].default is False and sig["check_finite"].kind is inspect.Parameter.KEYWORD_ONLY
    assert {"sgd": optim.SGD, "adagrad": optim.AdaGrad, "rmsprop": optim.RMSProp, "adam": optim.Adam,
            "adamw": optim.AdamW}.items() <= optim.OPTIMIZERS.items()
    assert optim.get("AdamW") is optim.AdamW
    with pytest.raises(ValueError, match="unknown optimizer 'nosuch'"):
        optim.get("nosuch")


def test_defaults_agree_with_torch_except_sgd_lr():
    torch = pytest.importorskip("torch")
    ours = [optim.SGD, optim.AdaGrad, optim.RMSProp, optim.Adam, optim.AdamW]
    theirs = [torch.optim.SGD, torch.optim.Adagrad, torch.optim.RMSprop, torch.optim.Adam, torch.optim.AdamW]
    for a, b in zip(ours, theirs):
        pa, pb = inspect.signature(a).parameters, inspect.signature(b).parameters
        for k in pa:
            if k in pb and k != "params" and not (a is optim.SGD and k == "lr"):  # SGD: the course keeps lr=1e-2
                assert pa[k].default == pb[k].default, (a.__name__, k)


def test_step_updates_params_in_place_for_one_array_or_a_list():
    x = np.array([1.0, -2.0])
    opt = optim.SGD(x, lr=0.25)
    opt.step(2 * x)                                    # gradient of |x|^2
    assert opt.params[0] is x and opt.t == 1
    np.testing.assert_array_equal(x, [0.5, -1.0])
    opt.step([2 * x])                                  # a one-element list works too
    np.testing.assert_array_equal(x, [0.25, -0.5])
    a, b = np.ones((2, 2)), np.ones(3)
    opt = optim.SGD([a, b], lr=0.5)
    opt.step((np.ones((2, 2)), 2 * np.ones(3)))
    np.testing.assert_array_equal(a, 0.5)
    np.testing.assert_array_equal(b, 0.0)
    assert opt.params[0] is a and opt.params[1] is b


def test_lr_is_read_write_and_takes_effect_on_the_next_step():
    x = np.array([4.0])
    opt = optim.SGD(x, lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.5                                       # what a schedule does
    opt.step(np.array([1.0]))
    assert x[0] == 3.5 and opt.lr == 0.5
    opt.lr = np.array([0.25])                          # an array is fine too
    opt.step(np.array([2.0]))
    assert x[0] == 3.0
    with pytest.raises(ValueError, match="lr must be >= 0"):
        opt.lr = -1.0
    assert float(opt.lr[0]) == 0.25                    # a rejected value changes nothing


def test_reference_updates_fit_on_a_screen():
    for cls in optim.OPTIMIZERS.values():
        src = inspect.getsource(cls.reference_update)
        assert len(src.splitlines()) <= 22, cls
        assert "out=" not in src and "numpy" not in src


def test_repr_names_the_optimizer_and_its_settings():
    r = repr(optim.Adam([np.zeros((2, 3))], lr=0.1, amsgrad=True))
    assert r.startswith("Adam(lr=0.1") and "amsgrad=True" in r and "(2, 3) float64" in r


# -- bad input -------------------------------------------------------------------------------

X = np.zeros((2, 3))
BAD = [
    (lambda: optim.SGD(X, lr=-0.1), "lr must be >= 0"),
    (lambda: optim.SGD(X, lr=float("nan")), "lr must be >= 0"),
    (lambda: optim.SGD(X, lr="0.1"), "lr must be a number or an array"),
    (lambda: optim.SGD(X, lr=True), "lr must be a number"),
    (lambda: optim.SGD(X, lr=np.array([-1.0, 1.0, 1.0])), r"lr must be >= 0, got an array of shape \(3,\)"),
    (lambda: optim.SGD(X, lr=np.ones((2, 1, 1))), r"lr of shape \(2, 1, 1\) does not broadcast against params\[0\]"),
    (lambda: optim.SGD(X, lr=np.ones(2)), r"lr of shape \(2,\)"),
    (lambda: optim.SGD(X, momentum=-0.5), "momentum must be >= 0"),
    (lambda: optim.SGD(X, dampening=1.5), r"dampening must be in \[0, 1\]"),
    (lambda: optim.SGD(X, nesterov=True), "nesterov=True requires momentum > 0"),
    (lambda: optim.SGD(X, momentum=0.9, dampening=0.1, nesterov=True), "nesterov=True requires dampening = 0"),
    (lambda: optim.SGD(X, weight_decay=-1e-3), "weight_decay must be >= 0"),
    (lambda: optim.SGD(X, nesterov="yes"), "nesterov must be True or False"),
    (lambda: optim.AdaGrad(X, lr_decay=-1.0), "lr_decay must be >= 0"),
    (lambda: optim.AdaGrad(X, initial_accumulator_value=-1.0), "initial_accumulator_value must be >= 0"),
    (lambda: optim.AdaGrad(X, eps=0.0), r"eps must be > 0"),
    (lambda: optim.RMSProp(X, alpha=1.0), r"alpha must be in \[0, 1\)"),
    (lambda: optim.RMSProp(X, momentum=-0.1), "momentum must be >= 0"),
    (lambda: optim.RMSProp(X, eps=-1e-8), "eps must be > 0"),
    (lambda: optim.Adam(X, betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\), got 1.0"),
    (lambda: optim.Adam(X, betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\)"),
    (lambda: optim.Adam(X, betas=0.9), "betas must be a pair"),
    (lambda: optim.Adam(X, betas=(0.9, 0.99, 0.999)), "betas must be a pair"),
    (lambda: optim.Adam(X, eps=0), "eps must be > 0"),
    (lambda: optim.AdamW(X, weight_decay=-0.01), "weight_decay must be >= 0"),
    (lambda: optim.Adam(X, amsgrad=1), "amsgrad must be True or False"),
    (lambda: optim.Adam(np.zeros(3, dtype=int)), r"params\[0\] has dtype int64; optimizers need float"),
    (lambda: optim.Adam([X, np.zeros(2, dtype=np.complex128)]), r"params\[1\] has dtype complex128"),
    (lambda: optim.Adam([1.0, 2.0]), r"params\[0\] must be an array"),
    (lambda: optim.Adam([]), "params must be an array or a non-empty list"),
    (lambda: optim.Adam(None), "params must be an array or a non-empty list"),
]


@pytest.mark.parametrize("make, match", BAD, ids=[m for _, m in BAD])
def test_bad_hyperparameters_and_params_raise_value_error_naming_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("name", NAMES)
def test_every_setting_out_of_its_bounds_raises_naming_it(name):
    """Read from the class: each bound of each hyperparameter, each flag given a non-bool."""
    from optim_settings import settings
    for key, h in settings(name).items():
        if isinstance(h, optim.Flag):
            with pytest.raises(ValueError, match=f"{key} must be True or False"):
                optim.OPTIMIZERS[name](X, **{key: "yes"})
            continue
        for bound, outside, is_open in ((h.low, -1.0, h.open_low), (h.high, 1.0, h.open_high)):
            if bound is None:
                continue
            value = bound if is_open else bound + outside
            with pytest.raises(ValueError, match=rf"{key}(\[0\])? must be"):
                optim.OPTIMIZERS[name](X, **{key: (value, value) if h.pair else value})
        with pytest.raises(ValueError, match=f"{key}.* must be"):
            optim.OPTIMIZERS[name](X, **{key: ("0.1", "0.1") if h.pair else "0.1"})


def test_read_only_params_are_refused():
    x = np.zeros(3)
    x.setflags(write=False)
    with pytest.raises(ValueError, match=r"params\[0\] is read-only"):
        optim.SGD(x)


@pytest.mark.parametrize("grads, match", [
    ([np.zeros((2, 3))], "grads has 1 arrays, but there are 2 params"),
    ([np.zeros((2, 3)), np.zeros(4)], r"grads\[1\] has shape \(4,\), but params\[1\] has shape \(3,\)"),
    ([np.zeros((2, 3), np.float32), np.zeros(3)], r"grads\[0\] has dtype float32, but params\[0\] has dtype float64"),
    ([np.zeros((2, 3)), [0.0, 0.0, 0.0]], r"grads\[1\] must be a numpy array like params\[1\], got list"),
    ({"w": np.zeros(3)}, "grads must be an array or a list of arrays"),
])
def test_mismatched_grads_raise_value_error(grads, match):
    opt = optim.Adam([np.zeros((2, 3)), np.zeros(3)])
    with pytest.raises(ValueError, match=match):
        opt.step(grads)
    assert opt.t == 0


def test_flags_are_fixed_and_checks_rerun_when_hyperparameters_change():
    opt = optim.SGD(np.zeros(2), momentum=0.9, nesterov=True)
    with pytest.raises(AttributeError, match="nesterov is fixed"):
        opt.nesterov = False
    with pytest.raises(ValueError, match="requires momentum > 0"):
        opt.momentum = 0.0
    opt.momentum = 0.5
    assert opt.hyperparameters == dict(lr=0.01, momentum=0.5, dampening=0.0, nesterov=True, weight_decay=0.0)


# -- check_finite --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_check_finite_raises_naming_param_and_step_and_changes_nothing(name):
    x0, grads = noisy_quartic()
    ps = [x.copy() for x in x0]
    opt = optim.OPTIMIZERS[name](ps, check_finite=True, **all_on(name))
    for t in (1, 2):
        opt.step(grads(ps, t))
    before_p, before_s = [p.copy() for p in ps], opt.state_dict()
    bad = grads(ps, 3)
    bad[1][2] = np.nan
    with pytest.raises(FloatingPointError, match=r"params\[1\] at step 3"):
        opt.step(bad)
    bad[1][2], bad[0][0, 0] = 1.0, -np.inf
    with pytest.raises(FloatingPointError, match=r"params\[0\] at step 3"):
        opt.step(bad)
    assert opt.t == 2
    for p, q in zip(ps, before_p):
        np.testing.assert_array_equal(p, q)
    assert_state_dicts_equal(opt.state_dict(), before_s)
    opt.check_finite = False                           # the default: no extra pass, NaN flows through
    with np.errstate(invalid="ignore"):
        opt.step(bad)
    state = [v for s in opt.state for v in s.values() if v is not None]
    assert not all(np.all(np.isfinite(a)) for a in ps + state)   # in the params or (a sign step) the state


# -- checkpoints ---------------------------------------------------------------------------------

def assert_state_dicts_equal(a, b):
    assert a.keys() == b.keys() and a["t"] == b["t"] and a["optimizer"] == b["optimizer"]
    for ha, hb in zip(a["hyperparameters"].items(), b["hyperparameters"].items()):
        assert ha[0] == hb[0]
        np.testing.assert_array_equal(np.asarray(ha[1], dtype=object if ha[1] is None else None),
                                      np.asarray(hb[1], dtype=object if hb[1] is None else None))
    for sa, sb in zip(a["state"], b["state"]):
        assert sa.keys() == sb.keys()
        for k in sa:
            assert (sa[k] is None) == (sb[k] is None)
            if sa[k] is not None:
                np.testing.assert_array_equal(sa[k], sb[k])


def is_plain(obj):
    if isinstance(obj, dict):
        return all(isinstance(k, str) and is_plain(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return all(is_plain(v) for v in obj)
    return obj is None or isinstance(obj, (str, bool, int, float, np.ndarray))


@pytest.mark.parametrize("fast_after", PATHS)
@pytest.mark.parametrize("name", NAMES)
def test_state_dict_resumes_exactly(name, fast_after):
    """Interrupt at step k, save, build a fresh optimizer, load, go on: bit for bit the same run."""
    x0, grads = noisy_quartic(steps=20)
    lr_at = lambda t: all_on(name)["lr"] * (1 + np.cos(np.pi * t / 20)) / 2   # noqa: E731 (a schedule)
    straight = [x.copy() for x in x0]
    opt = optim.OPTIMIZERS[name](straight, **all_on(name))
    for t in range(1, 21):
        opt.lr = lr_at(t)
        opt.step(grads(straight, t))
    resumed = [x.copy() for x in x0]
    opt = optim.OPTIMIZERS[name](resumed, **all_on(name))
    for t in range(1, 8):
        opt.lr = lr_at(t)
        opt.step(grads(resumed, t))
    saved = pickle.loads(pickle.dumps(opt.state_dict()))        # plain: survives pickling
    resumed = [p.copy() for p in resumed]
    opt = optim.OPTIMIZERS[name](resumed, fast=fast_after, **{**all_on(name), "lr": 123.0})
    opt.load_state_dict(saved)
    assert opt.t == 7 and opt.lr == lr_at(7)
    for t in range(8, 21):
        opt.lr = lr_at(t)
        opt.step(grads(resumed, t))
    for a, b in zip(resumed, straight):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_is_plain_and_a_copy(name):
    x0, grads = noisy_quartic()
    ps = [x.copy() for x in x0]
    opt = optim.OPTIMIZERS[name](ps, **all_on(name))
    opt.step(grads(ps, 1))
    d = opt.state_dict()
    assert is_plain(d) and d["optimizer"] == optim.OPTIMIZERS[name].__name__ and d["t"] == 1
    keep = pickle.loads(pickle.dumps(d))
    for s in d["state"]:                                # scribbling on the dict changes nothing
        for v in s.values():
            if v is not None:
                v[...] = np.nan
    assert_state_dicts_equal(opt.state_dict(), keep)
    opt.step(grads(ps, 2))                              # stepping changes nothing in the dict
    assert_state_dicts_equal(keep, pickle.loads(pickle.dumps(keep)))
    loaded = optim.OPTIMIZERS[name]([p.copy() for p in ps], **all_on(name))
    loaded.load_state_dict(keep)
    for s in keep["state"]:                             # loading copies too
        for v in s.values():
            if v is not None:
                v[...] = np.nan
    assert all(np.all(np.isfinite(v)) for s in loaded.state for v in s.values() if v is not None)


def test_load_state_dict_rejects_what_does_not_fit():
    opt = optim.Adam([np.zeros(3), np.zeros(2)], amsgrad=True)
    opt.step([np.ones(3), np.ones(2)])
    d = opt.state_dict()
    with pytest.raises(ValueError, match="from Adam, not SGD"):
        optim.SGD([np.zeros(3), np.zeros(2)]).load_state_dict(d)
    with pytest.raises(ValueError, match="state for 2 params, this optimizer has 1"):
        optim.Adam(np.zeros(3), amsgrad=True).load_state_dict(d)
    with pytest.raises(ValueError, match="saved with amsgrad=True"):
        optim.Adam([np.zeros(3), np.zeros(2)]).load_state_dict(d)
    with pytest.raises(ValueError, match=r"state\[1\]\['m'\] has shape \(2,\)"):
        optim.Adam([np.zeros(3), np.zeros(4)], amsgrad=True).load_state_dict(d)
    with pytest.raises(ValueError, match="must be a dict with keys"):
        opt.load_state_dict({"t": 3})
    d["hyperparameters"]["lr"] = -1.0
    fresh = optim.Adam([np.zeros(3), np.zeros(2)], lr=0.5, amsgrad=True)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        fresh.load_state_dict(d)
    assert fresh.lr == 0.5 and fresh.t == 0             # a refused dict leaves the optimizer as it was


# -- batched hyperparameters -----------------------------------------------------------------------

def _row(value, r):
    if isinstance(value, bool):
        return value
    if isinstance(value, tuple):
        return tuple(_row(v, r) for v in value)
    return value[r]


def _column(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, tuple):
        return tuple(_column(v) for v in value)
    return np.array(value)[:, None]


@pytest.mark.parametrize("fast", PATHS)
@pytest.mark.parametrize("name", NAMES)
def test_batched_hyperparameters_equal_separate_runs(name, fast):
    """lr etc. of shape (R, 1) with params of shape (R, d): R configurations in one optimizer."""
    rng = np.random.default_rng(7)
    R, d, steps = 3, 5, 25
    x0, noise = rng.standard_normal((R, d)), rng.standard_normal((steps, R, d))
    grad = lambda x, t: x + 0.1 * x ** 3 + noise[t - 1]             # noqa: E731 (row by row)
    X = x0.copy()
    opt = optim.OPTIMIZERS[name](X, fast=fast, **{k: _column(v) for k, v in batched(name).items()})
    for t in range(1, steps + 1):
        opt.step(grad(X, t))
    for r in range(R):
        x = x0[r].copy()
        single = optim.OPTIMIZERS[name](x, fast=fast, **{k: _row(v, r) for k, v in batched(name).items()})
        for t in range(1, steps + 1):
            single.step(x + 0.1 * x ** 3 + noise[t - 1, r])
        np.testing.assert_allclose(X[r], x, rtol=1e-14, atol=1e-14 * np.max(np.abs(x)))


def test_batched_float32_params_take_float64_hyperparameter_arrays():
    X = np.ones((2, 3), dtype=np.float32)
    opt = optim.Adam(X, lr=np.array([[0.1], [0.2]]))
    opt.step(np.ones((2, 3), dtype=np.float32))
    assert X.dtype == np.float32
    np.testing.assert_allclose(X, [[0.9] * 3, [0.8] * 3], rtol=1e-6)
