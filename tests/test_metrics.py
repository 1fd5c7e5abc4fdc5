"""Reconstruction errors and the PCA baseline, against closed forms."""

import doctest

import numpy as np
import pytest

import aekit.metrics
from aekit.errors import ConfigError, DataError
from aekit.metrics import pca_reconstruction, pca_reconstruction_error, reconstruction_error


def test_docstring_examples():
    assert doctest.testmod(aekit.metrics).failed == 0


def test_errors_by_hand():
    err = reconstruction_error([[0, 1], [1, 1]], [[0.5, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(err.per_sample, [0.25, 1.0])
    assert err.sse == pytest.approx(1.25) and err.mse == pytest.approx(1.25 / 4)
    assert err.wrong_pixels.tolist() == [1, 1]  # 0.5 counts as on (x_hat >= 0.5)
    assert err.summary()["max_wrong_pixels"] == 1


def test_no_wrong_pixels_for_real_valued_data():
    err = reconstruction_error([[0.3, 2.0]], [[0.3, 2.0]])
    assert err.wrong_pixels is None and "mean_wrong_pixels" not in err.summary()


def test_pca_error_is_the_discarded_variance():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4)) * [3.0, 2.0, 1.0, 0.5]
    centred = X - X.mean(axis=0)
    eigenvalues = np.linalg.eigvalsh(centred.T @ centred)  # ascending
    assert pca_reconstruction_error(X, 2).sse == pytest.approx(eigenvalues[:2].sum())


def test_pca_on_held_out_data():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    np.testing.assert_allclose(pca_reconstruction(X, 1, [[1.0, 0.0]]), [[0.5, 0.5]])


def test_too_many_components():
    with pytest.raises(ConfigError, match=r"n_components must be an integer from 1 to min\(n_samples, n_features\) = 2; got 3"):
        pca_reconstruction(np.zeros((5, 2)), 3)


def test_shapes_must_match():
    with pytest.raises(DataError, match=r"X has shape \(1, 2\) but X_hat has shape \(1, 3\)"):
        reconstruction_error(np.zeros((1, 2)), np.zeros((1, 3)))


def test_nan_reconstructions():
    with pytest.raises(DataError, match=r"X_hat contains NaN or infinite values; the model may have diverged"):
        reconstruction_error(np.zeros((1, 2)), [[0.0, np.nan]])


def test_describe():
    assert reconstruction_error([[0, 1]], [[0.0, 0.5]]).describe() == "sse 0.25, mse 0.125, mean wrong pixels 0, max wrong pixels 0"
