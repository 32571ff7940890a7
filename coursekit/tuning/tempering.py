"""Replica exchange (parallel tempering) and its single-temperature baseline.

R replicas run Metropolis random walks on ``energy`` at temperatures T_1 < ... < T_R
(beta = 1/T). A hot replica crosses barriers; a cold one settles into a basin. After
every sweep neighbours (i, i+1) propose to swap states, accepted with probability

    min(1, exp((beta_i - beta_j)(E_i - E_j)))

which keeps every replica's Boltzmann distribution exp(-beta E) stationary (detailed
balance on the joint state; Swendsen & Wang 1986, Geyer 1991). A good state found hot
flows down to the cold replica. With ``exchange=False`` (or all temperatures equal)
it is R independent Metropolis chains: the same budget of energy evaluations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import count, real_array

__all__ = ["swap_probability", "replica_exchange", "simulated_annealing", "Tempering"]


def swap_probability(beta_i, beta_j, E_i, E_j):
    """min(1, exp((beta_i - beta_j)(E_i - E_j))): the chance that replicas i and j swap states."""
    beta_i, beta_j, E_i, E_j = (np.asarray(real_array(v, name)[1]) for v, name in
                                ((beta_i, "beta_i"), (beta_j, "beta_j"), (E_i, "E_i"), (E_j, "E_j")))
    with np.errstate(over="ignore"):
        p = np.minimum(1.0, np.exp(np.minimum((beta_i - beta_j) * (E_i - E_j), 0.0)))
    return float(p) if np.ndim(p) == 0 else p


@dataclass
class Tempering:
    """A tempering run: ``energies`` (steps + 1, R) per temperature slot, ``states`` (R, d) at the end,
    the best state and energy ever visited, the swap acceptance rate of each neighbour pair."""

    temperatures: np.ndarray
    energies: np.ndarray
    states: np.ndarray
    best_x: np.ndarray
    best_energy: float
    swap_rate: np.ndarray
    evaluations: int


def _check(energy, x0, temperatures, steps, step_size):
    if not callable(energy):
        raise TypeError("energy must be a callable x (..., d) -> energies (...)")
    T = np.atleast_1d(np.asarray(real_array(temperatures, "temperatures")[1]))
    if T.ndim != 1 or not np.all(T > 0) or not np.all(np.isfinite(T)):
        raise ValueError(f"temperatures must be positive finite numbers, got {temperatures!r}")
    steps = count(steps, "steps")
    step = np.asarray(real_array(step_size, "step_size")[1])
    if step.ndim > 1 or step.size not in (1, T.size):
        raise ValueError(f"step_size must be one number or one per temperature ({T.size}), got shape {step.shape}")
    step = np.broadcast_to(step, T.shape).copy()
    if not np.all(step > 0):
        raise ValueError(f"step_size must be > 0, got {step_size!r}")
    x0 = np.asarray(real_array(x0, "x0")[1])
    if x0.ndim not in (1, 2) or (x0.ndim == 2 and x0.shape[0] not in (1, T.size)):
        raise ValueError(f"x0 must be one point (d,) or one per temperature ({T.size}, d), got shape {x0.shape}")
    x = np.broadcast_to(x0, (T.size, x0.shape[-1])).copy()
    return T, steps, step, x


def replica_exchange(energy, x0, *, temperatures, steps, step_size, seed=0, exchange=True):
    """Parallel tempering: ``steps`` sweeps of R Metropolis moves, then neighbour swaps
    (even pairs on even sweeps, odd pairs on odd ones). ``energy`` maps (R, d) to (R,);
    ``step_size`` is one number or one per temperature. Costs R energy evaluations per sweep."""
    T, steps, step, x = _check(energy, x0, temperatures, steps, step_size)
    rng = np.random.default_rng(seed)
    beta, R = 1.0 / T, T.size
    E = np.asarray(energy(x), dtype=float)
    energies, best_x, best_E = [E.copy()], x[np.argmin(E)].copy(), float(E.min())
    tried, accepted = np.zeros(max(R - 1, 1)), np.zeros(max(R - 1, 1))
    for k in range(steps):
        proposal = x + step[:, None] * rng.standard_normal(x.shape)          # Metropolis move
        E_new = np.asarray(energy(proposal), dtype=float)
        accept = rng.random(R) < np.exp(np.minimum(-beta * (E_new - E), 0.0))
        x[accept], E[accept] = proposal[accept], E_new[accept]
        if E.min() < best_E:
            best_E, best_x = float(E.min()), x[np.argmin(E)].copy()
        if exchange:
            for i in range(k % 2, R - 1, 2):                                 # swap neighbours
                tried[i] += 1
                if rng.random() < swap_probability(beta[i], beta[i + 1], E[i], E[i + 1]):
                    accepted[i] += 1
                    x[[i, i + 1]], E[[i, i + 1]] = x[[i + 1, i]], E[[i + 1, i]]
        energies.append(E.copy())
    rate = np.divide(accepted, tried, out=np.full_like(tried, np.nan), where=tried > 0)
    return Tempering(T, np.array(energies), x, best_x, best_E, rate[: R - 1], R * (steps + 1))


def simulated_annealing(energy, x0, *, t_start, t_end, steps, step_size, chains=1, seed=0,
                        scale_steps=False):
    """Metropolis chains whose common temperature cools geometrically from t_start to t_end
    (one temperature at a time; Kirkpatrick et al. 1983). ``chains`` independent chains cost
    as much as that many replicas. With ``scale_steps`` the proposal step is
    step_size sqrt(T / t_end) at temperature T (the rule to give replicas at T = t_end ... t_start
    for a like-for-like comparison)."""
    t_start, t_end = float(t_start), float(t_end)
    if not (t_start > 0 and t_end > 0 and math.isfinite(t_start) and math.isfinite(t_end)):
        raise ValueError(f"t_start and t_end must be positive, got {t_start}, {t_end}")
    chains = count(chains, "chains")
    T, steps, step, x = _check(energy, x0, np.full(chains, t_start), steps, step_size)
    rng = np.random.default_rng(seed)
    E = np.asarray(energy(x), dtype=float)
    energies, best_x, best_E = [E.copy()], x[np.argmin(E)].copy(), float(E.min())
    for k in range(steps):
        temperature = t_start * (t_end / t_start) ** (k / max(steps - 1, 1))
        beta, scale = 1.0 / temperature, math.sqrt(temperature / t_end) if scale_steps else 1.0
        proposal = x + scale * step[:, None] * rng.standard_normal(x.shape)
        E_new = np.asarray(energy(proposal), dtype=float)
        accept = rng.random(chains) < np.exp(np.minimum(-beta * (E_new - E), 0.0))
        x[accept], E[accept] = proposal[accept], E_new[accept]
        if E.min() < best_E:
            best_E, best_x = float(E.min()), x[np.argmin(E)].copy()
        energies.append(E.copy())
    return Tempering(T, np.array(energies), x, best_x, best_E, np.array([]), chains * (steps + 1))
