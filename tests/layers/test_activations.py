import pytest
import torch

from aekit.errors import ConfigError
from aekit.layers.activations import ACTIVATIONS, get_activation

REQUIRED = ["relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "softplus", "linear"]


def test_every_required_activation_is_available():
    assert set(REQUIRED) <= set(ACTIVATIONS)


@pytest.mark.parametrize("name", REQUIRED)
def test_derivative_matches_autograd(name):
    act = get_activation(name)
    a = torch.linspace(-4, 4, 101, dtype=torch.float64).requires_grad_(True)
    a = a + 1e-3  # avoid the kink of relu-like functions at exactly 0
    (grad,) = torch.autograd.grad(act.module()(a).sum(), a)
    assert torch.allclose(act.derivative(a.detach()), grad, atol=1e-10)


def test_unknown_activation_suggests_the_closest_name():
    with pytest.raises(ConfigError, match=r'activation=\'tanhh\' is not a known choice.*Did you mean "tanh"'):
        get_activation("tanhh")
