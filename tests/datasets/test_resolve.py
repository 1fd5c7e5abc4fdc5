import gzip
import hashlib

import numpy as np
import pytest
from PIL import Image

from aekit.datasets import DATASET_NAMES, idx, load_dataset
from aekit.datasets.download import RemoteFile
from aekit.datasets.idx import IdxDataset
from aekit.errors import ConfigError, DatasetError


@pytest.mark.parametrize(("spec", "shape"), [("font", (32, 35)), ("DIGITS", (1797, 64))])
def test_embedded_names(spec, shape):
    bunch = load_dataset(spec)
    assert bunch.data.shape == shape and bunch.data.dtype == np.float32


@pytest.fixture
def tiny_fashion(tmp_path, monkeypatch, idx_bytes):
    files = {}
    for key, array in {
        "test-images": np.array([[[0, 128], [255, 64]]], np.uint8),
        "test-labels": np.array([9], np.uint8),
    }.items():
        raw = idx_bytes(array)
        (tmp_path / idx._FILENAMES[key]).write_bytes(gzip.compress(raw))
        files[key] = RemoteFile(idx._FILENAMES[key], hashlib.sha256(raw).hexdigest())
    spec = IdxDataset("fashion-mnist", (), files, tuple("abcdefghij"), "tiny")
    monkeypatch.setitem(idx.IDX_DATASETS, "fashion-mnist", spec)
    monkeypatch.setitem(idx.IDX_DATASETS, "mnist", IdxDataset("mnist", (), files, tuple("0123456789"), "t"))
    return tmp_path


def test_idx_names_with_options(tiny_fashion):
    fashion = load_dataset("fashion_mnist", subset="test", data_dir=tiny_fashion)
    assert fashion.data.shape == (1, 4) and fashion.labels.tolist() == ["j"]
    binary = load_dataset("binarized-mnist", subset="test", data_dir=tiny_fashion)
    np.testing.assert_array_equal(binary.data[0, [0, 2]], [0, 1])  # p = 0 and p = 1 are certain
    assert set(np.unique(binary.data)) <= {0.0, 1.0} and binary.images.shape == (1, 2, 2)
    again = load_dataset("binarized-mnist", subset="test", data_dir=tiny_fashion, random_state=0)
    np.testing.assert_array_equal(again.data, binary.data)  # random_state=0 is the default


def test_paths(tmp_path):
    np.save(tmp_path / "x.npy", np.eye(3))
    assert load_dataset(str(tmp_path / "x.npy")).data.shape == (3, 3)
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    assert load_dataset(tmp_path / "t.csv", scale=None).feature_names == ["a", "b"]
    (tmp_path / "imgs" / "A").mkdir(parents=True)
    Image.new("L", (3, 2)).save(tmp_path / "imgs" / "A" / "0.png")
    assert load_dataset(str(tmp_path / "imgs"), color="grayscale").image_shape == (2, 3)


def test_errors(tmp_path):
    assert "mnist" in DATASET_NAMES
    with pytest.raises(ConfigError, match=r"spec='minst' is neither a dataset name nor an existing path.*Did you mean \"mnist\""):
        load_dataset("minst")
    with pytest.raises(DatasetError, match=r"data file .*absent.csv does not exist"):
        load_dataset(str(tmp_path / "absent.csv"))
    (tmp_path / "x.txt").write_text("1")
    with pytest.raises(DatasetError, match=r"x.txt has suffix '.txt'; expected one of"):
        load_dataset(str(tmp_path / "x.txt"))
    with pytest.raises(ConfigError, match=r"dataset 'font' does not take the option\(s\) \['subset'\]; it accepts none"):
        load_dataset("font", subset="test")
    with pytest.raises(ConfigError, match=r"does not take the option\(s\) \['sacle'\].*Did you mean \"scale\""):
        np.save(tmp_path / "x.npy", np.eye(2))
        load_dataset(str(tmp_path / "x.npy"), sacle="minmax")
    with pytest.raises(ConfigError, match=r"spec must be a dataset name or a path; got int"):
        load_dataset(3)


def test_first_samples_cuts_every_per_sample_field_and_keeps_the_rest():
    from aekit.datasets import first_samples, load_digits

    digits = load_digits()
    head = first_samples(digits, 5)
    assert head.data.shape == (5, 64) and head.data.dtype == np.float32
    assert head.images.shape == (5, 8, 8) and len(head.target) == 5 and head.labels == digits.labels[:5]
    assert head.image_shape == digits.image_shape and len(digits.data) == 1797  # the original is untouched
    assert len(first_samples(digits).data) == len(first_samples(digits, 0).data) == 1797  # None or 0: all


def test_first_samples_without_labels():
    from sklearn.utils import Bunch

    from aekit.datasets import first_samples

    head = first_samples(Bunch(data=np.arange(6.0).reshape(3, 2)), 2)
    assert head.labels is None and head.data.dtype == np.float32 and head.data.tolist() == [[0, 1], [2, 3]]
