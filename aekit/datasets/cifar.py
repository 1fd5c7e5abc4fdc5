"""CIFAR-10 (Krizhevsky 2009): 60,000 colour images 32x32 in 10 classes, from its python batches.

The published archive ``cifar-10-python.tar.gz`` holds ``cifar-10-batches-py/`` with five
training batches (``data_batch_1`` .. ``data_batch_5``, 10,000 images each) and ``test_batch``.
Each batch is a Python pickle of a dict: ``b"data"`` a (10000, 3072) uint8 array (the red,
then green, then blue 32x32 planes of each image, row-major) and ``b"labels"`` a list of ints.

Unpickling can run arbitrary code, so the batches are read by :class:`BatchUnpickler`, which
refuses every global except the three numpy needs to rebuild an array
(``numpy.core.multiarray._reconstruct``, ``numpy.ndarray`` and ``numpy.dtype``); dicts, lists,
bytes and ints need no global at all. A file that names anything else is refused with a
DatasetError before anything of it is called.
"""

from __future__ import annotations

import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.datasets.download import DownloadError, RemoteFile, dataset_dir, download_verified, verify
from aekit.errors import DatasetError, check_choice

__all__ = ["BatchUnpickler", "CIFAR10_CLASSES", "load_cifar10", "read_batch"]

ARCHIVE = RemoteFile("cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a", algorithm="md5", content=False)
MIRRORS = ("https://www.cs.toronto.edu/~kriz/",)
BATCH_FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCHES = ("test_batch",)
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
IMAGE_SHAPE = (3, 32, 32)


def _numpy_reconstruct():
    try:  # numpy >= 2 moved the module; pickles written by numpy 1 still name numpy.core
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # pragma: no cover - numpy 1
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


class BatchUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds plain data and numpy arrays, and refuses every other class.

    Allowed globals: ``numpy.core.multiarray._reconstruct`` (also spelt ``numpy._core...``),
    ``numpy.ndarray``, ``numpy.dtype``: exactly what a pickled array names (protocols 0-4).

    Examples
    --------
    >>> import io, pickle, numpy as np
    >>> from aekit.datasets.cifar import BatchUnpickler
    >>> payload = pickle.dumps({b"labels": [1, 2], b"data": np.arange(3, dtype=np.uint8)}, protocol=4)
    >>> BatchUnpickler(io.BytesIO(payload), encoding="bytes").load()[b"data"]
    array([0, 1, 2], dtype=uint8)
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise DatasetError(
                f"refused to unpickle {module}.{name}: a CIFAR batch holds only dicts, lists, bytes and "
                "numpy arrays. The file is not a CIFAR-10 python batch; replace it with the original."
            )
        if name == "_reconstruct":
            return _numpy_reconstruct()
        return getattr(np, name)


def read_batch(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """One python batch: images (n, 3, 32, 32) uint8 and labels (n,) int64.

    Examples
    --------
    >>> from aekit.datasets.cifar import read_batch
    >>> images, labels = read_batch("cifar-10-batches-py/test_batch")  # doctest: +SKIP
    >>> images.shape  # doctest: +SKIP
    (10000, 3, 32, 32)
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            batch = BatchUnpickler(f, encoding="bytes").load()
    except DatasetError as error:
        raise DatasetError(f"{path}: {error}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        raise DatasetError(f"{path} is not a readable CIFAR-10 python batch ({error}); replace it with the original file.") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        keys = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise DatasetError(f"{path}: expected a dict with b'data' and b'labels'; got {keys}. Replace it with the original batch.")
    data = np.asarray(batch[b"data"])
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072 or len(data) != len(labels):
        raise DatasetError(
            f"{path}: expected data (n, 3072) uint8 and n labels; got data {data.shape} {data.dtype} and "
            f"{len(labels)} labels. Replace it with the original batch."
        )
    return data.reshape(-1, *IMAGE_SHAPE), labels


def _batch_folder(data_dir: str | os.PathLike | None, download: bool) -> Path:
    """The folder holding the batches: found as given, extracted from the archive, or downloaded."""
    folder = dataset_dir("cifar10", data_dir)
    for candidate in (folder / BATCH_FOLDER, folder):
        if (candidate / TEST_BATCHES[0]).is_file():
            return candidate
    archive = folder / ARCHIVE.name
    if not archive.is_file():
        why = "download=False"
        if download:
            try:
                archive = download_verified(ARCHIVE, MIRRORS, folder)
            except (DownloadError, OSError) as error:
                why = f"the download failed: {error}"
        if not archive.is_file():
            raise DatasetError(
                f"cifar10: expected {BATCH_FOLDER}/ or {ARCHIVE.name} in {folder}, but neither is there ({why}). "
                f"Download {MIRRORS[0]}{ARCHIVE.name} and put it (or its extracted {BATCH_FOLDER}/) in {folder}, "
                "or pass data_dir= (the folder holding them), or set AEKIT_DATA to a folder with a 'cifar10/' sub-folder."
            )
    verify(archive, ARCHIVE)
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(BATCH_FOLDER + "/") and m.isfile()]
        tar.extractall(folder, members=members, filter="data")
    return folder / BATCH_FOLDER


def load_cifar10(
    subset: str = "train", data_dir: str | os.PathLike | None = None, download: bool = True
) -> Bunch:
    """CIFAR-10 from its python batches: a local folder, the cache, or a verified download.

    Parameters
    ----------
    subset : {"train", "test", "all"}
        The 50,000 training images, the 10,000 test images, or both (training first).
    data_dir : path, optional
        A folder holding ``cifar-10-batches-py/`` (or the batch files themselves, or the
        archive ``cifar-10-python.tar.gz``, which is verified by its md5 and extracted).
        Default: ``$AEKIT_DATA/cifar10/``, else ``~/.cache/aekit/cifar10/``.
    download : bool
        Download the archive (163 MiB, md5 checked) into that folder when nothing is there.

    Returns
    -------
    Bunch
        ``data`` (n, 3072) float32 in [0, 1] (channels first, as the batches store them);
        ``images`` (n, 3, 32, 32); ``target``; ``labels`` the class names;
        ``image_shape`` (3, 32, 32).

    Examples
    --------
    >>> from aekit.datasets import load_cifar10
    >>> cifar = load_cifar10("test", data_dir="~/data")  # doctest: +SKIP
    >>> cifar.image_shape, cifar.labels[0]  # doctest: +SKIP
    ((3, 32, 32), 'cat')
    """
    subset = check_choice("subset", subset, ["train", "test", "all"])
    folder = _batch_folder(data_dir, download)
    names = {"train": TRAIN_BATCHES, "test": TEST_BATCHES, "all": TRAIN_BATCHES + TEST_BATCHES}[subset]
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise DatasetError(f"cifar10: {folder} lacks the batches {missing}; expected all of {list(names)}. Extract the full archive there.")
    parts = [read_batch(folder / n) for n in names]
    images = np.concatenate([p[0] for p in parts]).astype(np.float32) / np.float32(255.0)
    target = np.concatenate([p[1] for p in parts])
    if target.min() < 0 or target.max() >= len(CIFAR10_CLASSES):
        raise DatasetError(f"cifar10: labels must be 0..9; got {target.min()}..{target.max()} in {folder}. Replace the batches.")
    return Bunch(
        data=images.reshape(len(images), -1),
        images=images,
        target=target,
        labels=np.asarray(CIFAR10_CLASSES)[target],
        target_names=list(CIFAR10_CLASSES),
        image_shape=IMAGE_SHAPE,
        DESCR=f"CIFAR-10 (Krizhevsky 2009), 32x32 colour, channels first; subset={subset!r}, pixel values divided by 255",
    )
