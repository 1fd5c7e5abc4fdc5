"""Latent maps: codes as points in 2-D or 3-D, labelled by text or coloured by class."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from aekit.apps.visualise import project_codes
from aekit.errors import ConfigError, DataError, check_choice
from aekit.plots._layout import as_matrix, new_figure

__all__ = ["plot_latent_map"]

MAX_LEGEND_CLASSES = 20


def plot_latent_map(
    codes: object,
    labels: Sequence[object] | None = None,
    *,
    label_kind: str = "text",
    projection: str = "pca",
    axis_names: Sequence[str] | None = None,
    title: str | None = None,
    random_state: int = 0,
    max_points: int | None = 5000,
) -> Figure:
    """Scatter the codes: 2-D as is, 3-D on 3-D axes, more dimensions projected to 2-D.

    Parameters
    ----------
    codes : array (n, k)
        One code per sample, e.g. ``estimator.transform(X)``.
    labels : sequence of length n, optional
        One label per point: written beside it (``label_kind="text"``, e.g. the characters of
        the font) or used as its class colour with a legend (``label_kind="class"``).
    label_kind : {"text", "class"}
    projection : {"pca", "tsne"}
        How codes with more than 3 dimensions are brought to 2-D.
    axis_names : sequence of str, optional
        Axis labels; default ``z1, z2[, z3]`` or the projection's components.
    title : str, optional
    random_state : int
        Seed of the projection and of the subsample.
    max_points : int or None, default=5000
        Draw a random subsample of this many codes when there are more (60,000 MNIST codes
        are a solid blot, and t-SNE on all of them takes minutes); None draws every code. The
        title says how many are shown.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.plots import plot_latent_map
    >>> codes = np.array([[0.0, 0.0], [1.0, 0.5], [0.2, 1.0]])
    >>> fig = plot_latent_map(codes, ["a", "b", "c"])
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['a', 'b', 'c']
    """
    label_kind = check_choice("label_kind", label_kind, ["text", "class"])
    counts = isinstance(max_points, (int, np.integer)) and not isinstance(max_points, bool)
    if max_points is not None and not (counts and max_points >= 1):
        raise ConfigError(
            f"max_points must be a positive integer or None; got {max_points!r}. "
            "Fix: e.g. max_points=5000, or None to draw every code."
        )
    points = as_matrix(codes, "codes")
    n, k = points.shape
    if labels is not None and len(labels) != n:
        raise DataError(f"labels has {len(labels)} entries for {n} codes; give one label per code.")
    shown_note = ""
    if max_points is not None and n > max_points:
        keep = np.sort(np.random.default_rng(random_state).choice(n, size=max_points, replace=False))
        points = points[keep]
        labels = [labels[i] for i in keep] if labels is not None else None
        shown_note = f" ({max_points:,} of {n:,} shown)"
        n = max_points
    default_names = [f"z{i + 1}" for i in range(min(k, 3))]
    if k == 1:
        points = np.column_stack([points[:, 0], np.zeros(n)])
        default_names = ["z1", ""]
    elif k > 3:
        points = project_codes(points, projection, random_state)
        component = "PC" if projection.lower() == "pca" else "t-SNE "
        default_names = [f"{component}{i}" for i in (1, 2)]
        title = title or f"{k}-D codes, {'PCA' if component == 'PC' else 't-SNE'} projection"
    names = list(axis_names) if axis_names is not None else default_names

    three_d = points.shape[1] == 3
    many_classes = label_kind == "class" and labels is not None and len(set(labels)) > 10
    fig = new_figure(7.2 if many_classes else 6.4, 5.6 if three_d else 5.0)
    ax = fig.add_subplot(projection="3d" if three_d else None)
    if three_d:
        ax.set_box_aspect(None, zoom=0.88)  # room for the z label inside the axes
    columns = [points[:, i] for i in range(points.shape[1])]
    if labels is None or label_kind == "text":
        ax.scatter(*columns, s=12 if labels is not None else 16, color="tab:blue", alpha=0.8)
        if labels is not None:
            _write_labels(ax, points, labels, three_d)
    else:
        _scatter_classes(fig, ax, columns, labels)
    for setter, name in zip((ax.set_xlabel, ax.set_ylabel, getattr(ax, "set_zlabel", None)), names):
        if setter is not None:
            setter(name)
    if k == 1:
        ax.set_yticks([])
    if not three_d:
        ax.grid(True, alpha=0.3)
    if title or shown_note:
        ax.set_title((title or "codes") + shown_note)
    return fig


def _write_labels(ax, points: np.ndarray, labels: Sequence[object], three_d: bool) -> None:
    box = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.6}
    for point, label in zip(points, labels):
        if three_d:
            ax.text(*point, str(label), fontsize=8)
        else:
            ax.annotate(str(label), point, xytext=(3, 3), textcoords="offset points", fontsize=9, bbox=box)


def _scatter_classes(fig: Figure, ax, columns: list[np.ndarray], labels: Sequence[object]) -> None:
    import matplotlib as mpl

    classes = sorted(set(labels), key=_natural_key)
    index = np.array([classes.index(label) for label in labels])
    if len(classes) > MAX_LEGEND_CLASSES:
        mappable = ax.scatter(*columns, c=index, cmap="viridis", s=10)
        fig.colorbar(mappable, ax=ax, label="class index", shrink=0.8)
        return
    cmap = mpl.colormaps["tab10" if len(classes) <= 10 else "tab20"]
    # One scatter in a shuffled order: drawn class by class, the last class would cover the others.
    order = np.random.default_rng(0).permutation(len(index))
    size = 10 if len(index) <= 2000 else 4
    ax.scatter(*(c[order] for c in columns), s=size, c=[cmap(i) for i in index[order]], alpha=0.8)
    for i, name in enumerate(classes):  # legend entries, one per class
        ax.scatter([], [], s=10, color=cmap(i), label=str(name))
    fig.legend(title="class", fontsize="small", markerscale=1.5, loc="outside right upper")


def _natural_key(label: object) -> tuple:
    text = str(label)
    return (0, float(text), "") if text.lstrip("-").replace(".", "", 1).isdigit() else (1, 0.0, text)
