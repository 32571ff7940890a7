"""Pictures of searches (matplotlib). They take results and draw them; they compute nothing
that a search did not already record. Each returns the Axes (or the Figure for several)."""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

__all__ = ["best_so_far", "scatter", "rungs", "brackets", "comparison", "lr_range", "tempering",
           "training_curves"]


def _axes(ax, figsize=(5.5, 3.8)):
    return ax if ax is not None else plt.figure(figsize=figsize).add_subplot()


def best_so_far(studies, ax=None, title=None):
    """Best score so far against budget spent, one line per study (a Study, a list or a dict)."""
    ax = _axes(ax)
    if not isinstance(studies, dict):
        studies = {getattr(s, "name", str(i)): s for i, s in enumerate(np.atleast_1d(studies))}
    for label, study in studies.items():
        spent, best = study.best_so_far()
        ax.step(spent, np.where(np.isfinite(best), best, np.nan), where="post", label=label)
    ax.set(xlabel="budget spent (epochs)", ylabel="best validation loss so far", yscale="log",
           title=title or "The best score found so far, against the budget spent")
    ax.legend(fontsize="small")
    return ax


def scatter(study, names=None, ax=None, title=None, log=("lr", "weight_decay", "l2")):
    """Score against each hyperparameter (one panel each); failed trials as red crosses at the top."""
    trials = study.trials
    names = names or list(trials[0].config)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.0), sharey=True, squeeze=False)
    ok = [t for t in trials if t.ok]
    top = max(t.score for t in ok) if ok else 1.0
    for a, name in zip(axes[0], names):
        a.scatter([t.config[name] for t in ok], [t.score for t in ok], s=14, alpha=0.7, label="trial")
        bad = [t.config[name] for t in trials if not t.ok]
        if bad:
            a.scatter(bad, [top] * len(bad), marker="x", color="C3", label="failed")
        if name in log:
            a.set_xscale("log")
        a.set(xlabel=name)
    axes[0][0].set(ylabel="validation loss")
    axes[0][0].legend(fontsize="small")
    fig.suptitle(title or "Validation loss against each hyperparameter")
    fig.tight_layout()
    return fig


def rungs(study, ax=None, title=None):
    """Successive halving: each config's score at each budget, survivors joined by lines."""
    ax = _axes(ax)
    by_config = {}
    for t in study.trials:
        if t.ok:
            by_config.setdefault((t.info.get("bracket"), t.info.get("config")), []).append((t.budget, t.score))
    for points in by_config.values():
        b, s = zip(*sorted(points))
        ax.plot(b, s, "o-", ms=3, lw=0.8, alpha=0.6, color="C0" if len(b) > 1 else "0.6")
    ax.set(xscale="log", yscale="log", xlabel="budget (epochs)", ylabel="validation loss",
           title=title or "Successive halving keeps the best third at each rung")
    return ax


def brackets(bracket_list, ax=None, title=None):
    """Hyperband's brackets: number of configs against budget per rung, one line per bracket.

    ``bracket_list`` as :func:`halving.hyperband_brackets` gives it: s = s_max first, down to 0.
    """
    ax = _axes(ax)
    for i, rung_list in enumerate(bracket_list):
        n, b = zip(*rung_list)
        ax.plot(b, n, "o-", label=f"s = {len(bracket_list) - 1 - i}: {n[0]} configs from budget {b[0]}")
    ax.set(xscale="log", yscale="log", xlabel="budget per config (epochs)", ylabel="configs in the rung",
           title=title or "Hyperband's brackets trade many cheap configs for few full ones")
    ax.legend(fontsize="small")
    return ax


def comparison(results, ax=None, title=None, ylabel="best validation loss"):
    """Each strategy's best scores over seeds (dict name -> list): points, median bar."""
    ax = _axes(ax, figsize=(7, 3.8))
    for i, (name, values) in enumerate(results.items()):
        v = np.asarray(values, float)
        ax.scatter(np.full(v.size, i) + np.linspace(-0.12, 0.12, v.size), v, s=16, alpha=0.7)
        ax.hlines(np.median(v), i - 0.3, i + 0.3, color="k", label="median" if i == 0 else None)
    ax.set_xticks(range(len(results)), list(results), rotation=25, ha="right")
    ax.set(xlabel="strategy", ylabel=ylabel, title=title or "Best score per seed, equal budget")
    ax.legend(fontsize="small")
    return ax


def lr_range(result, ax=None, title=None):
    """The range test: loss against learning rate (log), smoothed, with the suggestion marked."""
    ax = _axes(ax)
    ax.plot(result.lrs, result.losses, color="0.7", lw=0.8, label="mini-batch loss")
    ax.plot(result.lrs, result.smoothed, label="smoothed loss")
    ax.axvline(result.suggestion, color="C3", ls="--", label=f"suggestion {result.suggestion:.2g}")
    ax.set(xscale="log", xlabel="learning rate", ylabel="training loss",
           title=title or "The loss against a growing learning rate")
    ax.legend(fontsize="small")
    return ax


def tempering(runs, ax=None, title=None, threshold=None):
    """Lowest energy found so far by any replica, per sweep, for several runs (dict label -> Tempering)."""
    ax = _axes(ax)
    for label, run in runs.items():
        ax.plot(np.minimum.accumulate(run.energies.min(axis=1)), label=label)
    if threshold is not None:
        ax.axhline(threshold, color="k", ls=":", label="global basin below this line")
    ax.set(xlabel="sweep", ylabel="lowest energy so far", yscale="log",
           title=title or "Lowest energy found so far")
    ax.legend(fontsize="small")
    return ax


def training_curves(curves, axes=None, title=None):
    """Per-step losses of several runs (dict label -> curves of objectives.train_mlp), one panel each."""
    if axes is None:
        fig, axes = plt.subplots(1, len(curves), figsize=(3.2 * len(curves), 3.0), squeeze=False)
        axes = axes[0]
    for a, (label, c) in zip(axes, curves.items()):
        for key, style in (("broken", "C3"), ("fixed", "C0")):
            if key in c:
                steps = np.asarray(c[key]["steps"], float)
                a.plot(np.arange(steps.size), steps, color=style, lw=0.6, label=key)
        a.set(yscale="log", xlabel="step", ylabel="mini-batch loss", title=label)
    axes[0].legend(fontsize="small")
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    return axes[0].figure
