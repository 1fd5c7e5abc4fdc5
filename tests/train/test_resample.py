"""Dead-unit resampling (aekit.train.resample, AutoencoderEstimator(dead_unit_resample=k))."""

import numpy as np
import pytest
import torch
from torch import nn

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError
from aekit.layers.dense import mlp
from aekit.layers.init import initialize_from_data, initialize_weights
from aekit.train.config import TrainConfig
from aekit.train.optimizers import make_optimizer
from aekit.train.resample import resample_dead_units


def _net(activation="relu"):
    torch.manual_seed(0)
    net = initialize_weights(nn.Sequential(mlp([5, 6, 4], [activation, activation]), mlp([4, 5], "linear")), "data")
    x = torch.rand(200, 5)
    return initialize_from_data(net, x, x, "linear")  # every unit alive on about half the rows


def _kill(linear, units):
    with torch.no_grad():
        linear.weight[units] = 0.0
        linear.bias[units] = -1.0


def _train_a_step(net, x, solver):
    optimizer = make_optimizer(net.parameters(), TrainConfig(solver=solver, learning_rate=0.01))
    loss = (net(x) - x).pow(2).mean()
    loss.backward()
    optimizer.step()
    return optimizer


def _states(optimizer, param):
    packed = optimizer.state_dict()
    params = [p for group in optimizer.param_groups for p in group["params"]]
    index = [i for group in packed["param_groups"] for i in group["params"]][[id(p) for p in params].index(id(param))]
    return [v.clone() for v in packed["state"][index].values() if isinstance(v, torch.Tensor) and v.shape == param.shape]


@pytest.mark.parametrize("solver", ["adam", "rmsprop", "sgd"])
def test_dead_units_fire_again_the_output_is_unchanged_and_their_optimiser_state_is_reset(solver):
    x = torch.rand(40, 5)
    net = _net()
    first, second = net[0].linears
    optimizer = _train_a_step(net, x, solver)
    _kill(first, [1, 4])
    before = net(x).detach()
    alive_weights = first.weight[[0, 2, 3, 5]].detach().clone()
    states = _states(optimizer, first.weight)
    assert states and all(s[[1, 4]].abs().sum() > 0 for s in states)  # the step left state there
    assert resample_dead_units(net, x, optimizer) == 2
    assert bool((first(x)[:, [1, 4]] > 0).any(0).all())
    active = (first(x)[:, [1, 4]] > 0).float().mean(0)
    assert bool(((active > 0.2) & (active < 0.8)).all())  # centred: about half the rows
    assert torch.equal(net(x), before)
    assert torch.equal(second.weight[:, [1, 4]], torch.zeros(4, 2))
    assert torch.equal(first.weight[[0, 2, 3, 5]], alive_weights)
    for old, new in zip(states, _states(optimizer, first.weight)):
        assert torch.equal(new[[1, 4]], torch.zeros_like(new[[1, 4]]))
        assert torch.equal(new[[0, 2, 3, 5]], old[[0, 2, 3, 5]])
    for new in _states(optimizer, second.weight):
        assert torch.equal(new[:, [1, 4]], torch.zeros_like(new[:, [1, 4]]))


def test_the_last_encoder_layer_is_resampled_through_the_layer_that_reads_it():
    x = torch.rand(40, 5)
    net = _net()
    _kill(net[0].linears[1], [2])  # read by the next stack's linear layer
    before = net(x).detach()
    assert resample_dead_units(net, x) == 1
    assert bool((net[0](x)[:, 2] > 0).any())
    assert torch.equal(net[1].linears[0].weight[:, 2], torch.zeros(5))
    assert torch.equal(net(x), before)


def test_live_units_tanh_units_and_the_output_layer_are_left_alone():
    x = torch.rand(40, 5)
    for net in (_net("tanh"), _net()):
        _kill(net[0].linears[0], [0])
        if isinstance(net[0].act_modules[0], nn.Tanh):
            state = {k: v.clone() for k, v in net.state_dict().items()}
            assert resample_dead_units(net, x) == 0  # tanh is never exactly flat
            assert all(torch.equal(state[k], v) for k, v in net.state_dict().items())
    output = mlp([4, 3], "relu")  # nothing reads this stack's output: it is the model's output
    with torch.no_grad():
        output.linears[0].bias.fill_(-100.0)
    assert resample_dead_units(output, torch.rand(10, 4)) == 0


def _dead_units(estimator, X):
    model, h, dead = estimator.model_, torch.from_numpy(X).float(), 0
    with torch.no_grad():
        for linear, act in zip(model.encoder.linears, model.encoder.act_modules):
            h = act(linear(h))
            dead += int((h <= 0).all(0).sum())
    return dead


def test_the_estimator_option_leaves_fewer_dead_units_and_zero_keeps_the_old_fit(font):
    X = font.data
    params = dict(
        layers=(35, 20, 10, 2, 10, 20, 35), layer_activations=("relu", "relu", "linear", "relu", "relu", "sigmoid"),
        loss="bce", batch_size=32, learning_rate=0.02, max_iter=21, random_state=0,
    )
    plain = AutoencoderEstimator(**params).fit(X)
    assert _dead_units(plain, X) >= 5  # Glorot at this step kills many of them early
    off = AutoencoderEstimator(dead_unit_resample=0, **params).fit(X)
    assert off.history_.loss == plain.history_.loss
    resampled = AutoencoderEstimator(dead_unit_resample=10, **params).fit(X)
    assert resampled.history_.loss[:10] == plain.history_.loss[:10]
    assert resampled.history_.loss[10:] != plain.history_.loss[10:]
    assert _dead_units(resampled, X) < _dead_units(plain, X)


@pytest.mark.parametrize(
    "value, params, match",
    [
        (-1, {}, r"dead_unit_resample must be an integer >= 0; got -1"),
        (2.5, {}, r"dead_unit_resample must be an integer >= 0; got 2.5"),
        (True, {}, r"dead_unit_resample must be an integer >= 0; got True"),
        (5, {"solver": "l-bfgs-b"}, r"dead_unit_resample=5 resamples .* 'l-bfgs-b' is a scipy solver.*Fix: drop dead_unit_resample"),
    ],
)
def test_bad_dead_unit_resample_values_are_refused(font, value, params, match):
    with pytest.raises(ConfigError, match=match):
        AutoencoderEstimator(dead_unit_resample=value, max_iter=1, **params).fit(font.data)
