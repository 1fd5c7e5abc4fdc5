"""The IDX file format (LeCun's MNIST files) and the MNIST family: MNIST, Fashion-MNIST, KMNIST.

An IDX file is a big-endian header, ``0x00 0x00 <type code> <number of dimensions>`` then one
uint32 per dimension, followed by the values in row-major order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.datasets.download import RemoteFile, fetch_files, read_gzip
from aekit.errors import DatasetError, check_choice

__all__ = [
    "IDX_DATASETS",
    "IdxDataset",
    "load_fashion_mnist",
    "load_idx_dataset",
    "load_kmnist",
    "load_mnist",
    "parse_idx",
    "read_idx",
]

# IDX type code -> big-endian numpy dtype
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(buffer: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file into an array of its declared shape.

    Examples
    --------
    >>> import struct
    >>> from aekit.datasets.idx import parse_idx
    >>> raw = bytes([0, 0, 0x08, 2]) + struct.pack(">II", 2, 3) + bytes(range(6))
    >>> parse_idx(raw)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    """
    fix = "Expected an IDX file as published with MNIST; replace the file with an original copy."
    if len(buffer) < 4:
        raise DatasetError(f"{name} is {len(buffer)} bytes, too short for an IDX header. {fix}")
    zero, type_code, ndim = int.from_bytes(buffer[:2], "big"), buffer[2], buffer[3]
    if zero != 0 or type_code not in _IDX_TYPES:
        raise DatasetError(
            f"{name} has magic number 0x{buffer[:4].hex()}, which is not IDX: expected "
            f"0x0000 then a type code in {sorted(hex(t) for t in _IDX_TYPES)}. {fix}"
        )
    header = 4 + 4 * ndim
    if len(buffer) < header:
        raise DatasetError(f"{name} is truncated inside its {ndim}-dimension IDX header. {fix}")
    shape = tuple(int.from_bytes(buffer[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[type_code])
    expected = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    got = len(buffer) - header
    if got != expected:
        raise DatasetError(
            f"{name} declares shape {shape} of {dtype.name} ({expected} bytes of values) but "
            f"holds {got} bytes after its header; the file is truncated or corrupt. {fix}"
        )
    values = np.frombuffer(buffer, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed (``.gz``, detected by content) or not.

    Examples
    --------
    >>> import gzip, struct, tempfile, pathlib
    >>> from aekit.datasets.idx import read_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte.gz"
    >>> _ = path.write_bytes(gzip.compress(bytes([0, 0, 8, 1]) + struct.pack(">I", 3) + b"\\x07\\x01\\x09"))
    >>> read_idx(path)
    array([7, 1, 9], dtype=uint8)
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
        buffer = read_gzip(path) if gzipped else path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read IDX file {path}: {exc}. Check the path.") from exc
    return parse_idx(buffer, name=str(path))


@dataclass(frozen=True)
class IdxDataset:
    """A dataset published as the four MNIST-style IDX files, with its mirrors and checksums."""

    name: str
    mirrors: tuple[str, ...]
    files: dict[str, RemoteFile]  # "train-images", "train-labels", "test-images", "test-labels"
    class_names: tuple[str, ...]
    description: str


def _sha256_files(digests: dict[str, str]) -> dict[str, RemoteFile]:
    """Files identified by the sha256 of their decompressed content."""
    return {key: RemoteFile(_FILENAMES[key], digest) for key, digest in digests.items()}


_FILENAMES = {
    "train-images": "train-images-idx3-ubyte.gz",
    "train-labels": "train-labels-idx1-ubyte.gz",
    "test-images": "t10k-images-idx3-ubyte.gz",
    "test-labels": "t10k-labels-idx1-ubyte.gz",
}

IDX_DATASETS = {
    "mnist": IdxDataset(
        name="mnist",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        files=_sha256_files(
            {
                "train-images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                "train-labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                "test-images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                "test-labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            }
        ),
        class_names=tuple(str(d) for d in range(10)),
        description="MNIST handwritten digits (LeCun, Cortes, Burges), 28x28 grayscale",
    ),
    "fashion-mnist": IdxDataset(
        name="fashion-mnist",
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
        ),
        files=_sha256_files(
            {
                "train-images": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                "train-labels": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                "test-images": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                "test-labels": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            }
        ),
        class_names=(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ),  # fmt: skip
        description="Fashion-MNIST (Xiao, Rasul, Vollgraf 2017), 28x28 grayscale Zalando articles",
    ),
    "kmnist": IdxDataset(
        name="kmnist",
        mirrors=("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
        # md5 of the published gzip files (the decompressed digests are not published)
        files={
            key: RemoteFile(_FILENAMES[key], digest, algorithm="md5", content=False)
            for key, digest in {
                "train-images": "bdb82020997e1d708af4cf47b453dcf7",
                "train-labels": "e144d726b3acfaa3e44228e80efcd344",
                "test-images": "5c965bf0a639b31b8f53240b1b52f4d7",
                "test-labels": "7320c461ea6c1c855c0b718fb2a4b134",
            }.items()
        },
        class_names=("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
        description="Kuzushiji-MNIST (Clanuwat et al. 2018), 28x28 grayscale cursive Japanese",
    ),
}


def load_idx_dataset(
    name: str,
    subset: str = "train",
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> Bunch:
    """Load one of :data:`IDX_DATASETS` (``"mnist"``, ``"fashion-mnist"``, ``"kmnist"``).

    Parameters
    ----------
    name : str
        The dataset.
    subset : {"train", "test", "all"}
        The 60,000 training images, the 10,000 test images, or both (training first).
    data_dir : path, optional
        The folder that holds the four ``.gz`` files (or a ``<name>/`` sub-folder of it).
        Default: ``$AEKIT_DATA/<name>/``, else ``~/.cache/aekit/<name>/``.
    download : bool
        Download missing files from the dataset's mirrors into that folder.

    Returns
    -------
    Bunch
        ``data`` (n, 784) float32 in [0, 1]; ``images`` (n, 28, 28) the same pixels;
        ``target`` (n,) int64 class index; ``labels`` (n,) class names;
        ``target_names`` the class names; ``image_shape`` (28, 28).

    Examples
    --------
    >>> from aekit.datasets import load_idx_dataset
    >>> mnist = load_idx_dataset("mnist", subset="test")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.labels[0]  # doctest: +SKIP
    ((10000, 784), '7')
    """
    name = check_choice("name", name, IDX_DATASETS)
    subset = check_choice("subset", subset, ["train", "test", "all"])
    spec = IDX_DATASETS[name]
    parts = ["train", "test"] if subset == "all" else [subset]
    wanted = [spec.files[f"{part}-{kind}"] for part in parts for kind in ("images", "labels")]
    contents = fetch_files(name, wanted, spec.mirrors, data_dir=data_dir, download=download)
    images, target = [], []
    for part in parts:
        image_file = spec.files[f"{part}-images"].name
        label_file = spec.files[f"{part}-labels"].name
        pixels = parse_idx(contents[image_file], name=image_file)
        labels = parse_idx(contents[label_file], name=label_file)
        if pixels.ndim != 3 or labels.ndim != 1 or len(pixels) != len(labels):
            raise DatasetError(
                f"{name}: {image_file} has shape {pixels.shape} and {label_file} {labels.shape}; "
                "expected (n, height, width) images and (n,) labels. Replace the files."
            )
        images.append(pixels)
        target.append(labels)
    pixels = np.concatenate(images) if len(images) > 1 else images[0]
    images_f = pixels.astype(np.float32) / np.float32(255.0)  # (n, 28, 28) in [0, 1]
    target_arr = np.concatenate(target).astype(np.int64)
    class_names = np.asarray(spec.class_names)
    return Bunch(
        data=images_f.reshape(len(images_f), -1),
        images=images_f,
        target=target_arr,
        labels=class_names[target_arr],
        target_names=list(spec.class_names),
        image_shape=tuple(images_f.shape[1:]),
        DESCR=f"{spec.description}; subset={subset!r}, pixel values divided by 255",
    )


def load_mnist(
    subset: str = "train", data_dir: str | os.PathLike | None = None, download: bool = True
) -> Bunch:
    """MNIST handwritten digits, 28x28; see :func:`load_idx_dataset` for the parameters.

    Examples
    --------
    >>> from aekit.datasets import load_mnist
    >>> mnist = load_mnist(data_dir="../shared/data/mnist")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.target[:3]  # doctest: +SKIP
    ((60000, 784), array([5, 0, 4]))
    """
    return load_idx_dataset("mnist", subset, data_dir, download)


def load_fashion_mnist(
    subset: str = "train", data_dir: str | os.PathLike | None = None, download: bool = True
) -> Bunch:
    """Fashion-MNIST, 10 classes of Zalando articles; see :func:`load_idx_dataset`.

    Examples
    --------
    >>> from aekit.datasets import load_fashion_mnist
    >>> fashion = load_fashion_mnist("test")  # doctest: +SKIP
    >>> fashion.target_names[:2]  # doctest: +SKIP
    ['T-shirt/top', 'Trouser']
    """
    return load_idx_dataset("fashion-mnist", subset, data_dir, download)


def load_kmnist(
    subset: str = "train", data_dir: str | os.PathLike | None = None, download: bool = True
) -> Bunch:
    """Kuzushiji-MNIST, 10 classes of cursive hiragana; see :func:`load_idx_dataset`.

    Examples
    --------
    >>> from aekit.datasets import load_kmnist
    >>> kmnist = load_kmnist("test")  # doctest: +SKIP
    >>> kmnist.image_shape  # doctest: +SKIP
    (28, 28)
    """
    return load_idx_dataset("kmnist", subset, data_dir, download)
