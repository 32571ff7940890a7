"""Objectives for the chapter: module-level functions ``objective(config, budget, seed) -> loss``.

Module-level so that process pools and Dask workers can import them by name.

- :func:`mlp_validation_loss`: the real one. Trains the course MLP (coursekit.models.MLP)
  with coursekit.optim on the spirals data set (coursekit.data), ``budget`` epochs, and
  returns the validation cross-entropy. The trial seed fixes the initial weights and the
  order of the mini-batches; the data and the split are the same for every trial.
- :func:`noisy_bowl`: a known landscape plus known noise (claim C42, tests).
- :class:`FewImportant`: a family of landscapes where a few hyperparameters matter (C38).
- :func:`flaky`: fails on purpose (raises, or returns NaN) for some configs.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .. import data, models, optim

__all__ = ["mlp_validation_loss", "resume_validation_loss", "mlp_test_loss", "Checkpoint", "train_mlp", "splits", "noisy_bowl", "FewImportant", "flaky",
           "DEFAULTS"]

DEFAULTS = {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "batch_size": 32, "weight_decay": 0.0,
            "width": 32, "activation": "relu", "l2": 0.0}


@functools.lru_cache(maxsize=4)
def splits(n=600, noise=0.3, seed=0):
    """The spirals data (3 classes) split 60/20/20 into train, validation and test sets (dict of (X, y)).

    The test set is never seen by a search: the chapter scores it once, at the end."""
    X, y = data.spirals(n=n, n_classes=3, noise=noise, seed=seed)
    X_rest, X_test, y_rest, y_test = data.train_test_split(X, y, test_fraction=0.2, seed=seed)
    X_train, X_val, y_train, y_val = data.train_test_split(X_rest, y_rest, test_fraction=0.25, seed=seed + 1)
    return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}


@dataclass
class Checkpoint:
    """Where a training run stands after ``epochs`` epochs: enough to continue it exactly.

    Plain data (arrays, dicts, ints), so it travels to and from worker processes."""

    epochs: int
    params: list
    optimizer: dict            # optim.Optimizer.state_dict()
    rng: dict                  # the mini-batch order's bit-generator state
    finite: bool = True        # False once the loss was not finite (training stopped)


def _model(c, seed):
    return models.MLP([2, int(c["width"]), int(c["width"]), 3], activation=c["activation"], seed=seed,
                      l2=c["l2"])


def train_mlp(config, epochs, seed, record=False, start=None):
    """Train the MLP of ``config`` (keys of DEFAULTS) until it has seen ``epochs`` epochs: the inner loop.

    Returns (model, params), plus a dict of curves when ``record``: the loss of every
    mini-batch step ("steps"), the validation loss after each epoch ("val") and the
    gradient norm of every step ("grad_norm"). Stops early when the loss is not finite.
    ``start``: a :class:`Checkpoint` to continue from (``checkpoint(...)`` makes one); the
    result equals an uninterrupted run of ``epochs`` epochs bit for bit.
    """
    c = {**DEFAULTS, **config}
    X, y = splits()["train"]
    model = _model(c, seed)
    params = model.init_params() if start is None else [p.copy() for p in start.params]
    kw = {"lr": c["lr"], "weight_decay": c["weight_decay"]}
    if c["optimizer"] == "sgd":
        kw["momentum"] = c["momentum"]
    opt = optim.get(c["optimizer"])(params, **kw)
    rng = np.random.default_rng(seed)
    if start is not None:
        opt.load_state_dict(start.optimizer)
        rng.bit_generator.state = start.rng
    curves = {"steps": [], "val": [], "grad_norm": []}
    done, finite = (0, True) if start is None else (start.epochs, start.finite)
    with np.errstate(all="ignore"):
        for _ in range(done, epochs if finite else done):
            for Xb, yb in data.minibatches(X, y, int(c["batch_size"]), rng=rng):
                loss, grads = model.value_and_grad(params, Xb, yb)
                if record:
                    curves["steps"].append(float(loss))
                    curves["grad_norm"].append(float(np.sqrt(sum(np.sum(g * g) for g in grads))))
                if not math.isfinite(float(loss)):
                    finite = False
                    break
                opt.step(grads)
            if not finite:
                break
            if record:
                curves["val"].append(float(model.loss(params, *splits()["val"])))
    model.checkpoint = Checkpoint(max(done, epochs), params, opt.state_dict(), rng.bit_generator.state, finite)
    return (model, params, curves) if record else (model, params)


def _score(model, params, split):
    with np.errstate(all="ignore"):
        return float(model.loss(params, *splits()[split]))


def mlp_validation_loss(config, budget, seed):
    """Validation cross-entropy of the MLP trained ``budget`` epochs with ``config`` (the outer loop's score)."""
    model, params = train_mlp(config, budget, seed)
    return _score(model, params, "val")


def resume_validation_loss(config, budget, seed, checkpoint=None):
    """(score, checkpoint): :func:`mlp_validation_loss` continued from ``checkpoint`` (None: from scratch).

    A promoted configuration trains only ``budget - checkpoint.epochs`` more epochs, and its
    score equals ``mlp_validation_loss(config, budget, seed)`` exactly."""
    model, params = train_mlp(config, budget, seed, start=checkpoint)
    return _score(model, params, "val"), model.checkpoint


mlp_validation_loss.resume = resume_validation_loss     # searches that promote configs continue them


def mlp_test_loss(config, budget, seed):
    """The same model scored on the test set: call it once per chosen config, after the search is over."""
    model, params = train_mlp(config, budget, seed)
    return _score(model, params, "test")


NOISE = 0.05


def bowl(config) -> float:
    """The noiseless landscape of :func:`noisy_bowl`: sum_k (x_k - 0.3)^2 over the config's values."""
    return float(sum((float(v) - 0.3) ** 2 for v in config.values()))


def noisy_bowl(config, budget, seed):
    """bowl(config) + N(0, NOISE^2 / budget): a known answer and a known noise (sd 0.05 at budget 1)."""
    return bowl(config) + NOISE / math.sqrt(budget) * float(np.random.default_rng(seed).standard_normal())


class FewImportant:
    """f(config) = sum_k weights[k] (config[k] - optimum[k])^2: a landscape where the
    hyperparameters with large weights matter and the others barely do (Bergstra & Bengio 2012).
    Picklable (a module-level class), deterministic (budget and seed unused)."""

    def __init__(self, optimum, weights):
        self.optimum, self.weights = dict(optimum), dict(weights)

    def __call__(self, config, budget, seed):
        return float(sum(w * (config[k] - self.optimum[k]) ** 2 for k, w in self.weights.items()))


def flaky(config, budget, seed):
    """noisy_bowl, but raises for x > 0.8 and returns NaN for x < 0.1: failures a search must survive."""
    if config["x"] > 0.8:
        raise RuntimeError(f"training crashed at x = {config['x']:.3f}")
    if config["x"] < 0.1:
        return math.nan
    return noisy_bowl(config, budget, seed)
