"""The record of a search: its trials, the best one, a table, and plots on demand.

A :class:`Trial` is one call ``objective(config, budget, seed)``; a failed trial
(the objective raised, or returned NaN / inf) keeps its message in ``error`` and a
score of NaN. :class:`Study` holds the trials in the order they were submitted.
``Study.plot`` loads ``coursekit.plots.tuning`` on demand: importing this module
never imports matplotlib.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Trial", "Study", "Table"]


@dataclass
class Trial:
    """One evaluation: ``score = objective(config, budget, seed)`` (lower is better)."""

    number: int
    config: dict
    budget: int
    seed: int
    score: float = math.nan
    seconds: float = 0.0
    error: "str | None" = None
    info: dict = field(default_factory=dict)   # search-specific: bracket, rung, generation, ...
    cost: "int | None" = None                  # epochs actually trained (a resumed trial: fewer than budget)
    checkpoint: object = field(default=None, repr=False, compare=False)   # to continue a resumed trial

    @property
    def spent(self) -> int:
        """The budget this trial cost: ``cost`` when it continued a checkpoint, else ``budget``."""
        return self.budget if self.cost is None else self.cost

    @property
    def ok(self) -> bool:
        return self.error is None


class Table(list):
    """Rows (dicts) that print as a text table and show as HTML in a notebook."""

    def _cells(self):
        columns = list(dict.fromkeys(k for row in self for k in row))
        def show(v):
            if isinstance(v, float):
                return f"{v:.4g}"
            return "" if v is None else str(v)
        return columns, [[show(row.get(c)) for c in columns] for row in self]

    def __str__(self):
        columns, rows = self._cells()
        widths = [max([len(c)] + [len(r[j]) for r in rows]) for j, c in enumerate(columns)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
        lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in rows]
        return "\n".join(lines)

    def _repr_html_(self):
        import html
        columns, rows = self._cells()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


@dataclass
class Study:
    """The trials of one search, in submission order; ``info`` holds search-specific results."""

    trials: list
    name: str = ""
    info: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.trials)

    def __repr__(self):
        best = self.best
        text = f"best score {best.score:.4g} at budget {best.budget}" if best else "no successful trial"
        return (f"Study({self.name!r}: {len(self.trials)} trials, {self.n_failed} failed, "
                f"budget spent {self.budget_spent}, {text})")

    @property
    def ok_trials(self) -> list:
        return [t for t in self.trials if t.ok]

    @property
    def n_failed(self) -> int:
        return sum(not t.ok for t in self.trials)

    @property
    def budget_spent(self) -> int:
        """The epochs all trials cost (failed ones included: they cost too; a resumed trial only
        the epochs it added to its checkpoint)."""
        return int(sum(t.spent for t in self.trials))

    @property
    def chosen(self) -> "dict | None":
        """The config the search recommends: ``info["chosen"]`` when the search sets one (the
        surrogate search's incumbent), else the best trial's."""
        if "chosen" in self.info:
            return self.info["chosen"]
        return self.best.config if self.best else None

    @property
    def best(self) -> "Trial | None":
        """The successful trial with the lowest score among those at the largest budget tried."""
        ok = self.ok_trials
        if not ok:
            return None
        top = max(t.budget for t in ok)
        return min((t for t in ok if t.budget == top), key=lambda t: t.score)

    def scores(self) -> np.ndarray:
        return np.array([t.score for t in self.trials], dtype=float)

    def best_so_far(self):
        """(budget spent after each trial, lowest successful score so far): the search's progress."""
        spent = np.cumsum([t.spent for t in self.trials])
        score = np.where([t.ok for t in self.trials], self.scores(), np.inf)
        return spent, np.minimum.accumulate(score)

    def table(self, limit=None, sort=False) -> Table:
        """The trials as rows: trial, hyperparameters, budget, score, seconds, error."""
        trials = sorted(self.trials, key=lambda t: (not t.ok, t.score)) if sort else self.trials
        rows = Table()
        for t in trials[:limit]:
            rows.append({"trial": t.number, **t.config, "budget": t.budget, "score": t.score,
                         "seconds": round(t.seconds, 4), "error": t.error})
        return rows

    def plot(self, kind="best", ax=None, **kw):
        """``kind="best"``: best score so far against budget spent; ``"scatter"``: score against
        each hyperparameter; ``"rungs"``: scores per budget (successive halving)."""
        from ..plots import tuning as plotting   # lazy: importing this module must not import matplotlib
        kinds = {"best": plotting.best_so_far, "scatter": plotting.scatter, "rungs": plotting.rungs}
        if kind not in kinds:
            raise ValueError(f"kind must be one of {sorted(kinds)}, got {kind!r}")
        return kinds[kind](self, ax=ax, **kw)
