"""Importance-sampled log-likelihood of a VAE: against exact quadrature, and its refusals."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from aekit import AutoencoderEstimator
from aekit.datasets import binarize
from aekit.errors import ConfigError, DataError


@pytest.fixture(scope="module")
def binary_font(font):
    return binarize(font.data, method="threshold")


@pytest.fixture(scope="module")
def vae_1d(binary_font):
    """A VAE with a 1-D code, so that log p(x) can be integrated exactly on a grid."""
    return AutoencoderEstimator(
        hidden_sizes=(16,), latent_dim=1, latent="gaussian", loss="bce", max_iter=150,
        learning_rate=0.01, batch_size=32, random_state=0,
    ).fit(binary_font)


def _quadrature_log_likelihood(estimator, X):
    """log integral p(x|z) N(z; 0, 1) dz on a fine grid over [-10, 10] (trapezoid rule)."""
    grid = torch.linspace(-10.0, 10.0, 40_001, dtype=torch.float64)
    with torch.no_grad():
        logits = estimator.model_.double().decode_logits(grid[:, None])  # (G, D)
        estimator.model_.float()
    x = torch.as_tensor(X, dtype=torch.float64)
    log_px_z = x @ logits.T - F.softplus(logits).sum(-1)  # (n, G)
    log_integrand = log_px_z - 0.5 * (grid.square() + math.log(2 * math.pi))
    step = float(grid[1] - grid[0])
    trapezoid = torch.full_like(grid, math.log(step))
    trapezoid[[0, -1]] = math.log(step / 2)
    return torch.logsumexp(log_integrand + trapezoid, dim=1).numpy()


def test_matches_exact_integral(vae_1d, binary_font):
    exact = _quadrature_log_likelihood(vae_1d, binary_font)
    estimate = vae_1d.log_likelihood(binary_font, n_samples=5000, random_state=0)
    assert estimate.shape == (32,) and estimate.dtype == np.float64
    assert np.all(exact < -1.0)  # a real likelihood, not a degenerate one
    assert abs((estimate - exact).mean()) < 0.02  # measured: 0.006 here; the ELBO is 0.18 below
    np.testing.assert_allclose(estimate, exact, atol=0.1)


def test_tightens_with_more_samples_and_is_seeded(vae_1d, binary_font):
    elbo = vae_1d.log_likelihood(binary_font, n_samples=1, random_state=0).mean()
    tight = vae_1d.log_likelihood(binary_font, n_samples=2000, random_state=0).mean()
    assert tight > elbo
    again = vae_1d.log_likelihood(binary_font, n_samples=2000, random_state=0)
    np.testing.assert_array_equal(again, vae_1d.log_likelihood(binary_font, n_samples=2000, random_state=0))


def test_refuses_models_without_a_bernoulli_vae(binary_font):
    plain = AutoencoderEstimator(hidden_sizes=(8,), latent_dim=2, loss="bce", max_iter=2, random_state=0).fit(binary_font)
    with pytest.raises(ConfigError, match='latent="gaussian", loss="bce"'):
        plain.log_likelihood(binary_font)
    gaussian_mse = AutoencoderEstimator(hidden_sizes=(8,), latent="gaussian", max_iter=2, random_state=0).fit(binary_font)
    with pytest.raises(ConfigError, match="loss='mse'"):
        gaussian_mse.log_likelihood(binary_font)


def test_refuses_non_binary_data_and_bad_sample_counts(vae_1d, font):
    with pytest.raises(DataError, match="binarise it first"):
        vae_1d.log_likelihood(font.data * 0.5)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ConfigError, match="n_samples must be a positive integer"):
            vae_1d.log_likelihood(binarize(font.data, method="threshold"), n_samples=bad)
