import numpy as np
import pytest
import torch

from aekit import AutoencoderEstimator, ConfigError
from aekit.datasets import load_digits
from aekit.estimators.stacked import _stack_state, pretrain_stacked

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def digits():
    return load_digits().data[:400]


@pytest.fixture(scope="module")
def stacked(digits):
    return pretrain_stacked(digits, (32, 16), 6, pretrain_iter=30, max_iter=1, learning_rate=1e-3,
                            loss="bce", noise="masking", noise_level=0.2, random_state=0)


def test_stack_state_covers_the_deep_model(stacked):
    state = _stack_state(stacked.layers)
    expected = stacked.estimator.model_.state_dict()
    assert set(state) == set(expected)
    assert all(state[k].shape == expected[k].shape for k in state)


def test_fine_tuning_starts_from_the_pretrained_layers(digits):
    result = pretrain_stacked(digits, (32,), 6, pretrain_iter=5, max_iter=1, learning_rate=1e-12, random_state=0)
    deep = result.estimator.model_.state_dict()
    np.testing.assert_allclose(deep["encoder.linears.0.weight"], result.layers[0].model_.state_dict()["latent.layer.linears.0.weight"], atol=1e-6)
    np.testing.assert_allclose(deep["decoder.linears.0.weight"], result.layers[1].model_.state_dict()["decoder.linears.0.weight"], atol=1e-6)


def test_pretraining_beats_random_init_at_the_same_fine_tuning_budget(digits, stacked):
    random_init = AutoencoderEstimator(hidden_sizes=(32, 16), latent_dim=6, max_iter=1, loss="bce", noise="masking",
                                       noise_level=0.2, random_state=0).fit(digits)
    assert stacked.estimator.reconstruction_error(digits).mean() < random_init.reconstruction_error(digits).mean()


def test_errors(digits):
    with pytest.raises(ConfigError, match=r"sets the network's shape from hidden_sizes and latent_dim; got also \['layers'\]. Fix"):
        pretrain_stacked(digits, (8,), 2, layers=(64, 2, 64))
    bad = {"encoder.linears.0.weight": torch.zeros(3, 3)}
    with pytest.raises(ConfigError, match=r"initial_state names tensors.*encoder.linears.0.weight \(3, 3\).*Fix"):
        AutoencoderEstimator(hidden_sizes=(8,), max_iter=1).fit(digits, initial_state=bad)
