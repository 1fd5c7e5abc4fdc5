"""A new latent type is one class and its registration: the builder, the apps and save/load ask its traits."""

import numpy as np
import pytest
import torch
from torch import nn

import aekit
from aekit.apps.generate import interpolate_samples, sample
from aekit.apps.hashing import hash_codes
from aekit.datasets import load_font
from aekit.errors import ConfigError
from aekit.layers.latent import LATENTS, NORMAL_PRIOR, LatentOutput, LatentTraits, latent_head, register_latent


class NoisyTanhLatent(nn.Module):
    """A test head: z = tanh(W h), plus N(0, 0.1^2) noise in training; its prior is N(0, I)."""

    kind = "noisy-tanh"
    traits = LatentTraits(stochastic=True, prior=NORMAL_PRIOR, scipy_refusal="the test head adds noise")

    def __init__(self, in_features: int, latent_dim: int, activation: str = "linear"):
        super().__init__()
        self.layer = nn.Linear(in_features, latent_dim)

    def forward(self, h: torch.Tensor) -> LatentOutput:
        z = torch.tanh(self.layer(h))
        return LatentOutput(z + 0.1 * torch.randn_like(z) if self.training else z)


@pytest.fixture
def registered():
    register_latent(NoisyTanhLatent)
    yield NoisyTanhLatent
    LATENTS.pop(NoisyTanhLatent.kind)


def test_a_registered_head_trains_saves_and_generates_with_no_other_file_changed(registered, tmp_path):
    X = load_font().data
    ae = aekit.AutoencoderEstimator(latent="noisy-tanh", latent_dim=2, loss="bce", max_iter=5, random_state=0).fit(X)
    assert isinstance(ae.model_.latent, NoisyTanhLatent)
    assert np.abs(ae.transform(X)).max() <= 1.0
    assert sample(ae, 4, random_state=0).shape == (4, 35)  # drawn from its prior, no X needed
    assert interpolate_samples(ae, X[1], X[2], n_steps=3).shape == (3, 35)  # spherical: its prior says so
    again = aekit.load(aekit.save(ae, tmp_path / "m"))
    assert np.array_equal(again.transform(X), ae.transform(X))


def test_the_builder_reads_the_new_heads_traits(registered):
    X = load_font().data
    with pytest.raises(ConfigError, match="the test head adds noise"):
        aekit.AutoencoderEstimator(latent="noisy-tanh", solver="l-bfgs-b", max_iter=2).fit(X)
    with pytest.raises(ConfigError, match="contractive_weight > 0 needs a deterministic code"):
        aekit.AutoencoderEstimator(latent="noisy-tanh", contractive_weight=0.1, max_iter=2).fit(X)
    codes = hash_codes(aekit.AutoencoderEstimator(latent="noisy-tanh", max_iter=2, random_state=0).fit(X), X)
    assert codes.dtype == bool  # not bits: thresholded like any real-valued code


def test_an_unknown_head_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"latent='noisy-tanh' is not a known choice\. Expected one of \['deterministic'"):
        latent_head("noisy-tanh")


def test_registering_needs_kind_and_traits():
    class Bare(nn.Module):
        pass

    with pytest.raises(TypeError, match="must declare a str kind and LatentTraits traits"):
        register_latent(Bare)
