"""DynamicBinarization: a batch source that draws a fresh binarisation of the images every epoch."""

import numpy as np
import pytest
import torch

from aekit.errors import DataError
from aekit.train import DynamicBinarization
from aekit.train.batches import BatchSource


def test_dynamic_resamples_every_epoch_and_targets_equal_inputs():
    source = DynamicBinarization(np.full((50, 8), 0.5), random_state=0)
    assert isinstance(source, BatchSource) and source.n_samples == 50
    epoch1 = [x for x, _ in source.batches(20, torch.Generator().manual_seed(0))]
    epoch2 = torch.cat([x for x, _ in source.batches(20, None)])
    assert [len(x) for x in epoch1] == [20, 20, 10]
    assert not torch.equal(torch.cat(epoch1), epoch2)
    x, y = next(source.batches(50, None))
    assert x is y and set(x.unique().tolist()) <= {0.0, 1.0}


def test_dynamic_is_reproducible_from_random_state():
    def draw(seed):
        return next(DynamicBinarization(np.full((50, 8), 0.5), random_state=seed).batches(50, None))[0]

    assert torch.equal(draw(0), draw(0)) and not torch.equal(draw(0), draw(1))


def test_dynamic_keeps_the_pixel_means():
    p = torch.tensor([[0.1, 0.9]]).repeat(5000, 1)
    x, _ = next(DynamicBinarization(p, random_state=1).batches(5000, None))
    np.testing.assert_allclose(x.mean(0).numpy(), [0.1, 0.9], atol=0.02)


def test_dynamic_refuses_values_outside_zero_one():
    with pytest.raises(DataError, match=r"got values in \[-1, 1\]"):
        DynamicBinarization(np.array([[-1.0, 1.0]]))


def test_dynamic_binarization_trains_a_vae_through_fit(digits_small):
    from aekit import AutoencoderEstimator

    source = DynamicBinarization(digits_small.reshape(-1, 8, 8), random_state=0)
    assert (source.n_samples, source.n_features) == (200, 64)
    vae = AutoencoderEstimator(hidden_sizes=(16,), latent="gaussian", loss="bce", max_iter=2, random_state=0).fit(source)
    assert vae.n_features_in_ == 64 and vae.transform(digits_small).shape == (200, 2)
