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
