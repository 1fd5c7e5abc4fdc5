"""Turn a data spec (a built-in name or a file path) into a dataset Bunch.

A stop-gap until ``aekit.datasets.load_dataset`` lands: the CLI and the recipe runner call
:func:`resolve` only, so swapping the implementation touches this module alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.datasets.embedded import load_digits, load_font
from aekit.errors import DatasetError, suggest

__all__ = ["resolve", "BUILT_IN"]

BUILT_IN = ("font", "digits", "mnist")


def _load_mnist() -> Bunch:
    import aekit.datasets as datasets

    loader: Callable[[], Bunch] | None = getattr(datasets, "load_mnist", None)
    if loader is None:
        raise DatasetError(
            "The MNIST loader is not part of this aekit build yet (aekit.datasets.load_mnist is "
            "missing). Use --data digits, or pass MNIST as a .npy/.npz file."
        )
    return loader()


def resolve(spec: str | Path) -> Bunch:
    """Load ``font``, ``digits``, ``mnist`` or a ``.npy``/``.npz``/``.csv`` file of samples in rows.

    Files give ``data`` (n, d) float32 and, where present (an ``.npz`` with ``labels``,
    ``target`` or ``y``), labels; ``image_shape`` is guessed for square images.

    Examples
    --------
    >>> from aekit.datasets.resolve import resolve
    >>> resolve("font").data.shape
    (32, 35)
    """
    text = str(spec).strip()
    loaders = {"font": load_font, "digits": load_digits, "mnist": _load_mnist}
    if text.lower() in loaders:
        return loaders[text.lower()]()
    path = Path(text).expanduser()
    if path.suffix.lower() not in (".npy", ".npz", ".csv"):
        raise DatasetError(
            f"Unknown data {text!r}: expected a built-in name ({', '.join(BUILT_IN)}) or a .npy, "
            ".npz or .csv file." + suggest(text.lower(), BUILT_IN)
        )
    if not path.is_file():
        raise DatasetError(f"Data file {str(path)!r} does not exist; check the path.")
    return _load_file(path)


def _load_file(path: Path) -> Bunch:
    labels = None
    try:
        if path.suffix.lower() == ".csv":
            data = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
        elif path.suffix.lower() == ".npy":
            data = np.load(path, allow_pickle=False)
        else:
            with np.load(path, allow_pickle=False) as archive:
                keys = list(archive.keys())
                key = next((k for k in ("data", "X", "x") if k in keys), keys[0] if keys else None)
                if key is None:
                    raise DatasetError(f"{str(path)!r} holds no arrays; save the samples as 'data'.")
                data = archive[key]
                label_key = next((k for k in ("labels", "target", "y") if k in keys), None)
                labels = archive[label_key] if label_key else None
    except (ValueError, OSError) as error:
        raise DatasetError(f"Cannot read {str(path)!r}: {error}") from None
    data = np.asarray(data, dtype=np.float32)
    data = data.reshape(len(data), -1) if data.ndim > 2 else data
    if data.ndim != 2 or not data.size:
        raise DatasetError(f"{str(path)!r} must hold a non-empty 2-D array (samples in rows); got shape {data.shape}.")
    side = int(round(np.sqrt(data.shape[1])))
    return Bunch(
        data=data,
        labels=None if labels is None else [str(label) for label in labels],
        image_shape=(side, side) if side * side == data.shape[1] else None,
        DESCR=str(path),
    )
