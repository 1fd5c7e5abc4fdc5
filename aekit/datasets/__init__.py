"""Datasets: the ones the package embeds, and loaders for standard and user files.

Every loader returns a scikit-learn ``Bunch`` with ``data`` (n_samples, n_features) float32,
and where they apply ``target``, ``labels``, ``images`` and ``image_shape``.
:func:`load_dataset` resolves a name (``"mnist"``) or a path to one of them.
"""

from aekit.datasets.binarize import binarize, load_binarized_mnist
from aekit.datasets.chars74k import load_chars74k
from aekit.datasets.cifar import load_cifar10
from aekit.datasets.embedded import load_digits, load_font
from aekit.datasets.idx import (
    load_fashion_mnist,
    load_idx_dataset,
    load_kmnist,
    load_mnist,
    read_idx,
)
from aekit.datasets.images import load_image_folder
from aekit.datasets.lorenz import load_lorenz
from aekit.datasets.satimage import load_satimage, load_wine
from aekit.datasets.resolve import DATASET_NAMES, first_samples, load_dataset
from aekit.datasets.tabular import load_tabular

__all__ = [
    "DATASET_NAMES",
    "binarize",
    "first_samples",
    "load_binarized_mnist",
    "load_chars74k",
    "load_cifar10",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_font",
    "load_idx_dataset",
    "load_image_folder",
    "load_kmnist",
    "load_lorenz",
    "load_satimage",
    "load_mnist",
    "load_tabular",
    "load_wine",
    "read_idx",
]
