"""Golden trajectories of torch.optim in float64, for tests/test_optim_golden.py.

Regenerate (needs torch; 2.13.0 made the stored files):

    .venv/bin/python tests/golden/make_golden.py

Each *problem* is a parameter layout (one vector, one matrix, a list of two arrays)
with a fixed gradient source: the gradient of the convex quartic

    f(x) = 1/2 (x - c)^T A (x - c) + 0.1/4 * sum((x - c)^4)

at the current parameters (all of them flattened into x), plus a noise term drawn
once up front, so torch and coursekit see the same gradient whenever their
parameters agree. The gradient is always computed here, by NumPy, from the current
parameters: differences can only come from the optimizers' arithmetic.

Writes ``problems.npz`` (x0, A, c, noise per layout) and ``torch_<optimizer>.npz``
(the option cases as JSON and one trajectory of shape (STEPS + 1, n) per case and
layout).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
STEPS = 100
CUBIC = 0.1
LAYOUTS = {"vector": [(3,)], "matrix": [(4, 5)], "pair": [(2, 3), (4,)]}

# case name -> (optimizer, keyword arguments); every option of every optimizer appears.
CASES = {
    "sgd_plain": ("sgd", {"lr": 0.05}),
    "sgd_momentum": ("sgd", {"lr": 0.02, "momentum": 0.9}),
    "sgd_dampening": ("sgd", {"lr": 0.02, "momentum": 0.9, "dampening": 0.5}),
    "sgd_nesterov": ("sgd", {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": ("sgd", {"lr": 0.05, "weight_decay": 0.1}),
    "sgd_all": ("sgd", {"lr": 0.02, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    "adagrad_plain": ("adagrad", {"lr": 0.3}),
    "adagrad_lr_decay": ("adagrad", {"lr": 0.3, "lr_decay": 0.01}),
    "adagrad_initial_accumulator": ("adagrad", {"lr": 0.3, "initial_accumulator_value": 0.5}),
    "adagrad_weight_decay": ("adagrad", {"lr": 0.3, "weight_decay": 0.1, "eps": 1e-6}),
    "adagrad_all": ("adagrad", {"lr": 0.5, "lr_decay": 0.02, "initial_accumulator_value": 0.1,
                                "weight_decay": 0.05, "eps": 1e-3}),
    "rmsprop_plain": ("rmsprop", {"lr": 0.01}),
    "rmsprop_centered": ("rmsprop", {"lr": 0.01, "centered": True}),
    "rmsprop_momentum": ("rmsprop", {"lr": 0.005, "momentum": 0.9}),
    "rmsprop_weight_decay": ("rmsprop", {"lr": 0.01, "alpha": 0.9, "weight_decay": 0.1}),
    "rmsprop_all": ("rmsprop", {"lr": 0.01, "alpha": 0.95, "eps": 1e-4, "weight_decay": 0.05,
                                "momentum": 0.5, "centered": True}),
    "adam_plain": ("adam", {"lr": 0.05}),
    "adam_amsgrad": ("adam", {"lr": 0.05, "amsgrad": True}),
    "adam_weight_decay": ("adam", {"lr": 0.05, "weight_decay": 0.1}),
    "adam_all": ("adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-4, "weight_decay": 0.05,
                          "amsgrad": True}),
    "adamw_plain": ("adamw", {"lr": 0.05}),
    "adamw_amsgrad": ("adamw", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    "adamw_betas": ("adamw", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.2}),
}


def make_problem(layout: str, seed: int) -> dict:
    """x0, A (SPD, eigenvalues in [0.5, 2]), c and the noise (STEPS, n) for one layout."""
    n = sum(int(np.prod(s)) for s in LAYOUTS[layout])
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (q * np.linspace(0.5, 2.0, n)) @ q.T
    c = rng.standard_normal(n)
    return {"x0": c + 1.5 * rng.standard_normal(n), "A": (A + A.T) / 2, "c": c,
            "noise": 0.3 * rng.standard_normal((STEPS, n))}


def gradient(problem: dict, x: np.ndarray, t: int) -> np.ndarray:
    """The gradient fed at step t (from 1) at the flat parameter vector x (NumPy, float64)."""
    d = x - problem["c"]
    return problem["A"] @ d + CUBIC * d ** 3 + problem["noise"][t - 1]


def split(x: np.ndarray, layout: str) -> list:
    """The flat vector x as the layout's list of arrays (copies)."""
    out, k = [], 0
    for shape in LAYOUTS[layout]:
        size = int(np.prod(shape))
        out.append(np.array(x[k:k + size].reshape(shape)))
        k += size
    return out


def torch_trajectory(problem: dict, layout: str, optimizer: str, kwargs: dict) -> np.ndarray:
    """The (STEPS + 1, n) parameter trajectory of torch.optim (float64, single-tensor path)."""
    import torch

    classes = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
               "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
              for a in split(problem["x0"], layout)]
    opt = classes[optimizer](params, foreach=False, **kwargs)
    flat = lambda: np.concatenate([p.detach().numpy().ravel() for p in params])  # noqa: E731
    traj = [flat()]
    for t in range(1, STEPS + 1):
        for p, g in zip(params, split(gradient(problem, traj[-1], t), layout)):
            p.grad = torch.from_numpy(g)
        opt.step()
        traj.append(flat())
    return np.stack(traj)


def problems() -> dict:
    return {layout: make_problem(layout, seed) for seed, layout in enumerate(LAYOUTS)}


def load_problems(path=HERE / "problems.npz") -> dict:
    with np.load(path) as z:
        return {layout: {k: z[f"{layout}__{k}"] for k in ("x0", "A", "c", "noise")} for layout in LAYOUTS}


def main():
    probs = problems()
    np.savez_compressed(HERE / "problems.npz",
                        **{f"{lay}__{k}": v for lay, p in probs.items() for k, v in p.items()})
    for opt_name in ("sgd", "adagrad", "rmsprop", "adam", "adamw"):
        cases = {name: kw for name, (o, kw) in CASES.items() if o == opt_name}
        arrays = {"cases": np.array(json.dumps(cases))}
        for case, kwargs in cases.items():
            for layout, prob in probs.items():
                arrays[f"{case}__{layout}"] = torch_trajectory(prob, layout, opt_name, kwargs)
        np.savez_compressed(HERE / f"torch_{opt_name}.npz", **arrays)
    sizes = {p.name: p.stat().st_size for p in sorted(HERE.glob("*.npz"))}
    print(f"wrote {len(sizes)} files, {sum(sizes.values()) / 1e3:.0f} kB in all: {sizes}")


if __name__ == "__main__":
    main()
