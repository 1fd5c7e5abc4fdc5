import numpy as np
import pytest
import torch

from aekit import AutoencoderEstimator, ConfigError, DataError
from aekit.apps.hashing import (
    ITQ,
    binarize,
    fit_itq,
    fit_rotation,
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


# --- ITQ (issue 15): a rotation learned on a real-valued code, saved with the model -----------


def _correlated(n=400, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + 3.0


def _quantisation_loss(itq, codes):
    v = (codes - itq.mean) @ itq.projection
    return float(((np.where(v >= 0, 1.0, -1.0) - v) ** 2).sum())


def test_itq_rotation_is_orthogonal_and_lowers_the_quantisation_loss():
    codes = _correlated()
    start, fitted = fit_itq(codes, iterations=0), fit_itq(codes, iterations=50)
    np.testing.assert_allclose(fitted.projection.T @ fitted.projection, np.eye(6), atol=1e-10)
    assert _quantisation_loss(fitted, codes) < 0.95 * _quantisation_loss(start, codes)
    fewer = fit_itq(codes, n_bits=3)  # PCA to 3 directions, then a 3x3 rotation
    assert fewer.projection.shape == (6, 3)
    np.testing.assert_allclose(fewer.projection.T @ fewer.projection, np.eye(3), atol=1e-10)


def test_itq_bits_are_balanced_on_centred_codes():
    bits = fit_itq(_correlated(n=2000)).bits(_correlated(n=2000))
    assert bits.shape == (2000, 6) and np.abs(bits.mean(0) - 0.5).max() < 0.1


def test_itq_errors_name_the_parameter():
    codes = _correlated()
    with pytest.raises(ConfigError, match=r"n_bits must be an integer from 1 to min\(n_dims, n_samples\) = 6; got 7"):
        fit_itq(codes, n_bits=7)
    with pytest.raises(ConfigError, match="iterations must be an integer >= 0; got -1"):
        fit_itq(codes, iterations=-1)
    with pytest.raises(DataError, match=r"codes must be 2-D \(n_samples >= 2, n_dims\); got shape \(5,\)"):
        fit_itq(np.zeros(5))
    with pytest.raises(DataError, match=r"codes must be \(n_samples, 6\), the width this ITQ was fitted on; got shape \(2, 4\)"):
        fit_itq(codes).bits(np.zeros((2, 4)))


def test_a_fitted_rotation_is_used_saved_and_loaded(tmp_path):
    import json

    from safetensors import safe_open

    import aekit

    X = load_font().data
    ae = fit_rotation(AutoencoderEstimator(latent_dim=8, max_iter=5, random_state=0).fit(X), X)
    bits = hash_codes(ae, X)
    itq = ITQ(ae.hash_mean_, ae.hash_projection_)
    np.testing.assert_array_equal(bits, itq.bits(ae.transform(X)))
    assert not np.array_equal(bits, hash_codes(AutoencoderEstimator(latent_dim=8, max_iter=5, random_state=0).fit(X), X))
    path = aekit.save(ae, tmp_path / "m")
    assert json.loads((path / "config.json").read_text())["fitted"]["hash_projection_"] == {"tensor": "fitted.hash_projection_"}
    with safe_open(str(path / "model.safetensors"), "pt") as f:  # a tensor beside the weights, no pickle
        assert f.get_tensor("fitted.hash_projection_").shape == (8, 8)
    again = aekit.load(path)
    np.testing.assert_array_equal(again.hash_projection_, ae.hash_projection_)
    np.testing.assert_array_equal(hash_codes(again, X), bits)
    with pytest.raises(ConfigError, match=r"threshold is for real-valued codes without a rotation, but this model has a fitted hashing rotation"):
        hash_codes(again, X, threshold=0.0)


def test_refitting_the_autoencoder_drops_its_stale_rotation():
    X = load_font().data
    ae = fit_rotation(AutoencoderEstimator(latent_dim=8, max_iter=5, random_state=0).fit(X), X)
    ae.set_params(random_state=1).fit(X)
    assert not hasattr(ae, "hash_projection_") and not hasattr(ae, "hash_mean_")
    np.testing.assert_array_equal(hash_codes(ae, X), ae.transform(X) > 0.0)  # the new code, unrotated


def test_fit_rotation_refuses_a_code_of_bits():
    X = load_font().data
    ae = AutoencoderEstimator(latent="stochastic_binary", latent_dim=8, max_iter=2, random_state=0).fit(X)
    with pytest.raises(ConfigError, match='fit_rotation rotates a real-valued code, but this model has latent="stochastic_binary"'):
        fit_rotation(ae, X)


def test_stochastic_binary_codes_are_bits_balanced_and_deterministic_in_eval():
    X = np.random.default_rng(0).random((300, 12))
    ae = AutoencoderEstimator(latent="stochastic_binary", latent_dim=8, hidden_sizes=(16,), loss="bce", max_iter=20,
                              random_state=0).fit(X)
    bits = hash_codes(ae, X)
    assert bits.dtype == bool and np.array_equal(bits, hash_codes(ae, X))
    assert np.abs(bits.mean(0) - 0.5).max() < 0.15  # batch-normalised pre-activations: about half on
    head = ae.model_.latent.train()
    h = torch.randn(64, head.layer.in_features)
    a, b = head(h).z, head(h).z
    assert set(torch.unique(a).tolist()) <= {0.0, 1.0} and not torch.equal(a, b)  # sampled in training
    head.eval()
    assert torch.equal(head(h).z, head(h).z)
