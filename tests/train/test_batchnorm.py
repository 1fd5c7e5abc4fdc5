"""Batch normalisation while training, folded into the weights (aekit.train.batchnorm, batch_norm=True)."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError
from aekit.io import load, save
from aekit.layers.dense import mlp
from aekit.metrics import wrong_pixels
from aekit.train.batchnorm import BatchNormLinear, attach_batch_norm, fold_batch_norm
from aekit.train.checkpoint import Checkpointer, Checkpointing

DEEP_RELU = dict(layers=(35, 20, 10, 2, 10, 20, 35), layer_activations=("relu", "relu", "linear", "relu", "relu", "sigmoid"))


def _net():
    torch.manual_seed(0)
    return nn.Sequential(mlp([5, 6, 4], ["relu", "tanh"]), mlp([4, 3, 5], ["relu", "linear"]))


def test_attaching_normalises_every_dense_layer_but_the_output_and_keeps_the_function_on_the_sample():
    net, x = _net(), torch.rand(64, 5)
    before = net(x)
    assert attach_batch_norm(net, x) == 3
    kinds = [type(layer) for stack in net for layer in stack.linears]
    assert kinds == [BatchNormLinear, BatchNormLinear, BatchNormLinear, nn.Linear]
    assert torch.allclose(net.train()(x), before, atol=1e-5)
    hidden = net[0].linears[0](x)  # a normalised layer's output over the sample: the old pre-activation
    assert torch.allclose(hidden, nn.Linear.forward(net[0].linears[0], x), atol=1e-5)


def test_folding_gives_the_plain_network_that_computes_what_training_computed():
    net, x = _net(), torch.rand(64, 5)
    attach_batch_norm(net, x)
    with torch.no_grad():  # as if training had moved everything
        for p in net.parameters():
            p.add_(0.3 * torch.randn_like(p))
    trained = net.train()(x)
    assert fold_batch_norm(net, x) == 3
    assert all(type(layer) is nn.Linear for stack in net for layer in stack.linears)
    assert not any(isinstance(m, nn.BatchNorm1d) for m in net.modules())
    assert net.training  # the mode is restored
    assert torch.allclose(net.eval()(x), trained, atol=1e-4)


def test_folding_over_batches_uses_the_statistics_of_all_rows():
    net, x = _net(), torch.rand(64, 5)
    attach_batch_norm(net, x[:16])
    twin = copy.deepcopy(net)
    fold_batch_norm(net, x)
    fold_batch_norm(twin, [x[:40], x[40:]])
    for a, b in zip(net.state_dict().values(), twin.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("batch_size", [32, 8])
def test_the_fitted_estimator_is_the_plain_network_normalised_with_all_training_rows(font, tmp_path, batch_size):
    """Full batch: the folded model computes what the last step saw; mini-batches: the statistics of all rows."""
    X = font.data
    seen = {}

    class LastEpoch:
        def __init__(self, estimator):
            self.estimator = estimator

        def on_epoch_end(self, index, logs):
            with torch.no_grad():  # training mode: the batch statistics of all 32 rows, as the fold uses
                seen["x_hat"] = self.estimator.model_(torch.from_numpy(X)).x_hat.numpy().copy()
            return False

    est = AutoencoderEstimator(loss="bce", batch_size=batch_size, learning_rate=0.05, max_iter=20, weight_init="data",
                               batch_norm=True, random_state=0, **DEEP_RELU)  # fmt: skip
    est.fit(X, callbacks=[LastEpoch(est)])
    plain = AutoencoderEstimator(loss="bce", max_iter=1, random_state=0, **DEEP_RELU).fit(X)
    assert list(est.model_.state_dict()) == list(plain.model_.state_dict())
    assert not any(isinstance(m, nn.BatchNorm1d) for m in est.model_.modules())
    np.testing.assert_allclose(est.reconstruct(X), seen["x_hat"], atol=1e-5)
    save(est, tmp_path / "model")
    again = load(tmp_path / "model")
    assert again.batch_norm is True
    np.testing.assert_array_equal(again.reconstruct(X), est.reconstruct(X))


def test_a_run_resumed_from_a_mid_run_checkpoint_ends_with_the_same_weights(font, tmp_path):
    settings = dict(loss="bce", batch_size=8, learning_rate=0.05, max_iter=6, weight_init="data", batch_norm=True,
                    early_stopping=True, n_iter_no_change=6, tol=0.0, random_state=0, **DEEP_RELU)  # fmt: skip
    clean = AutoencoderEstimator(**settings).fit(font.data)
    folder = tmp_path / "checkpoints"
    AutoencoderEstimator(**settings).fit(font.data, checkpoint_dir=folder, checkpoint_every=2)
    for newer in Checkpointer(Checkpointing(folder)).files()[1:]:
        newer.unlink()  # resume from the oldest kept one, mid-run
    resumed = AutoencoderEstimator(**settings).fit(font.data, checkpoint_dir=folder, resume=True)
    assert resumed.history_.loss == clean.history_.loss
    clean_state, resumed_state = clean.model_.state_dict(), resumed.model_.state_dict()
    assert list(resumed_state) == list(clean_state)  # folded: the plain network's parameters only
    assert all(resumed_state[k].equal(clean_state[k]) for k in clean_state)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"batch_norm": "yes"}, r"batch_norm must be True or False; got 'yes'\. Fix: batch_norm=True or batch_norm=False"),
        ({"solver": "l-bfgs-b"}, r"batch_norm=True .*solver='l-bfgs-b' is a scipy solver.*Fix: use solver=\"adam\", or batch_norm=False"),
        ({"architecture": "conv", "input_shape": (1, 5, 7)}, r"batch_norm=True .*architecture='conv' has convolution layers.*Fix: use architecture=\"dense\""),
        ({"contractive_weight": 0.1}, r"batch_norm=True .*contractive penalty.*Fix: set contractive_weight=0, or batch_norm=False"),
        ({"dead_unit_resample": 5}, r"batch_norm=True .*none dies to resample.*Fix: drop dead_unit_resample \(0\), or batch_norm=False"),
    ],
)
def test_what_batch_norm_cannot_go_with_is_refused(font, params, match):
    params = {"batch_norm": True, **params}
    with pytest.raises(ConfigError, match=match):
        AutoencoderEstimator(max_iter=1, **params).fit(font.data)


@pytest.mark.slow
def test_the_assignments_relu_network_reaches_0_wrong_pixels_on_seeds_0_to_9_within_300_epochs(font):
    """Issue 15's font goal with font-2d's setting (data init, batch norm, Adam 0.05, full batch)."""
    X = font.data
    for seed in range(10):
        est = AutoencoderEstimator(loss="bce", batch_size=32, learning_rate=0.05, max_iter=300, weight_init="data",
                                   batch_norm=True, random_state=seed, **DEEP_RELU)  # fmt: skip
        est.fit(X)
        assert wrong_pixels(X, est.reconstruct(X)).sum() == 0, seed
