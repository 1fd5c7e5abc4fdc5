"""Evaluation figures of the showcase applications: an error timeline with its anomalous window,
and a distance profile over Hamming distances."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from aekit.errors import DataError
from aekit.plots._layout import new_figure

__all__ = ["plot_error_timeline", "plot_distance_by_hamming"]


def plot_error_timeline(
    time: Sequence[float],
    errors: Sequence[float],
    anomalous: Sequence[bool],
    threshold: float,
    *,
    ylabel: str = "reconstruction error",
    title: str | None = None,
) -> Figure:
    """Error against time: the anomalous span shaded, the threshold drawn, points above it in red.

    Examples
    --------
    >>> from aekit.plots.evaluation import plot_error_timeline
    >>> fig = plot_error_timeline([1, 2, 3, 4], [0.1, 0.2, 2.0, 0.1], [False, False, True, False], 1.0)
    >>> fig.axes[0].get_legend_handles_labels()[1]
    ['anomalous window', 'reconstruction error', 'above threshold (1)', 'threshold 1']
    """
    t, e, a = np.asarray(time, float), np.asarray(errors, float), np.asarray(anomalous, bool)
    if not (t.shape == e.shape == a.shape) or t.ndim != 1:
        raise DataError(f"time, errors and anomalous must be 1-D of one length; got {t.shape}, {e.shape}, {a.shape}.")
    fig = new_figure(7.5, 3.8)
    ax = fig.add_subplot()
    if a.any():
        ax.axvspan(t[a].min(), t[a].max(), color="tab:orange", alpha=0.2, label="anomalous window")
    ax.plot(t, e, color="tab:blue", lw=1, label=ylabel)
    above = e > threshold
    ax.scatter(t[above], e[above], color="tab:red", s=12, zorder=3, label=f"above threshold ({above.sum()})")
    ax.axhline(threshold, color="k", ls="--", lw=0.8, label=f"threshold {threshold:.3g}")
    ax.set_xlabel("t")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_distance_by_hamming(
    distances: Sequence[int],
    means: Sequence[float],
    baseline: float | None = None,
    *,
    ylabel: str = "mean cosine distance",
    title: str | None = None,
) -> Figure:
    """Mean true distance between groups of items against the Hamming distance of their codes.

    Examples
    --------
    >>> from aekit.plots.evaluation import plot_distance_by_hamming
    >>> fig = plot_distance_by_hamming([0, 1, 2], [0.2, 0.4, float("nan")], baseline=0.5)
    >>> fig.axes[0].get_xlabel()
    'Hamming distance between codes'
    """
    d, m = np.asarray(distances, float), np.asarray(means, float)
    if d.shape != m.shape:
        raise DataError(f"distances and means must have one length; got {d.shape} and {m.shape}.")
    fig = new_figure(6.4, 4.0)
    ax = fig.add_subplot()
    ok = np.isfinite(m)
    ax.plot(d[ok], m[ok], "-o", color="tab:blue", label="pairs of code groups")
    if baseline is not None:
        ax.axhline(baseline, color="k", ls="--", lw=0.8, label=f"all pairs of items ({baseline:.3g})")
    ax.set_xticks(d)
    ax.set_xlabel("Hamming distance between codes")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig
