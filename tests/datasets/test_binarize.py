import numpy as np
import pytest
import torch

from aekit.datasets import binarize
from aekit.errors import ConfigError, DataError


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


def test_errors():
    with pytest.raises(DataError, match=r"data must hold probabilities in \[0, 1\].*\[0, 255\].*pixels / 255"):
        binarize(np.array([0.0, 255.0]))
    with pytest.raises(ConfigError, match=r"method='otsu' is not a known choice"):
        binarize(np.zeros(2), method="otsu")


def test_a_source_that_does_not_say_its_sample_size_is_refused(digits_small):
    from aekit import AutoencoderEstimator
    from aekit.errors import ConfigError
    from aekit.train import InMemorySource

    with pytest.raises(ConfigError, match="InMemorySource does not say what one sample is"):
        AutoencoderEstimator(max_iter=1).fit(InMemorySource(torch.as_tensor(digits_small)))
