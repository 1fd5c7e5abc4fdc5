"""Image figures: reconstruction grids, the decoded latent manifold, interpolations, traversals."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from aekit.apps.generate import grid_points, interpolate
from aekit.errors import ConfigError, DataError
from aekit.plots._layout import as_images, image_norm, new_figure, show_tiles, tile_images

__all__ = ["plot_image_grid", "plot_decoded_grid", "plot_interpolation", "plot_traversal"]

Decoder = Callable[[np.ndarray], np.ndarray]
PAD = 1  # pixels between tiles


def plot_image_grid(
    rows: Mapping[str, object] | object,
    image_shape: Sequence[int],
    *,
    column_labels: Sequence[str] | None = None,
    max_columns: int = 16,
    xlabel: str | None = None,
    cmap: str = "gray_r",
    vmin: float | None = None,
    vmax: float | None = None,
    tile_inches: float = 0.45,
    title: str | None = None,
) -> Figure:
    """Named rows of images aligned column by column, e.g. input | output or clean | noisy | denoised.

    Parameters
    ----------
    rows : mapping name -> array (n, prod(image_shape)), or one such array
        Every row holds the same ``n`` images (flattened or not), shown in the same order.
    image_shape : (height, width) or (height, width, 1|3)
        The shape each row of data was flattened from, e.g. ``(7, 5)`` for the font.
    column_labels : sequence of str, optional
        One label per column (e.g. the characters), written under each image.
    max_columns : int
        Columns per block; longer rows wrap into further blocks of all rows.
    xlabel : str, optional
        Caption under the last block.
    cmap, vmin, vmax
        Colour map and range for grey images; the range is [0, 1] when the data lies inside it.
    tile_inches : float
        Width of one image in inches.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per (block, row).

    Examples
    --------
    >>> from aekit.datasets import load_font
    >>> from aekit.plots import plot_image_grid
    >>> font = load_font()
    >>> fig = plot_image_grid({"input": font.data[:8], "output": 1 - font.data[:8]}, font.image_shape,
    ...                       column_labels=font.labels[:8])
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (2, 'input')
    """
    named = dict(rows) if isinstance(rows, Mapping) else {"": rows}
    if not named:
        raise DataError("plot_image_grid needs at least one row of images; got an empty mapping.")
    images = {str(name): as_images(values, image_shape, f"row {name!r}") for name, values in named.items()}
    counts = {name: len(stack) for name, stack in images.items()}
    n = next(iter(counts.values()))
    if len(set(counts.values())) > 1:
        raise DataError(f"Every row must hold the same number of images; got {counts}.")
    if column_labels is not None and len(column_labels) != n:
        raise DataError(f"column_labels has {len(column_labels)} labels for {n} images per row; they must match.")
    if max_columns < 1:
        raise ConfigError(f"max_columns must be a positive integer; got {max_columns}.")
    low, high = image_norm(list(images.values()), vmin, vmax)
    height, width = next(iter(images.values())).shape[1:3]
    n_columns = min(n, max_columns)
    n_blocks = math.ceil(n / n_columns)
    label_room = 0.09 * max(len(name) for name in images) + 0.2
    tick_room = 0.25 if column_labels is not None else 0.05
    tile_height = tile_inches * height / width
    fig = new_figure(
        n_columns * tile_inches * (width + PAD) / width + label_room + 0.2,
        n_blocks * (len(images) * (tile_height + 0.08) + tick_room) + (0.3 if title else 0.1) + (0.25 if xlabel else 0),
    )
    axes = fig.subplots(n_blocks * len(images), 1, squeeze=False)[:, 0]
    for block in range(n_blocks):
        columns = slice(block * n_columns, min(n, (block + 1) * n_columns))
        for r, (name, stack) in enumerate(images.items()):
            ax = axes[block * len(images) + r]
            show_tiles(ax, tile_images(stack[columns], columns.stop - columns.start, PAD), cmap, low, high)
            ax.set_xlim(-0.5, n_columns * (width + PAD) - PAD - 0.5)  # a short last block keeps the tile size
            ax.set_yticks([])
            ax.set_ylabel(name, rotation=0, ha="right", va="center")
            last_row = r == len(images) - 1
            if column_labels is not None and last_row:
                shown = column_labels[columns]
                ax.set_xticks(np.arange(len(shown)) * (width + PAD) + (width - 1) / 2, shown, fontsize="small")
                ax.tick_params(axis="x", length=0)
            else:
                ax.set_xticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
    if xlabel:
        axes[-1].set_xlabel(xlabel)
    if title:
        fig.suptitle(title)
    return fig


def plot_decoded_grid(
    decode: Decoder,
    lims: Sequence[float] | Sequence[Sequence[float]] = (-2.0, 2.0),
    n: int = 10,
    image_shape: Sequence[int] = (7, 5),
    *,
    cmap: str = "gray_r",
    tile_inches: float = 0.45,
    title: str | None = None,
) -> Figure:
    """Decode an ``n`` x ``n`` grid of 2-D latent points into one mosaic: the learned manifold.

    Parameters
    ----------
    decode : callable (m, 2) array -> (m, prod(image_shape)) array
        Typically ``estimator.inverse_transform``.
    lims : (low, high) or ((z1_low, z1_high), (z2_low, z2_high))
        The latent square (or rectangle) to cover; e.g. the range of the training codes.
    n : int
        Points per axis.
    image_shape : (height, width)
        Shape of one decoded image.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ticks give the latent coordinates of the tiles, z2 growing upwards.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.plots import plot_decoded_grid
    >>> decode = lambda z: np.repeat(1 / (1 + np.exp(-z[:, :1])), 35, axis=1)  # brightness follows z1
    >>> fig = plot_decoded_grid(decode, lims=(-3, 3), n=5, image_shape=(7, 5))
    >>> fig.axes[0].get_xlabel(), len(fig.axes[0].get_xticks())
    ('z1', 5)
    """
    points = grid_points(lims, n)
    z1, z2 = points[:n, 0], points[::n, 1]
    images = as_images(_decoded(decode, points), image_shape, "decode(points)")
    height, width = images.shape[1:3]
    low, high = image_norm([images], None, None)
    side = n * tile_inches
    fig = new_figure(side + 1.0, side * height / width + (1.1 if title else 0.8))
    ax = fig.add_subplot()
    show_tiles(ax, tile_images(images, n, PAD), cmap, low, high)
    step = math.ceil(n / 6)
    shown = np.arange(0, n, step)
    ax.set_xticks(shown * (width + PAD) + (width - 1) / 2, [f"{z1[i]:.2g}" for i in shown])
    ax.set_yticks(shown * (height + PAD) + (height - 1) / 2, [f"{z2[i]:.2g}" for i in shown])
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    if title:
        ax.set_title(title)
    return fig


def plot_interpolation(
    decode: Decoder,
    start: Sequence[float],
    end: Sequence[float],
    *,
    n: int = 10,
    image_shape: Sequence[int] = (7, 5),
    endpoint_labels: tuple[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Decode ``n`` evenly spaced points on the segment from ``start`` to ``end`` (two latent codes).

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.plots import plot_interpolation
    >>> decode = lambda z: np.repeat(z[:, :1], 35, axis=1)
    >>> fig = plot_interpolation(decode, [0.0, 0.0], [1.0, 0.0], n=5, endpoint_labels=("a", "b"))
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['a', '0.25', '0.5', '0.75', 'b']
    """
    points = interpolate(start, end, n)
    t = np.linspace(0.0, 1.0, n)
    labels = [f"{v:.2g}" for v in t]
    if endpoint_labels is not None:
        labels[0], labels[-1] = endpoint_labels
    return plot_image_grid(
        {"decoded": _decoded(decode, points)},
        image_shape,
        column_labels=labels,
        max_columns=n,
        xlabel="fraction of the way from start to end",
        title=title,
    )


def plot_traversal(
    decode: Decoder,
    center: Sequence[float],
    *,
    span: tuple[float, float] = (-2.0, 2.0),
    n: int = 9,
    dims: Sequence[int] | None = None,
    image_shape: Sequence[int] = (7, 5),
    title: str | None = None,
) -> Figure:
    """Vary each latent dimension in turn over ``span``, the others held at ``center``: one row each.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.plots import plot_traversal
    >>> decode = lambda z: np.repeat(z.mean(axis=1, keepdims=True), 35, axis=1)
    >>> fig = plot_traversal(decode, [0.0, 0.0, 0.0], span=(-1, 1), n=5)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['z1', 'z2', 'z3']
    """
    c = np.asarray(center, dtype=float).ravel()
    chosen = list(range(c.size)) if dims is None else [int(d) for d in dims]
    if not chosen or any(not 0 <= d < c.size for d in chosen):
        raise ConfigError(f"dims must index the {c.size} latent dimensions (0..{c.size - 1}); got {dims!r}.")
    if n < 2:
        raise ConfigError(f"n must be at least 2 values per dimension; got {n}.")
    values = np.linspace(span[0], span[1], n)
    rows = {}
    for d in chosen:
        points = np.repeat(c[None, :], n, axis=0)
        points[:, d] = values
        rows[f"z{d + 1}"] = _decoded(decode, points)
    return plot_image_grid(
        rows,
        image_shape,
        column_labels=[f"{v:.2g}" for v in values],
        max_columns=n,
        xlabel="value of the varied dimension (others at the centre)",
        title=title,
    )


def _decoded(decode: Decoder, points: np.ndarray) -> np.ndarray:
    out = np.asarray(decode(points.astype(np.float32)), dtype=float)
    if out.shape[0] != points.shape[0]:
        raise DataError(f"decode returned {out.shape[0]} rows for {points.shape[0]} latent points; expected one per point.")
    return out
