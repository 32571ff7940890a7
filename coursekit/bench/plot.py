"""ms per step against N on log axes, with the bandwidth bound drawn (imports matplotlib)."""
from __future__ import annotations

__all__ = ["plot_record"]


def plot_record(record, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(r["optimizer"] for r in record["results"]))
    cols = min(3, len(names))
    rows_ = -(-len(names) // cols)
    fig, axes = plt.subplots(rows_, cols, figsize=(4.4 * cols, 3.6 * rows_ + 0.6), squeeze=False, sharey=True)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names):
        rows = [r for r in record["results"] if r["optimizer"] == name]
        for c in dict.fromkeys(r["contender"] for r in rows):
            pts = sorted((r["n"], r["median"], r["min"], r["max"]) for r in rows if r["contender"] == c)
            n, med, lo, hi = zip(*pts)
            ax.errorbar(n, med, yerr=[[m - a for m, a in zip(med, lo)], [b - m for m, b in zip(med, hi)]],
                        marker="o", ms=4, capsize=2, label=c, ls="--" if c.startswith("torch") else "-")
        bound = sorted({(r["n"], r["bound_ms"]) for r in rows})
        ax.plot(*zip(*bound), color="black", lw=2.5, marker="_", ms=14, label="bandwidth bound")
        ax.set(xscale="log", yscale="log", title=name, xlabel="parameters N")
        ax.grid(True, which="both", alpha=0.3)
    for row in axes:
        row[0].set_ylabel("ms per step (median, min-max)")
    axes.flat[len(names) - 1].legend(fontsize=8)
    fig.suptitle(f"Each step's time against the number of parameters, over the memory-bandwidth bound "
                 f"({record['backend']}, {record['dtype']}; bound: a = b + c timed beside the steps)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
