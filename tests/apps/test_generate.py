"""Latent points to decode: grid, segment and prior samples."""

import doctest

import numpy as np
import pytest

import aekit.apps.generate
from aekit import AutoencoderEstimator
from aekit.apps.generate import (
    _slerp,
    code_limits,
    grid_points,
    interpolate,
    interpolate_samples,
    latent_grid,
    sample,
    sample_index,
    sample_prior,
)
from aekit.datasets import load_font
from aekit.errors import ConfigError, DataError
from aekit.layers.latent import BERNOULLI_PRIOR, NORMAL_PRIOR


def test_docstring_examples():
    assert doctest.testmod(aekit.apps.generate).failed == 0


def test_grid_covers_the_rectangle():
    points = grid_points(((0, 2), (-1, 1)), 3)
    assert points.shape == (9, 2) and points.min(axis=0).tolist() == [0, -1] and points.max(axis=0).tolist() == [2, 1]


def test_segment_ends():
    points = interpolate([1, 2, 3], [3, 2, 1], 5)
    np.testing.assert_allclose(points[[0, -1]], [[1, 2, 3], [3, 2, 1]])


def test_without_a_prior_samples_follow_the_codes():
    codes = np.random.default_rng(0).normal(loc=5.0, scale=2.0, size=(2000, 2))
    samples = sample_prior(None, 2000, 2, codes=codes, random_state=1)
    np.testing.assert_allclose(samples.mean(axis=0), [5, 5], atol=0.2)


def test_binary_prior_is_zeros_and_ones():
    assert set(np.unique(sample_prior(BERNOULLI_PRIOR, 50, 4))) == {0.0, 1.0}


def test_a_prior_is_drawn_with_its_own_draw():
    np.testing.assert_array_equal(sample_prior(NORMAL_PRIOR, 3, 2, random_state=7), np.random.RandomState(7).standard_normal((3, 2)))


def test_code_limits_margin():
    codes = np.array([[0.0, 1.0], [4.0, 1.0]], dtype=np.float32)
    np.testing.assert_array_equal(code_limits(codes), [[0.0, 4.0], [1.0, 1.0]])
    lims = code_limits(codes, margin=0.05)
    assert lims.dtype == np.float32
    np.testing.assert_allclose(lims, [[-0.2, 4.2], [1.0 - 5e-8, 1.0 + 5e-8]], rtol=1e-6)  # range floored at 1e-6


def test_sample_index_reads_indices_labels_and_hash_indices():
    labels = ["a", "b", "c"]
    assert [sample_index(key, labels, 3) for key in (2, "c", "#1", "#3", 3, "z")] == [2, 2, 1, None, None, None]
    assert sample_index("1", [0, 1], 2) == 1  # labels are compared as text


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: grid_points((1, 0), 3), ConfigError, r"lims must be \(low, high\)"),
    (lambda: grid_points((0, 1), 1), ConfigError, r"n must be at least 2 points per axis; got 1"),
    (lambda: interpolate([0], [1, 2], 3), DataError, r"same size; got 1 and 2 values"),
    (lambda: interpolate([0], [1], 1), ConfigError, r"n must be at least 2 \(the two end points\); got 1"),
    (lambda: sample_prior(None, 3, 2), DataError, r"codes=None, but a code without a prior is sampled from a Gaussian mixture.*Fix: pass codes="),
    (lambda: sample_prior("gaussian", 3, 2), ConfigError, r"prior must be a Prior or None; got 'gaussian'\. Fix: pass estimator\.model_\.latent\.traits\.prior"),
    (lambda: code_limits(np.zeros((0, 2))), DataError, r"codes must be a non-empty 2-D array \(n_samples, latent_dim\); got shape \(0, 2\)\. Fix"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.fixture(scope="module")
def font():
    return load_font().data


@pytest.fixture(scope="module")
def vae(font):
    return AutoencoderEstimator(latent="gaussian", latent_dim=2, loss="bce", max_iter=20, random_state=0).fit(font)


@pytest.fixture(scope="module")
def ae(font):
    return AutoencoderEstimator(latent_dim=3, loss="bce", max_iter=20, random_state=0).fit(font)


def test_vae_samples_from_prior_reproducibly(vae):
    a, b = sample(vae, 5, random_state=0), sample(vae, 5, random_state=0)
    assert a.shape == (5, 35) and ((a >= 0) & (a <= 1)).all()
    np.testing.assert_array_equal(a, b)


def test_deterministic_ae_samples_from_mixture_on_codes(ae, font):
    assert sample(ae, 7, X=font, n_components=3, random_state=0).shape == (7, 35)


def test_interpolation_ends_decode_the_end_codes(ae, font):
    path = interpolate_samples(ae, font[1], font[5], n_steps=4)
    np.testing.assert_allclose(path[0], ae.inverse_transform(ae.transform(font[1:2]))[0], atol=1e-5)
    np.testing.assert_allclose(path[-1], ae.inverse_transform(ae.transform(font[5:6]))[0], atol=1e-5)


def test_slerp_keeps_unit_norm():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(np.linalg.norm(_slerp(a, b, np.linspace(0, 1, 5)), axis=1), 1.0)


def test_latent_grid(vae, ae, font):
    grid = latent_grid(vae, 3)
    assert grid.codes.shape == (9, 2) and grid.decoded.shape == (9, 35)
    assert latent_grid(ae, 2, X=font, dims=(0, 2)).codes.shape == (4, 3)


def test_estimator_level_errors(ae, font):
    with pytest.raises(ConfigError, match=r"sample\(\) on a 'deterministic' latent needs X.*got X=None. Fix"):
        sample(ae, 3)
    with pytest.raises(ConfigError, match=r"n_samples must be an integer >= 1; got 0"):
        sample(ae, 0, X=font)
    with pytest.raises(ConfigError, match=r"n_steps must be an integer >= 2.*got 1"):
        interpolate_samples(ae, font[0], font[1], n_steps=1)
    with pytest.raises(ConfigError, match=r"method='cubic' is not a known choice"):
        interpolate_samples(ae, font[0], font[1], method="cubic")
    with pytest.raises(ConfigError, match=r"dims must name two different code dimensions in 0..2; got dims=\(0, 0\).*Fix"):
        latent_grid(ae, 2, X=font, dims=(0, 0))
    with pytest.raises(ConfigError, match=r"latent_grid\(\) on a deterministic code needs X.*Fix"):
        latent_grid(ae, 2)


def test_binary_head_samples_fair_coins_from_its_prior(font):
    ae = AutoencoderEstimator(latent="binary", latent_dim=4, max_iter=2, random_state=0).fit(font)
    expected = ae.inverse_transform(BERNOULLI_PRIOR.draw(np.random.RandomState(0), 5, 4).astype(np.float32))
    np.testing.assert_array_equal(sample(ae, 5, random_state=0), expected)
