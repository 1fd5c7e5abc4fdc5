import pytest
import torch

from aekit.errors import ConfigError
from aekit.noise import make_noise


@pytest.fixture
def x():
    torch.manual_seed(0)
    return (torch.rand(200, 50) < 0.5).float()


def test_bitflip_flips_about_p_of_the_values(x):
    noisy = make_noise("bitflip", 0.2)(x)
    assert set(noisy.unique().tolist()) <= {0.0, 1.0}
    assert (noisy != x).float().mean().item() == pytest.approx(0.2, abs=0.01)


def test_saltpepper_sets_about_p_of_the_values_to_0_or_1():
    x = torch.full((200, 50), 0.5)
    noisy = make_noise("saltpepper", 0.3)(x)
    hit = noisy != 0.5
    assert hit.float().mean().item() == pytest.approx(0.3, abs=0.01)
    assert set(noisy[hit].unique().tolist()) == {0.0, 1.0}


def test_masking_zeroes_about_p_of_the_values():
    noisy = make_noise("masking", 0.25)(torch.ones(200, 50))
    assert (noisy == 0).float().mean().item() == pytest.approx(0.25, abs=0.01)


def test_gaussian_adds_noise_of_std_sigma():
    noisy = make_noise("gaussian", 0.3)(torch.zeros(400, 50))
    assert noisy.std().item() == pytest.approx(0.3, rel=0.03)


def test_none_means_no_corruption():
    assert make_noise(None, 0.1) is None
    assert make_noise("none", 0.1) is None


def test_noise_errors():
    with pytest.raises(ConfigError, match=r"noise='salt' is not a known choice.*Did you mean \"saltpepper\""):
        make_noise("salt", 0.1)
    with pytest.raises(ConfigError, match=r"noise_level for noise='bitflip' must be a probability in \[0, 1\]; got 1.5"):
        make_noise("bitflip", 1.5)


def test_numpy_and_torch_share_one_formula():
    """The same uniform draws give the same flips whichever library holds the data."""
    import numpy as np

    from aekit.noise import corrupt, flip_bits

    X = (np.random.default_rng(1).random((20, 30)) < 0.5).astype(np.float32)
    draws = np.random.default_rng(2).random(X.shape)
    expected = np.where(draws < 0.3, 1.0 - X, X).astype(X.dtype)  # the recipes' flip_bits before the merge
    flipped = flip_bits(X, 0.3, np.random.default_rng(2))
    assert flipped.dtype == np.float32
    np.testing.assert_array_equal(flipped, expected)
    torch.manual_seed(3)
    u = torch.rand(20, 30)
    torch.manual_seed(3)
    np.testing.assert_array_equal(corrupt(torch.from_numpy(X), "bitflip", 0.3).numpy(), np.where(u.numpy() < 0.3, 1.0 - X, X))


@pytest.mark.parametrize("kind", ["saltpepper", "bitflip", "gaussian", "masking"])
def test_every_corruption_takes_numpy_arrays_and_keeps_their_dtype(kind):
    import numpy as np

    X = np.full((100, 40), 0.25, dtype=np.float32)
    noisy = make_noise(kind, 0.3)(X, rng=np.random.default_rng(0))
    assert isinstance(noisy, np.ndarray) and noisy.dtype == np.float32 and noisy.shape == X.shape
    assert (noisy != X).mean() > 0.2


def test_numpy_corruption_needs_a_generator():
    import numpy as np

    with pytest.raises(ConfigError, match=r"rng: a numpy array is corrupted with draws from a numpy Generator; got rng=None\. Fix: pass rng="):
        make_noise("bitflip", 0.1)(np.zeros((2, 3)))
