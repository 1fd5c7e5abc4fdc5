import numpy as np
import pytest

from aekit import AutoencoderEstimator, ConfigError
from aekit.apps.generate import _slerp, interpolate, latent_grid, sample
from aekit.datasets import load_font


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
    path = interpolate(ae, font[1], font[5], n_steps=4)
    np.testing.assert_allclose(path[0], ae.inverse_transform(ae.transform(font[1:2]))[0], atol=1e-5)
    np.testing.assert_allclose(path[-1], ae.inverse_transform(ae.transform(font[5:6]))[0], atol=1e-5)


def test_slerp_keeps_unit_norm():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(np.linalg.norm(_slerp(a, b, np.linspace(0, 1, 5)), axis=1), 1.0)


def test_latent_grid(vae, ae, font):
    grid = latent_grid(vae, 3)
    assert grid.codes.shape == (9, 2) and grid.decoded.shape == (9, 35)
    assert latent_grid(ae, 2, X=font, dims=(0, 2)).codes.shape == (4, 3)


def test_errors(ae, font):
    with pytest.raises(ConfigError, match=r"sample\(\) on a 'deterministic' latent needs X.*got X=None. Fix"):
        sample(ae, 3)
    with pytest.raises(ConfigError, match=r"n_samples must be an integer >= 1; got 0"):
        sample(ae, 0, X=font)
    with pytest.raises(ConfigError, match=r"n_steps must be an integer >= 2.*got 1"):
        interpolate(ae, font[0], font[1], n_steps=1)
    with pytest.raises(ConfigError, match=r"method='cubic' is not a known choice"):
        interpolate(ae, font[0], font[1], method="cubic")
    with pytest.raises(ConfigError, match=r"dims must name two different code dimensions in 0..2; got dims=\(0, 0\).*Fix"):
        latent_grid(ae, 2, X=font, dims=(0, 0))
    with pytest.raises(ConfigError, match=r"latent_grid\(\) on a deterministic code needs X.*Fix"):
        latent_grid(ae, 2)
