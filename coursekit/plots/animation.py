"""Paths growing step by step on a landscape's contour map, as HTML for a notebook.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from ._common import _colors, _paths
from .landscape import contour


class _HTML:
    """Minimal HTML holder for when IPython is not installed."""

    def __init__(self, data):
        self.data = data

    def _repr_html_(self):
        return self.data


def animate(trajectories, landscape, frames=None, *, interval=120, labels=None,
            figsize=(5, 4), dpi=72, **contour_kw):
    """Animate paths growing step by step on the landscape's contour map.

    frames: how many frames (default up to 30, spread evenly over the longest path; each
        costs about 35 kB of notebook). ``contour_kw`` go to :func:`contour` (default:
        filled, light colors, resolution 100).
    Returns an object shown as HTML in a notebook (IPython.display.HTML of
    FuncAnimation.to_jshtml; a still image of the last frame if rendering the
    animation fails). Its ``.data`` is the HTML text.
    """
    from matplotlib.animation import FuncAnimation
    paths = _paths(trajectories, labels)
    if not paths:
        raise ValueError("trajectories: nothing to animate")
    n = max(len(xy) for _, xy, _ in paths)
    frames = min(n, 30) if frames is None else int(frames)
    if frames < 1:
        raise ValueError(f"frames must be a positive integer, got {frames}")
    idx = np.unique(np.round(np.linspace(0, n - 1, frames)).astype(int))
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    contour_kw = {"filled": True, "resolution": 100, "cmap": "PuBu", **contour_kw}
    contour(landscape, None, ax=ax, **contour_kw)
    colors = _colors()
    lines, heads = [], []
    for j, (lab, xy, _) in enumerate(paths):
        c = colors[j % len(colors)]
        lines.append(ax.plot([], [], "-", color=c, lw=1.5, label=lab, gid="trajectory")[0])
        heads.append(ax.plot([], [], "o", color=c, ms=6, gid="end")[0])
    if len(paths) > 1 or labels is not None:
        ax.legend(fontsize="small", loc="upper right")
    title = ax.set_title("")

    def update(frame):
        k = int(idx[frame])
        for (_, xy, _), line, head in zip(paths, lines, heads):
            m = min(k, len(xy) - 1) + 1
            line.set_data(xy[:m, 0], xy[:m, 1])
            head.set_data(xy[m - 1:m, 0], xy[m - 1:m, 1])
        title.set_text(f"step {k}")
        return lines + heads + [title]

    anim = FuncAnimation(fig, update, frames=len(idx), interval=interval, blit=False)
    try:
        html = anim.to_jshtml(default_mode="once")
    except Exception as exc:   # fallback: a still picture of the last frame
        import base64
        import io
        update(len(idx) - 1)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        html = (f"<p>animation unavailable ({type(exc).__name__}); last frame:</p>"
                f'<img src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"/>')
    finally:
        plt.close(fig)
    try:
        from IPython.display import HTML
    except ImportError:
        return _HTML(html)
    return HTML(html)
