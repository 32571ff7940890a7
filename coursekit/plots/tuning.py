"""Pictures of searches (matplotlib). They take results and draw them; they compute nothing
that a search did not already record. Each returns the Axes (or the Figure for several)."""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

__all__ = ["best_so_far", "scatter", "rungs", "brackets", "comparison", "best_of_n", "importance", "lr_range",
           "tempering", "training_curves", "timeline", "tpe"]


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


def comparison(results, ax=None, title=None, ylabel="best validation loss", intervals=None):
    """Each strategy's scores over seeds (dict name -> list): points, median bar, and with
    ``intervals`` (dict name -> (low, high)) the median's confidence interval as an error bar."""
    ax = _axes(ax, figsize=(7, 3.8))
    for i, (name, values) in enumerate(results.items()):
        v = np.asarray(values, float)
        ax.scatter(np.full(v.size, i) + np.linspace(-0.15, 0.15, v.size), v, s=10, alpha=0.45, color="C0",
                   label="one seed" if i == 0 else None)
        ax.hlines(np.median(v), i - 0.3, i + 0.3, color="k", label="median" if i == 0 else None)
        if intervals is not None and name in intervals:
            low, high = intervals[name]
            ax.errorbar(i + 0.34, np.median(v), yerr=[[np.median(v) - low], [high - np.median(v)]], fmt="none",
                        ecolor="C3", capsize=3, lw=1.5, label="95% interval of the median" if i == 0 else None)
    ax.set_xticks(range(len(results)), list(results), rotation=30, ha="right")
    ax.set(xlabel="strategy", ylabel=ylabel, title=title or "Best score per seed, equal budget")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def best_of_n(curve, ax=None, title=None, ylabel="test loss of the config chosen on validation"):
    """``experiments.ch4_compare.best_of_n`` output (n -> (median, q10, q90)): the median and the
    10-90% band against n."""
    ax = _axes(ax)
    n = np.array(sorted(curve))
    med, lo, hi = (np.array([curve[k][j] for k in n]) for j in range(3))
    ax.fill_between(n, lo, hi, alpha=0.25, label="10% to 90% of draws")
    ax.plot(n, med, "o-", ms=3, label="median")
    ax.set(xscale="log", yscale="log", xlabel="trials (random configs, 27 epochs each)", ylabel=ylabel,
           title=title or "More trials help less and less")
    ax.legend(fontsize="small")
    return ax


def importance(result, ax=None, title=None):
    """``sensitivity.importance`` output: each hyperparameter's share per seed, the shuffled baseline's
    mean and 95th percentile as lines."""
    ax = _axes(ax, figsize=(6, 3.4))
    shares, names = result["shares"], result["names"]
    for j, name in enumerate(names):
        ax.scatter(np.full(shares.shape[0], j) + np.linspace(-0.12, 0.12, shares.shape[0]), shares[:, j],
                   color="C0", s=18, label="one seed's random search" if j == 0 else None)
        ax.hlines(shares[:, j].mean(), j - 0.3, j + 0.3, color="k", label="mean over seeds" if j == 0 else None)
    ax.axhline(result["null"].mean(), color="C3", ls=":", label="shuffled scores: mean")
    ax.axhline(np.quantile(result["null"], 0.95), color="C3", ls="--", label="shuffled scores: 95th percentile")
    ax.set_xticks(range(len(names)), names)
    ax.set(xlabel="hyperparameter", ylabel="share of the variance explained alone",
           title=title or "Only shares above the shuffled baseline mean anything")
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


def timeline(rows_by_name, axes=None, title=None):
    """Worker timelines (dict name -> [(worker, start, end, rung), ...]), one panel each: a bar per
    job, coloured by rung; idle time shows as gaps."""
    if axes is None:
        fig, axes = plt.subplots(len(rows_by_name), 1, figsize=(7, 1.5 + 1.1 * len(rows_by_name)), sharex=True,
                                 squeeze=False)
        axes = axes[:, 0]
    rungs = sorted({r[3] for rows in rows_by_name.values() for r in rows})
    for a, (name, rows) in zip(axes, rows_by_name.items()):
        for w, start, end, k in rows:
            a.barh(w, end - start, left=start, color=f"C{rungs.index(k)}", edgecolor="white", lw=0.5)
        busy = sum(e - s for _, s, e, _ in rows)
        workers = 1 + max(r[0] for r in rows)
        span = max(r[2] for r in rows)
        a.set(ylabel="worker", yticks=range(workers),
              title=f"{name}: done at {span:g} epochs, workers busy {busy / (workers * span):.0%} of the time")
    from matplotlib.patches import Patch
    axes[0].legend(handles=[Patch(color=f"C{i}", label=f"rung {k}") for i, k in enumerate(rungs)],
                   fontsize="small", ncol=len(rungs), loc="upper right")
    axes[-1].set(xlabel="time (epochs trained, one epoch = one unit)")
    fig = axes[0].figure
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def tpe(d, ax=None, title=None, xlabel="learning rate (unit coordinate of its log scale)"):
    """``tpe.tpe_densities`` output: the good and bad trials, the densities l and g, and l / g."""
    ax = _axes(ax, figsize=(6, 3.6))
    ax.plot(d["grid"], d["l"], color="C2", label="l(x): density of the good trials")
    ax.plot(d["grid"], d["g"], color="C3", label="g(x): density of the others")
    ax.plot(d["good"], np.zeros_like(d["good"]), "|", color="C2", ms=14)
    ax.plot(d["bad"], np.zeros_like(d["bad"]), "|", color="C3", ms=10)
    ax.axvline(d["proposal"], color="k", ls="--", label=f"TPE's proposal: argmax l/g = {d['proposal']:.2f}")
    ax.set(xlabel=xlabel, ylabel="density", title=title or "TPE proposes where good trials are dense and bad ones rare")
    ax.legend(fontsize="small")
    return ax
