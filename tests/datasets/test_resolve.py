"""Data specs: built-in names and .npy/.npz/.csv files."""

import numpy as np
import pytest

from aekit.errors import DatasetError
from aekit.datasets.resolve import resolve


def test_builtin_names():
    assert resolve("Font").image_shape == (7, 5)


def test_npz_with_labels(tmp_path):
    np.savez(tmp_path / "d.npz", data=np.ones((3, 2, 2)), labels=np.array(["a", "b", "c"]))
    bunch = resolve(tmp_path / "d.npz")
    assert bunch.data.shape == (3, 4) and bunch.labels == ["a", "b", "c"] and bunch.image_shape == (2, 2)


def test_csv_and_npy(tmp_path):
    np.savetxt(tmp_path / "d.csv", np.eye(3), delimiter=",")
    np.save(tmp_path / "d.npy", np.eye(2))
    assert resolve(tmp_path / "d.csv").data.shape == (3, 3)
    assert resolve(tmp_path / "d.npy").labels is None


def test_unknown_name():
    with pytest.raises(DatasetError, match=r"Unknown data 'fnt'.*Did you mean \"font\"\?"):
        resolve("fnt")


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match=r"Data file '.*x.npy' does not exist"):
        resolve(tmp_path / "x.npy")


def test_unreadable_file(tmp_path):
    (tmp_path / "bad.npy").write_text("not numpy")
    with pytest.raises(DatasetError, match=r"Cannot read '.*bad.npy'"):
        resolve(tmp_path / "bad.npy")


def test_mnist_missing_is_said():
    import aekit.datasets

    if hasattr(aekit.datasets, "load_mnist"):
        pytest.skip("the MNIST loader is present")
    with pytest.raises(DatasetError, match=r"The MNIST loader is not part of this aekit build yet"):
        resolve("mnist")
