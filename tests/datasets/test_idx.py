import gzip
import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aekit.datasets import idx, load_mnist, read_idx
from aekit.datasets.download import RemoteFile
from aekit.datasets.idx import IdxDataset, parse_idx
from aekit.errors import ConfigError, DatasetError


@pytest.mark.parametrize(
    ("type_code", "dtype"), [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16), (0x0D, np.float32)]
)
def test_parse_round_trip(idx_bytes, type_code, dtype):
    array = np.arange(24).reshape(2, 3, 4).astype(dtype)
    out = parse_idx(idx_bytes(array, type_code))
    assert out.dtype == dtype and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, array)


def test_read_idx_gzip_and_plain(tmp_path, idx_bytes):
    labels = np.array([7, 2, 1], dtype=np.uint8)
    (tmp_path / "l.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    (tmp_path / "l").write_bytes(idx_bytes(labels))
    np.testing.assert_array_equal(read_idx(tmp_path / "l.gz"), labels)
    np.testing.assert_array_equal(read_idx(tmp_path / "l"), labels)


def test_wrong_magic_number(idx_bytes):
    raw = bytearray(idx_bytes(np.zeros(3, np.uint8)))
    raw[0] = 0x1F
    with pytest.raises(DatasetError, match=r"magic number 0x1f000801, which is not IDX"):
        parse_idx(bytes(raw), "x-idx1-ubyte")
    with pytest.raises(DatasetError, match=r"magic number 0x00000701"):
        parse_idx(b"\x00\x00\x07\x01" + bytes(8))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x00\x00", r"2 bytes, too short for an IDX header"),
        (b"\x00\x00\x08\x03\x00\x00", r"truncated inside its 3-dimension IDX header"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", r"declares shape \(5,\) of uint8 \(5 bytes.*holds 3"),
    ],
)
def test_truncated_idx(raw, message):
    with pytest.raises(DatasetError, match=message):
        parse_idx(raw)


def test_read_idx_missing_and_corrupt(tmp_path):
    with pytest.raises(DatasetError, match=r"cannot read IDX file .*nope.*Check the path"):
        read_idx(tmp_path / "nope")
    (tmp_path / "c.gz").write_bytes(gzip.compress(bytes(100))[:-6])
    with pytest.raises(DatasetError, match=r"c.gz is not a complete gzip file"):
        read_idx(tmp_path / "c.gz")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_give_an_array_or_our_error(raw):
    try:
        parse_idx(raw)
    except DatasetError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64), st.booleans())
def test_random_file_contents_give_an_array_or_our_error(tmp_path_factory, raw, gzip_prefix):
    path = tmp_path_factory.mktemp("idx") / "f"
    path.write_bytes((b"\x1f\x8b" if gzip_prefix else b"") + raw)
    try:
        read_idx(path)
    except DatasetError:
        pass


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch, idx_bytes):
    """A 3-train, 2-test, 2x2-pixel 'mnist' in tmp_path/mnist, with its checksums registered."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images": rng.integers(0, 256, (3, 2, 2), dtype=np.uint8),
        "train-labels": np.array([5, 0, 4], np.uint8),
        "test-images": np.full((2, 2, 2), 255, np.uint8),
        "test-labels": np.array([7, 2], np.uint8),
    }
    folder = tmp_path / "mnist"
    folder.mkdir()
    files = {}
    for key, array in arrays.items():
        name = idx._FILENAMES[key]
        raw = idx_bytes(array)
        (folder / name).write_bytes(gzip.compress(raw))
        files[key] = RemoteFile(name, hashlib.sha256(raw).hexdigest())
    spec = IdxDataset("mnist", ("https://example.org/",), files, tuple("0123456789"), "tiny")
    monkeypatch.setitem(idx.IDX_DATASETS, "mnist", spec)
    return arrays


def test_load_mnist_from_data_dir_and_env(tmp_path, monkeypatch, tiny_mnist):
    train = load_mnist(data_dir=tmp_path)
    assert train.data.shape == (3, 4) and train.data.dtype == np.float32
    np.testing.assert_allclose(train.images * 255, tiny_mnist["train-images"], atol=1e-4)
    np.testing.assert_array_equal(train.target, [5, 0, 4])
    assert list(train.labels) == ["5", "0", "4"] and train.image_shape == (2, 2)
    monkeypatch.setenv("AEKIT_DATA", str(tmp_path))
    both = load_mnist("all")
    assert both.data.shape == (5, 4) and float(both.data[-1].min()) == 1.0
    np.testing.assert_array_equal(both.target, [5, 0, 4, 7, 2])


def test_images_and_labels_disagree(tmp_path, monkeypatch, tiny_mnist, idx_bytes):
    raw = idx_bytes(np.array([1], np.uint8))
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(raw))
    files = dict(idx.IDX_DATASETS["mnist"].files)
    files["test-labels"] = RemoteFile(files["test-labels"].name, hashlib.sha256(raw).hexdigest())
    monkeypatch.setitem(idx.IDX_DATASETS, "mnist", IdxDataset("mnist", (), files, (), "tiny"))
    with pytest.raises(DatasetError, match=r"has shape \(2, 2, 2\) and .*\(1,\); expected"):
        load_mnist("test", data_dir=tmp_path)


def test_unknown_subset():
    with pytest.raises(ConfigError, match=r"subset='tset' is not a known choice.*Did you mean \"test\""):
        load_mnist("tset")
