import numpy as np
import pytest
import torch

from aekit.datasets import binarize
from aekit.train import DynamicBinarization
from aekit.errors import ConfigError, DataError
from aekit.train.batches import BatchSource


def test_threshold():
    out = binarize(np.array([[0.0, 0.5, 0.51, 1.0]]), method="threshold")
    np.testing.assert_array_equal(out, [[0, 0, 1, 1]])
    assert out.dtype == np.float32


def test_fixed_bernoulli_is_reproducible_and_has_the_right_mean():
    p = np.tile(np.array([0.0, 0.25, 1.0]), (4000, 1))
    a, b = binarize(p, random_state=3), binarize(p, random_state=3)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 1.0}
    np.testing.assert_allclose(a.mean(0), [0, 0.25, 1], atol=0.03)


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


def test_errors():
    with pytest.raises(DataError, match=r"data must hold probabilities in \[0, 1\].*\[0, 255\].*pixels / 255"):
        binarize(np.array([0.0, 255.0]))
    with pytest.raises(DataError, match=r"got values in \[-1, 1\]"):
        DynamicBinarization(np.array([[-1.0, 1.0]]))
    with pytest.raises(ConfigError, match=r"method='otsu' is not a known choice"):
        binarize(np.zeros(2), method="otsu")


def test_dynamic_binarization_trains_a_vae_through_fit(digits_small):
    from aekit import AutoencoderEstimator

    source = DynamicBinarization(digits_small.reshape(-1, 8, 8), random_state=0)
    assert (source.n_samples, source.n_features) == (200, 64)
    vae = AutoencoderEstimator(hidden_sizes=(16,), latent="gaussian", loss="bce", max_iter=2, random_state=0).fit(source)
    assert vae.n_features_in_ == 64 and vae.transform(digits_small).shape == (200, 2)


def test_a_source_that_does_not_say_its_sample_size_is_refused(digits_small):
    from aekit import AutoencoderEstimator
    from aekit.errors import ConfigError
    from aekit.train import InMemorySource

    with pytest.raises(ConfigError, match="InMemorySource does not say what one sample is"):
        AutoencoderEstimator(max_iter=1).fit(InMemorySource(torch.as_tensor(digits_small)))
