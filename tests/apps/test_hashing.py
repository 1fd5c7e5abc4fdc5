import numpy as np
import pytest

from aekit import AutoencoderEstimator, ConfigError, DataError
from aekit.apps.hashing import (
    binarize,
    hamming_distances,
    hamming_search,
    hash_codes,
    mean_average_precision,
    pack_bits,
)
from aekit.datasets import load_font


def brute_hamming(a, b):
    return (a[:, None, :] != b[None, :, :]).sum(2)


def test_packed_hamming_equals_brute_force():
    rng = np.random.default_rng(0)
    a, b = rng.random((5, 37)) > 0.5, rng.random((9, 37)) > 0.5
    np.testing.assert_array_equal(hamming_distances(pack_bits(a), pack_bits(b)), brute_hamming(a, b))
    assert pack_bits(a).shape == (5, 5)


def test_search_returns_exact_duplicate_first():
    rng = np.random.default_rng(1)
    db = pack_bits(rng.random((50, 32)) > 0.5)
    result = hamming_search(db[[7, 23]], db, k=5)
    np.testing.assert_array_equal(result.indices[:, 0], [7, 23])
    np.testing.assert_array_equal(result.distances[:, 0], [0, 0])
    assert (np.diff(result.distances, axis=1) >= 0).all()


def test_binary_latent_search_finds_the_duplicate_font_character():
    X = load_font().data
    ae = AutoencoderEstimator(latent="binary", latent_dim=32, hidden_sizes=(64,),
                              learning_rate=1e-2, max_iter=150, random_state=0).fit(X)
    bits = hash_codes(ae, X)
    assert len({row.tobytes() for row in bits}) >= 28  # codes tell the 32 characters apart
    result = hamming_search(pack_bits(bits[[4]]), pack_bits(bits), k=1)
    assert result.distances[0, 0] == 0 and bits[result.indices[0, 0]].tolist() == bits[4].tolist()


def test_thresholding_a_real_code_with_the_median_gives_balanced_bits():
    X = load_font().data
    ae = AutoencoderEstimator(latent_dim=8, max_iter=5, random_state=0).fit(X)
    bits = hash_codes(ae, X, threshold=np.median(ae.transform(X), axis=0))
    assert bits.shape == (32, 8)
    np.testing.assert_allclose(bits.mean(0), 0.5)


def test_mean_average_precision_closed_forms():
    db_labels = np.array([0, 1, 0, 1])
    perfect = np.array([[0, 2, 1, 3], [1, 3, 0, 2]])
    assert mean_average_precision(np.array([0, 1]), db_labels, perfect) == 1.0
    # relevant at ranks 2 and 4: (1/2 + 2/4) / 2
    assert mean_average_precision(np.array([0]), db_labels, np.array([[1, 0, 3, 2]])) == 0.5
    assert mean_average_precision(np.array([2]), db_labels, np.array([[0, 1]])) == 0.0


def test_errors():
    packed = pack_bits(np.ones((3, 8), bool))
    with pytest.raises(DataError, match=r"queries must be packed codes.*got dtype bool.*Fix: queries = pack_bits"):
        hamming_distances(np.ones((1, 8), bool), packed)
    with pytest.raises(DataError, match=r"queries have 2 bytes per code but the database has 1. Fix"):
        hamming_distances(pack_bits(np.ones((1, 16), bool)), packed)
    with pytest.raises(ConfigError, match=r"k must be an integer from 1 to the database size \(3\); got 4. Fix"):
        hamming_search(packed, packed, k=4)
    with pytest.raises(DataError, match=r"threshold must be one number or one per code dimension \(2\); got shape \(3,\). Fix"):
        binarize(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(DataError, match=r"codes must be 2-D.*Fix"):
        binarize(np.zeros(4))
    with pytest.raises(DataError, match=r"bits must be 2-D.*Fix"):
        pack_bits(np.zeros(4, bool))
    with pytest.raises(DataError, match=r"indices must be \(n_queries, k\).*got shape \(2,\). Fix"):
        mean_average_precision(np.array([0, 1]), np.array([0, 1]), np.array([0, 1]))
    ae = AutoencoderEstimator(latent="binary", latent_dim=4, max_iter=1, random_state=0).fit(load_font().data)
    with pytest.raises(ConfigError, match=r'latent="binary".*got threshold=0.5. Fix: leave threshold=None'):
        hash_codes(ae, load_font().data, threshold=0.5)
