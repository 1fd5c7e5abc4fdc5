"""One entry point from a name or a path to a dataset: what the CLI's ``--data`` calls."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.datasets.binarize import load_binarized_mnist
from aekit.datasets.chars74k import load_chars74k
from aekit.datasets.cifar import load_cifar10
from aekit.datasets.embedded import load_digits, load_font
from aekit.datasets.idx import load_fashion_mnist, load_kmnist, load_mnist
from aekit.datasets.images import load_image_folder
from aekit.datasets.lorenz import load_lorenz
from aekit.datasets.satimage import load_satimage, load_wine
from aekit.datasets.tabular import TABULAR_SUFFIXES, load_tabular
from aekit.errors import ConfigError, DatasetError, suggest

__all__ = ["DATASET_NAMES", "first_samples", "load_dataset"]


_LOADERS: dict[str, Callable[..., Bunch]] = {
    "font": load_font,
    "digits": load_digits,
    "mnist": load_mnist,
    "binarized-mnist": load_binarized_mnist,
    "fashion-mnist": load_fashion_mnist,
    "kmnist": load_kmnist,
    "cifar10": load_cifar10,
    "chars74k": load_chars74k,
    "lorenz": load_lorenz,
    "satimage": load_satimage,
    "wine": load_wine,
}
DATASET_NAMES = tuple(_LOADERS)


def loader_for(spec: str | Path) -> Callable[..., Bunch] | None:
    """The loader of a built-in dataset name, or None for a path.

    Examples
    --------
    >>> from aekit.datasets.resolve import loader_for
    >>> loader_for("CIFAR10").__name__, loader_for("my.csv")
    ('load_cifar10', None)
    """
    return _LOADERS.get(str(spec).strip().lower().replace("_", "-"))


def _call(loader: Callable[..., Bunch], what: str, *args, **kwargs) -> Bunch:
    accepted = inspect.signature(loader).parameters
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        options = [p for p in accepted if p not in {"path", "spec"}]
        raise ConfigError(
            f"{what} does not take the option(s) {unknown}; it accepts {options or 'none'}."
            + (suggest(unknown[0], options) if options else "")
        )
    return loader(*args, **kwargs)


def load_dataset(spec: str | Path, **kwargs) -> Bunch:
    """Load a built-in dataset by name, or a file or image folder by path.

    Parameters
    ----------
    spec : str
        A name from :data:`DATASET_NAMES` (``font``, ``digits``, ``mnist``,
        ``binarized-mnist``, ``fashion-mnist``, ``kmnist``, ``cifar10``, ``lorenz``, ``wine``;
        ``chars74k`` and ``satimage`` with ``path=``; case, ``_`` and ``-`` do not matter), or a path: a ``.csv``, ``.npy``, ``.npz`` or ``.mat`` table, or a folder with
        one sub-folder of images per class.
    **kwargs
        Passed to the loader: e.g. ``subset="test"``, ``data_dir=`` for the MNIST family;
        ``target=``, ``scale=``, ``test_size=`` for tables; ``image_shape=``, ``color=`` for
        image folders.

    Returns
    -------
    Bunch
        ``data`` (n, features) float32 and, where they apply, ``target``, ``labels``,
        ``images`` and ``image_shape``.

    Examples
    --------
    >>> from aekit.datasets import load_dataset
    >>> load_dataset("font").data.shape
    (32, 35)
    >>> load_dataset("Digits").image_shape
    (8, 8)
    """
    if not isinstance(spec, str | Path):
        raise ConfigError(f"spec must be a dataset name or a path; got {type(spec).__name__}.")
    key = str(spec).strip().lower().replace("_", "-")
    if key in _LOADERS:
        return _call(_LOADERS[key], f"dataset {key!r}", **kwargs)
    path = Path(spec).expanduser()
    if path.is_dir():
        return _call(load_image_folder, f"image folder {path}", path, **kwargs)
    if path.suffix.lower() in TABULAR_SUFFIXES:
        if not path.is_file():
            raise DatasetError(f"data file {path} does not exist; check the path.")
        return _call(load_tabular, f"table {path}", path, **kwargs)
    if path.exists():
        raise DatasetError(
            f"{path} has suffix {path.suffix!r}; expected one of {list(TABULAR_SUFFIXES)} "
            "or a folder of class sub-folders of images. Convert the file."
        )
    raise ConfigError(
        f"spec={str(spec)!r} is neither a dataset name nor an existing path. Expected one of "
        f"{list(DATASET_NAMES)}, a {'/'.join(TABULAR_SUFFIXES)} file, or an image folder."
        + suggest(key, DATASET_NAMES)
    )


PER_SAMPLE = ("data", "images", "target", "labels")  # the Bunch fields with one entry per sample


def first_samples(data: Bunch, n: int | None = None) -> Bunch:
    """The first ``n`` samples of a dataset (all of them when ``n`` is None or 0), ready to use.

    A copy of the Bunch whose per-sample fields (``data``, ``images``, ``target``, ``labels``)
    keep their first ``n`` rows; ``data`` is a float32 array and ``labels`` a list, or None
    when the dataset has no labels. Other fields (``image_shape``, ``DESCR``, ...) are kept.

    Examples
    --------
    >>> from aekit.datasets import first_samples, load_font
    >>> font = first_samples(load_font(), 3)
    >>> font.data.shape, font.labels
    ((3, 35), ['`', 'a', 'b'])
    """
    rows = slice(None, n or None)
    out = Bunch(**data)
    for key in PER_SAMPLE:
        if out.get(key) is not None:
            out[key] = out[key][rows]
    out.data = np.asarray(out.data, dtype=np.float32)
    out.labels = list(out.labels) if out.get("labels") is not None else None
    return out
