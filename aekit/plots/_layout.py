"""Figure creation, PNG export and image tiling shared by the plotting modules."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from aekit.errors import DataError

# Light blue between tiles: distinct from every grey level an image pixel can take.
GAP_COLOUR = "#c6dbef"


def new_figure(width: float, height: float) -> Figure:
    """A Figure with constrained layout, detached from pyplot (no GUI, no global state)."""
    return Figure(figsize=(width, height), layout="constrained")


def figure_to_png(figure: Figure, dpi: int = 100) -> bytes:
    """Render ``figure`` to PNG bytes.

    Examples
    --------
    >>> from aekit.plots import figure_to_png, plot_series
    >>> png = figure_to_png(plot_series([1, 2], {"a": [3.0, 4.0]}))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def as_matrix(values: object, name: str) -> np.ndarray:
    """``values`` as a finite float (n, d) array, or a DataError naming ``name``."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0:
        raise DataError(
            f"{name} must be a non-empty 2-D array (n_samples, n_features); got shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise DataError(f"{name} contains NaN or infinite values; remove or impute them first.")
    return array


def named_arrays(values: object, default_name: str) -> dict[str, np.ndarray]:
    """A mapping name -> 1-D array from either such a mapping or one array."""
    if isinstance(values, Mapping):
        if not values:
            raise DataError("Expected at least one named series; got an empty mapping.")
        return {str(k): np.asarray(v, dtype=float).ravel() for k, v in values.items()}
    return {default_name: np.asarray(values, dtype=float).ravel()}


def as_images(values: object, image_shape: Sequence[int], name: str) -> np.ndarray:
    """Rows of ``values`` reshaped to ``image_shape``: (n, h, w) or (n, h, w, 3)."""
    shape = tuple(int(s) for s in image_shape)
    if len(shape) not in (2, 3) or (len(shape) == 3 and shape[2] not in (1, 3)):
        raise DataError(
            f"image_shape must be (height, width) or (height, width, 1|3); got {image_shape!r}."
        )
    array = np.asarray(values, dtype=float)
    size = math.prod(shape)
    if array.ndim < 1 or array.size == 0 or array.size % size:
        raise DataError(
            f"{name} has shape {array.shape}, which does not split into images of shape "
            f"{shape} ({size} values each). Pass the image_shape the data was flattened from."
        )
    images = array.reshape((-1, *shape))
    return images[..., 0] if shape[-1:] == (1,) and len(shape) == 3 else images


def tile_images(images: np.ndarray, n_columns: int, pad: int = 1) -> np.ndarray:
    """Lay (n, h, w[, 3]) images on a grid, ``pad`` pixels apart; gaps are NaN (grey) or white (RGB)."""
    n, height, width = images.shape[:3]
    n_rows = math.ceil(n / n_columns)
    colour = images.shape[3:]
    canvas = np.full(
        (n_rows * (height + pad) - pad, n_columns * (width + pad) - pad, *colour),
        1.0 if colour else np.nan,
    )
    for i, image in enumerate(images):
        row, column = divmod(i, n_columns)
        top, left = row * (height + pad), column * (width + pad)
        canvas[top : top + height, left : left + width] = image
    return canvas


def image_norm(arrays: Sequence[np.ndarray], vmin: float | None, vmax: float | None) -> tuple[float, float]:
    """Display range: [0, 1] for data inside it, else the data's own range; explicit values win."""
    low = min(float(np.nanmin(a)) for a in arrays)
    high = max(float(np.nanmax(a)) for a in arrays)
    if low >= 0.0 and high <= 1.0:
        low, high = 0.0, 1.0
    return (low if vmin is None else vmin, high if vmax is None else vmax)


def show_tiles(ax, canvas: np.ndarray, cmap: str, vmin: float, vmax: float) -> None:
    """imshow a tiled canvas with the gap colour and no smoothing."""
    import matplotlib as mpl

    colour_map = mpl.colormaps[cmap].with_extremes(bad=GAP_COLOUR)
    ax.imshow(canvas, cmap=colour_map, vmin=vmin, vmax=vmax, interpolation="nearest")
