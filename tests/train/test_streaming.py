import numpy as np
import pytest
import torch

from aekit.train import MemmapSource
from aekit.errors import DatasetError
from aekit.train.batches import BatchSource


@pytest.fixture
def rows(tmp_path):
    data = np.arange(23 * 3, dtype=np.float64).reshape(23, 3)
    np.save(tmp_path / "x.npy", data)
    return data


def collect(source, batch_size, generator):
    batches = list(source.batches(batch_size, generator))
    for x, y in batches:
        assert x is y and x.dtype == torch.float32
    return batches


def test_every_row_once_in_order_without_generator(tmp_path, rows):
    source = MemmapSource(tmp_path / "x.npy", chunk_size=5)
    assert isinstance(source, BatchSource) and (source.n_samples, source.n_features) == (23, 3)
    batches = collect(source, 4, None)
    assert [len(x) for x, _ in batches] == [4, 4, 4, 4, 4, 3]
    np.testing.assert_array_equal(torch.cat([x for x, _ in batches]).numpy(), rows)


def test_shuffled_is_a_permutation_and_reproducible(tmp_path, rows):
    source = MemmapSource(tmp_path / "x.npy", chunk_size=5)
    first = torch.cat([x for x, _ in collect(source, 4, torch.Generator().manual_seed(0))])
    again = torch.cat([x for x, _ in collect(source, 4, torch.Generator().manual_seed(0))])
    other = torch.cat([x for x, _ in collect(source, 4, torch.Generator().manual_seed(1))])
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert not np.array_equal(first.numpy(), rows)
    order = np.lexsort(first.numpy().T[::-1])
    np.testing.assert_array_equal(first.numpy()[order], rows)


def test_array_and_memmap_and_images(tmp_path, rows):
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    for source in (MemmapSource(rows, chunk_size=7), MemmapSource(mapped, chunk_size=7)):
        np.testing.assert_array_equal(torch.cat([x for x, _ in collect(source, 10, None)]), rows)
    np.save(tmp_path / "img.npy", np.ones((4, 2, 3), np.uint8))
    source = MemmapSource(tmp_path / "img.npy", chunk_size=3)
    assert source.n_features == 6 and next(source.batches(4, None))[0].shape == (4, 6)


def test_errors(tmp_path, rows):
    with pytest.raises(DatasetError, match=r"chunk_size must be a positive integer of rows; got 0"):
        MemmapSource(tmp_path / "x.npy", chunk_size=0)
    with pytest.raises(DatasetError, match=r"nope.npy is not a readable .npy file"):
        MemmapSource(tmp_path / "nope.npy")
    (tmp_path / "garbage.npy").write_bytes(b"not numpy at all")
    with pytest.raises(DatasetError, match=r"garbage.npy is not a readable .npy file"):
        MemmapSource(tmp_path / "garbage.npy")
    whole = (tmp_path / "x.npy").read_bytes()
    (tmp_path / "cut.npy").write_bytes(whole[:-10])
    with pytest.raises(DatasetError, match=r"cut.npy is .* bytes but its header declares \(23, 3\) float64"):
        MemmapSource(tmp_path / "cut.npy")
    np.save(tmp_path / "f.npy", np.asfortranarray(rows))
    with pytest.raises(DatasetError, match=r"Fortran-ordered float64 array; streaming expects"):
        MemmapSource(tmp_path / "f.npy")
    np.save(tmp_path / "empty.npy", np.zeros((0, 3)))
    with pytest.raises(DatasetError, match=r"empty.npy has shape \(0, 3\); expected"):
        MemmapSource(tmp_path / "empty.npy")


def test_estimator_trains_from_a_streamed_file(tmp_path):
    from aekit.estimators import AutoencoderEstimator

    data = np.random.default_rng(0).random((300, 12), dtype=np.float32)
    np.save(tmp_path / "x.npy", data)
    source = MemmapSource(tmp_path / "x.npy", chunk_size=64)
    estimator = AutoencoderEstimator(hidden_sizes=(64,), latent_dim=16, max_iter=1, random_state=0)
    estimator.fit(source)
    assert estimator.n_features_in_ == 12
    codes = estimator.transform(data)
    assert codes.shape == (300, 16) and np.isfinite(codes).all()
    again = AutoencoderEstimator(hidden_sizes=(64,), latent_dim=16, max_iter=1, random_state=0)
    np.testing.assert_allclose(again.fit(source).transform(data), codes, rtol=1e-5, atol=1e-6)
