"""architecture="fully-conv": conv layers only, the code is a feature map (the ruta talk's denoiser)."""

import numpy as np
import pytest
import torch

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError
from aekit.io import load, save
from aekit.layers.fullconv import ConvLayer, ConvStack, feature_map_shape
from aekit.models import build_autoencoder, fully_conv_layers
from aekit.estimators.build import model_spec

TALK = dict(
    architecture="fully-conv", channels=(16, 16), decoder_channels=(), resampling=("upsample", "pool", "none"),
    latent_activation="relu", loss="bce",
)


def _images(n=12, shape=(1, 28, 28), seed=0):
    return np.random.default_rng(seed).random((n, *shape)).astype(np.float32)


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32)])
def test_talk_network_keeps_the_resolution(shape):
    spec = model_spec(AutoencoderEstimator(**TALK), shape)
    encoder, decoder = fully_conv_layers(spec)
    assert [(l.channels, l.resampling, l.activation) for l in encoder + decoder] == [
        (16, "upsample", "relu"), (16, "pool", "relu"), (shape[0], "none", "linear")]
    assert spec.latent_dim == 16 * shape[1] * shape[2]  # the code: 16 channels at the input's resolution
    model = build_autoencoder(spec)
    # up-sample 2 then pool 2: the first conv's map is twice the size, the code the input's
    assert model.encoder.body[:3](torch.zeros(2, *shape)).shape == (2, 16, 2 * shape[1], 2 * shape[2])
    out = model(torch.zeros(2, *shape))
    assert out.z.shape == (2, 16 * shape[1] * shape[2])
    assert out.x_hat.shape == (2, *shape)
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())


def test_fit_transform_inverse_reconstruct_shapes():
    X = _images()
    ae = AutoencoderEstimator(**TALK, noise="gaussian", noise_level=0.05, batch_size=6, max_iter=2, random_state=0).fit(X)
    assert np.isfinite(ae.history_.loss).all() and ae.n_iter_ == 2
    Z = ae.transform(X)
    assert Z.shape == (12, 16 * 28 * 28)
    assert ae.inverse_transform(Z).shape == (12, 784)
    assert ae.reconstruct(X).shape == (12, 784)
    np.testing.assert_allclose(ae.inverse_transform(Z), ae.reconstruct(X), atol=1e-6)


def test_default_decoder_mirrors_and_pools_back_odd_sizes():
    # 28 -> 14 -> 7 (code), then 7 -> 14 -> 28; a third pool (7 -> 4) comes back as 32, cropped to 28
    ae = AutoencoderEstimator(architecture="fully-conv", channels=(8, 4), downsampling="pool", upsampling="upsample",
                              max_iter=1, random_state=0).fit(_images(4))
    assert ae.spec_.resampling == ("pool", "pool", "upsample", "upsample")
    assert ae.spec_.decoder_channels == (8,)
    assert ae.transform(_images(4)).shape == (4, 4 * 7 * 7)
    deep = AutoencoderEstimator(architecture="fully-conv", channels=(8, 8, 4), max_iter=1, random_state=0).fit(_images(4))
    assert deep.transform(_images(4)).shape == (4, 4 * 4 * 4)
    assert deep.reconstruct(_images(4)).shape == (4, 784)


def test_save_load_round_trip(tmp_path):
    X = _images(6)
    ae = AutoencoderEstimator(**TALK, max_iter=1, batch_size=6, random_state=0).fit(X)
    save(ae, tmp_path / "fc")
    back = load(tmp_path / "fc")
    assert back.spec_ == ae.spec_
    np.testing.assert_array_equal(back.transform(X), ae.transform(X))
    np.testing.assert_array_equal(back.reconstruct(X), ae.reconstruct(X))


def test_conv_stack_and_feature_map_shape_agree():
    layers = [ConvLayer(4, "stride"), ConvLayer(6, "pool"), ConvLayer(5, "transpose")]
    assert feature_map_shape((3, 15, 15), layers) == (5, 8, 8)
    assert ConvStack(3, layers)(torch.zeros(1, 3, 15, 15)).shape == (1, 5, 8, 8)


@pytest.mark.parametrize("params, match", [
    (dict(resampling=("pool", "none")), r"resampling needs one entry per conv layer: 2 encoder .* 3 in all; got 2"),
    (dict(resampling=("pool", "pool", "none")), r"does not bring the output back to the input's resolution"),
    (dict(resampling=("upsample", "maxpool", "none")), r"resampling"),
    (dict(latent="gaussian"), r'latent=\'gaussian\' needs a dense code layer.*Fix: latent="deterministic"'),
    (dict(latent_dim=512), r'latent_dim=512 cannot be set with architecture="fully-conv".*Fix: drop latent_dim'),
    (dict(channels=()), r"channels must list at least one conv layer"),
    (dict(decoder_channels=(0,)), r"each entry of decoder_channels must be an integer >= 1"),
])
def test_errors_name_the_parameter(params, match):
    with pytest.raises(ConfigError, match=match):
        AutoencoderEstimator(**{**TALK, **params}, max_iter=1).fit(_images(2))


def test_contractive_is_refused():
    with pytest.raises(ConfigError, match=r'contractive_weight > 0 is not supported with architecture="fully-conv".*12544'):
        AutoencoderEstimator(**TALK, contractive_weight=0.1, max_iter=1).fit(_images(2))


def test_layers_form_is_refused():
    with pytest.raises(ConfigError, match=r'layers describes a dense network; it cannot be used with architecture="fully-conv"'):
        AutoencoderEstimator(architecture="fully-conv", layers=[784, 2, 784], layer_activations=["relu", "sigmoid"]).fit(_images(2))


def test_anomaly_detector_with_a_feature_map_code():
    from aekit import AnomalyDetector

    det = AnomalyDetector(architecture="fully-conv", channels=(4,), max_iter=1, random_state=0).fit(_images(8))
    assert det.score_samples(_images(3, seed=1)).shape == (3,)
