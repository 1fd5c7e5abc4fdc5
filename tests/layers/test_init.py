"""Weight initialisation schemes: the bounds they promise, and the choice by name."""

import math

import pytest
import torch
from torch import nn

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError
from aekit.layers.init import initialize_weights
from aekit.models import ModelSpec, build_autoencoder


def _linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


@pytest.mark.parametrize(
    "scheme, bound",
    [("glorot", lambda fan_in, fan_out: math.sqrt(6 / (fan_in + fan_out))), ("he", lambda fan_in, fan_out: math.sqrt(6 / fan_in))],
)
def test_uniform_schemes_fill_their_range_and_zero_the_biases(scheme, bound):
    torch.manual_seed(0)
    model = build_autoencoder(ModelSpec(input_shape=(784,), hidden_sizes=(256,), latent_dim=32, weight_init=scheme))
    for layer in _linears(model):
        fan_out, fan_in = layer.weight.shape
        a = bound(fan_in, fan_out)
        w = layer.weight.detach()
        assert w.abs().max() <= a and w.abs().max() > 0.95 * a
        assert abs(w.std().item() - a / math.sqrt(3)) < 0.05 * a  # the std of U(-a, a)
        assert torch.count_nonzero(layer.bias) == 0


def test_torch_scheme_keeps_pytorchs_draw():
    spec = ModelSpec(input_shape=(20,), hidden_sizes=(8,), latent_dim=2, weight_init="torch")
    torch.manual_seed(3)
    model = build_autoencoder(spec)
    torch.manual_seed(3)
    plain = nn.Linear(20, 8)  # the first layer built, from the same RNG state
    assert torch.equal(_linears(model)[0].weight, plain.weight)
    assert torch.count_nonzero(_linears(model)[0].bias) > 0


def test_conv_layers_are_initialised_too():
    torch.manual_seed(0)
    spec = ModelSpec(input_shape=(1, 8, 8), architecture="conv", channels=(4,), latent_dim=3, weight_init="glorot")
    convs = [m for m in build_autoencoder(spec).modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert convs and all(torch.count_nonzero(c.bias) == 0 for c in convs)


def test_unknown_scheme_is_refused_with_a_suggestion(font):
    with pytest.raises(ConfigError, match="weight_init.*glorot"):
        AutoencoderEstimator(weight_init="glorotx", max_iter=1).fit(font.data)
    with pytest.raises(ValueError, match="weight_init must be one of"):
        initialize_weights(nn.Linear(2, 2), "xavier")
