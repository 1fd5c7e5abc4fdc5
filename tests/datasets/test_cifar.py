"""CIFAR-10 from fake python batches: the layout, the archive with its checksum, the safe unpickler."""

import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

import aekit.datasets.cifar as cifar
from aekit.datasets import load_cifar10, load_dataset
from aekit.datasets.download import RemoteFile
from aekit.errors import DatasetError


def write_batches(folder, n=4, seed=0):
    """Fake batches in the published layout (a dict of bytes keys, uint8 data, a list of labels)."""
    rng = np.random.default_rng(seed)
    batches = folder / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for k, name in enumerate(names):
        data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        batch = {b"batch_label": name.encode(), b"labels": [int(v) for v in (np.arange(n) + k) % 10],
                 b"data": data, b"filenames": [b"x.png"] * n}
        (batches / name).write_bytes(pickle.dumps(batch, protocol=4))  # protocol 4: numpy pickles via _reconstruct
    return batches


def test_loads_train_and_test_from_a_local_folder(tmp_path):
    batches = write_batches(tmp_path)
    train = load_cifar10("train", data_dir=tmp_path, download=False)
    test = load_cifar10("test", data_dir=batches, download=False)  # the batch folder itself works too
    assert train.data.shape == (20, 3072) and test.data.shape == (4, 3072)
    assert train.image_shape == (3, 32, 32) and train.images.shape == (20, 3, 32, 32)
    assert 0 <= train.data.min() and train.data.max() <= 1 and train.data.dtype == np.float32
    assert list(test.labels[:2]) == ["dog", "frog"]  # labels 5, 6 of the sixth batch, named
    assert load_dataset("cifar10", subset="all", data_dir=tmp_path, download=False).data.shape == (24, 3072)


def test_archive_is_verified_then_extracted(tmp_path, monkeypatch):
    write_batches(tmp_path / "src")
    archive = tmp_path / "cache" / "cifar-10-python.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    digest = hashlib.md5(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(cifar, "ARCHIVE", RemoteFile(archive.name, "0" * 32, algorithm="md5", content=False))
    with pytest.raises(DatasetError, match="fails its checksum"):
        load_cifar10("test", data_dir=archive.parent, download=False)
    monkeypatch.setattr(cifar, "ARCHIVE", RemoteFile(archive.name, digest, algorithm="md5", content=False))
    assert load_cifar10("test", data_dir=archive.parent, download=False).data.shape == (4, 3072)
    assert (archive.parent / "cifar-10-batches-py" / "test_batch").is_file()


def test_missing_files_without_download_say_where_to_put_them(tmp_path):
    with pytest.raises(DatasetError, match=r"expected cifar-10-batches-py/ or cifar-10-python.tar.gz in .*download=False"):
        load_cifar10(data_dir=tmp_path, download=False)


class Evil:
    def __reduce__(self):
        return (os.getcwd, ())


def test_unpickler_refuses_any_other_class(tmp_path):
    batches = write_batches(tmp_path)
    (batches / "test_batch").write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}, protocol=4))
    with pytest.raises(DatasetError, match=r"refused to unpickle posix.getcwd"):
        load_cifar10("test", data_dir=tmp_path, download=False)
    with pytest.raises(DatasetError, match=r"refused to unpickle (__builtin__|builtins).set"):
        cifar.BatchUnpickler(io.BytesIO(pickle.dumps({1, 2}, protocol=2))).load()


def test_a_batch_of_the_wrong_shape_is_refused(tmp_path):
    batches = write_batches(tmp_path)
    (batches / "test_batch").write_bytes(pickle.dumps({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}, protocol=4))
    with pytest.raises(DatasetError, match=r"expected data \(n, 3072\) uint8"):
        load_cifar10("test", data_dir=tmp_path, download=False)
    (batches / "test_batch").write_bytes(b"not a pickle")
    with pytest.raises(DatasetError, match="not a readable CIFAR-10 python batch"):
        load_cifar10("test", data_dir=tmp_path, download=False)
