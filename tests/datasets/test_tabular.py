import numpy as np
import pytest
import scipy.io
from hypothesis import given, settings
from hypothesis import strategies as st

from aekit.datasets import load_tabular
from aekit.errors import ConfigError, DatasetError

X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
Y = np.array([0, 1, 0, 1])


def test_csv_with_header_and_target(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n1,10,cat\n2,20,dog\n3,nan,cat\n")
    table = load_tabular(path, target="label")
    assert table.data.dtype == np.float32 and table.feature_names == ["a", "b"]
    np.testing.assert_array_equal(table.data[:2], [[1, 10], [2, 20]])
    assert np.isnan(table.data[2, 1])
    assert table.target.tolist() == ["cat", "dog", "cat"]


def test_csv_without_header_target_by_index(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("1,10,0\n2,20,1\n")
    table = load_tabular(path, target=-1)
    np.testing.assert_array_equal(table.data, [[1, 10], [2, 20]])
    assert table.target.tolist() == [0.0, 1.0] and table.feature_names == ["0", "1"]


def test_npy_npz_mat_agree(tmp_path):
    np.save(tmp_path / "x.npy", X)
    np.savez(tmp_path / "x.npz", X=X, y=Y)
    scipy.io.savemat(tmp_path / "x.mat", {"X": X, "y": Y[:, None]})
    for name in ("x.npz", "x.mat"):
        table = load_tabular(tmp_path / name)
        np.testing.assert_array_equal(table.data, X)
        np.testing.assert_array_equal(table.target, Y)
    npy = load_tabular(tmp_path / "x.npy", target=1)
    np.testing.assert_array_equal(npy.data, X[:, :1])
    np.testing.assert_array_equal(npy.target, X[:, 1])


def test_npy_images_are_flattened(tmp_path):
    np.save(tmp_path / "img.npy", np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
    table = load_tabular(tmp_path / "img.npy")
    assert table.data.shape == (2, 12) and table.image_shape == (3, 4)
    assert table.images.shape == (2, 3, 4)


def test_scaling_is_fitted_on_the_training_rows_only(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(20.0).reshape(10, 2))
    table = load_tabular(tmp_path / "x.npy", scale="minmax", test_size=0.3, random_state=0)
    assert table.data.shape == (7, 2) and table.data_test.shape == (3, 2)
    np.testing.assert_allclose(table.data.min(0), 0) and np.testing.assert_allclose(table.data.max(0), 1)
    raw = table.scaler.inverse_transform(table.data_test)
    np.testing.assert_allclose(table.scaler.transform(raw), table.data_test, atol=1e-6)
    standard = load_tabular(tmp_path / "x.npy", scale="standard", test_size=0.3, random_state=0)
    np.testing.assert_allclose(standard.data.mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(standard.data.std(0), 1, atol=1e-6)


def test_split_keeps_targets_with_their_rows(tmp_path):
    np.savez(tmp_path / "x.npz", X=np.arange(10.0)[:, None], y=np.arange(10))
    table = load_tabular(tmp_path / "x.npz", test_size=0.5, random_state=1)
    np.testing.assert_array_equal(table.data[:, 0], table.target)
    np.testing.assert_array_equal(table.data_test[:, 0], table.target_test)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n3\n", r"t.csv line 3 has 1 fields but the first row has 2"),
        ("a,b\n1,2\n3,x\n", r"column 'b' is not numeric: line 3 holds 'x'.*pass target='b'"),
        ("a,b\n", r"t.csv has a header but no data rows"),
        ("\n\n", r"t.csv holds no rows"),
        ("", r"t.csv is empty \(0 bytes\)"),
    ],
)
def test_bad_csv(tmp_path, text, message):
    (tmp_path / "t.csv").write_text(text)
    with pytest.raises(DatasetError, match=message):
        load_tabular(tmp_path / "t.csv")


@pytest.mark.parametrize("suffix", [".npy", ".npz", ".mat"])
def test_empty_array_files(tmp_path, suffix):
    (tmp_path / f"e{suffix}").write_bytes(b"")
    with pytest.raises(DatasetError, match=rf"e\{suffix} is empty \(0 bytes\); expected a \{suffix} table"):
        load_tabular(tmp_path / f"e{suffix}")


def test_csv_not_utf8(tmp_path):
    (tmp_path / "t.csv").write_bytes(b"\xff\xfe\x00a,b")
    with pytest.raises(DatasetError, match=r"not a readable CSV file"):
        load_tabular(tmp_path / "t.csv")


def test_bad_arrays(tmp_path):
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    with pytest.raises(DatasetError, match=r"data array has dtype <U1, expected numbers"):
        load_tabular(tmp_path / "s.npy")
    np.savez(tmp_path / "k.npz", A=X, B=Y)
    with pytest.raises(DatasetError, match=r"holds the arrays \['A', 'B'\]; expected the features"):
        load_tabular(tmp_path / "k.npz")
    np.savez(tmp_path / "x.npz", X=X)
    with pytest.raises(DatasetError, match=r"has no array 'z'; it holds \['X'\]"):
        load_tabular(tmp_path / "x.npz", target="z")
    np.savez(tmp_path / "short.npz", X=X, y=Y[:2])
    with pytest.raises(DatasetError, match=r"target has shape \(2,\) but data has \(4, 2\)"):
        load_tabular(tmp_path / "short.npz")
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(DatasetError, match=r"bad.npy is not a valid .npy file"):
        load_tabular(tmp_path / "bad.npy")


def test_matlab_v73_without_h5py(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py -> ImportError
    (tmp_path / "v73.mat").write_bytes(b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(512, b" "))
    with pytest.raises(DatasetError, match=r"v7.3 \(HDF5\).*pip install h5py.*'-v7'"):
        load_tabular(tmp_path / "v73.mat")


def test_matlab_v73_with_h5py(tmp_path):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "v73.mat", "w") as f:
        f["X"] = X.T  # MATLAB writes column-major
        f["y"] = Y[None, :]
    table = load_tabular(tmp_path / "v73.mat")
    np.testing.assert_array_equal(table.data, X)
    np.testing.assert_array_equal(table.target, Y)


def test_bad_arguments(tmp_path):
    with pytest.raises(ConfigError, match=r"file suffix='.txt' is not a known choice"):
        load_tabular(tmp_path / "x.txt")
    with pytest.raises(ConfigError, match=r"scale='minmx'.*Did you mean \"minmax\""):
        load_tabular(tmp_path / "x.csv", scale="minmx")
    with pytest.raises(DatasetError, match=r"test_size must be a fraction in \(0, 1\); got 2"):
        load_tabular(tmp_path / "x.csv", test_size=2)
    with pytest.raises(DatasetError, match=r"cannot read .*x.csv.*Check the path"):
        load_tabular(tmp_path / "x.csv")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([".csv", ".npy", ".npz", ".mat"]))
def test_random_bytes_give_a_table_or_our_error(tmp_path_factory, raw, suffix):
    path = tmp_path_factory.mktemp("tab") / f"f{suffix}"
    path.write_bytes(raw)
    try:
        load_tabular(path)
    except DatasetError:
        pass


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=120))
def test_random_bytes_after_a_valid_header(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("tab")
    np.save(folder / "ok.npy", X)
    scipy.io.savemat(folder / "ok.mat", {"X": X})
    for name in ("ok.npy", "ok.mat"):
        head = (folder / name).read_bytes()[:128]
        (folder / name).write_bytes(head + raw)
        try:
            load_tabular(folder / name)
        except DatasetError:
            pass
