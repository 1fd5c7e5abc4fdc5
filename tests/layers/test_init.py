"""Weight initialisation schemes: the bounds they promise, and the choice by name."""

import math

import pytest
import torch
from torch import nn

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError
from aekit.metrics import wrong_pixels
from aekit.layers.init import initialize_from_data, initialize_weights
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


def _pre_activations(model, x):
    """Every dense/conv layer's output on x, in the order the forward pass runs them."""
    seen = []
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    handles = [m.register_forward_hook(lambda module, args, out: seen.append(out.detach())) for m in layers]
    with torch.no_grad():
        model.eval()
        model(x)
    for h in handles:
        h.remove()
    return seen


def _unit_stats(t):
    dims = [0] + list(range(2, t.dim()))
    return t.mean(dims), t.std(dims)


def test_data_init_gives_every_hidden_unit_zero_mean_and_unit_variance(font):
    torch.manual_seed(0)
    spec = ModelSpec(input_shape=(35,), hidden_sizes=(20, 10), latent_dim=2, activations="relu", output_activation="sigmoid", weight_init="data")
    model = build_autoencoder(spec)
    x = torch.tensor(font.data)
    initialize_from_data(model, x, x, "sigmoid")
    outputs = _pre_activations(model, x)
    assert len(outputs) == 6
    for out in outputs[:-1]:  # 20, 10, the code, 10, 20: every unit centred and scaled
        mean, std = _unit_stats(out)
        assert mean.abs().max() < 1e-5 and (std - 1).abs().max() < 1e-4
    p = x.mean(0).clamp(0.01, 0.99)  # the output's logits start, on average, at the data's mean pixel
    assert torch.allclose(outputs[-1].mean(0), torch.log(p / (1 - p)), atol=1e-4)


def test_data_init_scales_conv_and_transposed_conv_channels():
    torch.manual_seed(0)
    spec = ModelSpec(input_shape=(1, 8, 8), architecture="conv", channels=(4, 6), latent_dim=3, weight_init="data")
    model = build_autoencoder(spec)
    x = torch.rand(40, 1, 8, 8)
    initialize_from_data(model, x, x, "linear")
    outputs = _pre_activations(model, x)
    kinds = {type(m) for m in model.modules()}
    assert nn.ConvTranspose2d in kinds  # the unit axis of a transposed conv's weight is 1, not 0
    for out in outputs[:-1]:
        mean, std = _unit_stats(out)
        assert mean.abs().max() < 1e-5 and (std - 1).abs().max() < 1e-3
    assert torch.allclose(outputs[-1].mean((0, 2, 3)), x.mean((0, 2, 3)), atol=1e-4)


def test_data_init_keeps_a_constant_unit_and_restores_training_mode():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2))
    initialize_weights(net, "data")
    with torch.no_grad():
        net[0].weight[1] = 0.0  # unit 1 is constant over any data: nothing to rescale
    net.train()
    x = torch.rand(30, 3)
    initialize_from_data(net, x, torch.rand(30, 2), "tanh")
    assert net.training and torch.all(net[0].weight[1] == 0) and torch.isfinite(net[0].weight).all()


@pytest.mark.slow
def test_estimator_data_init_beats_glorot_on_the_deep_relu_font(font):
    X = font.data
    common = dict(
        layers=(35, 20, 10, 2, 10, 20, 35), layer_activations=("relu", "relu", "linear", "relu", "relu", "sigmoid"),
        loss="bce", learning_rate=0.03, batch_size=32, max_iter=150,
    )
    wrong = {}
    for scheme in ("glorot", "data"):
        total = 0
        for seed in range(3):
            est = AutoencoderEstimator(weight_init=scheme, random_state=seed, **common).fit(X)
            total += int(wrong_pixels(X, est.reconstruct(X)).sum())
        wrong[scheme] = total
    assert wrong["data"] < wrong["glorot"] / 2, wrong


def test_estimator_applies_data_init_only_without_an_initial_state(font):
    X = font.data
    common = dict(hidden_sizes=(8,), latent_dim=2, loss="bce", max_iter=1, learning_rate=0.0, random_state=0)
    fresh = AutoencoderEstimator(weight_init="data", **common).fit(X)
    z = torch.as_tensor(fresh.transform(X))
    assert z.mean(0).abs().max() < 1e-4 and (z.std(0) - 1).abs().max() < 1e-3  # the code, centred and scaled on X
    glorot = AutoencoderEstimator(**common).fit(X)
    kept = AutoencoderEstimator(weight_init="data", **common).fit(X, initial_state=glorot.model_.state_dict())
    for name, value in glorot.model_.state_dict().items():  # the given weights are used as they are
        assert torch.equal(kept.model_.state_dict()[name], value), name
