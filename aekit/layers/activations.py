"""Activation functions by name, each with its elementwise derivative.

The derivative is what makes the contractive penalty exact and cheap for dense encoders: the
encoder Jacobian is a product of ``diag(f'(a)) W`` factors (Rifai et al. 2011, eq. 4).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from aekit.errors import check_choice

__all__ = ["ACTIVATIONS", "Activation", "get_activation"]

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """A named activation: ``module()`` builds the layer, ``derivative(a)`` is f'(a) elementwise."""

    name: str
    module: Callable[[], nn.Module]
    derivative: Callable[[torch.Tensor], torch.Tensor]


def _gelu_derivative(a: torch.Tensor) -> torch.Tensor:
    # d/da [a * Phi(a)] = Phi(a) + a * phi(a)
    cdf = 0.5 * (1.0 + torch.erf(a / math.sqrt(2.0)))
    pdf = torch.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)
    return cdf + a * pdf


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("relu", nn.ReLU, lambda a: (a > 0).to(a.dtype)),
        Activation(
            "leaky_relu",
            lambda: nn.LeakyReLU(LEAKY_SLOPE),
            lambda a: torch.where(a > 0, torch.ones_like(a), torch.full_like(a, LEAKY_SLOPE)),
        ),
        Activation("elu", nn.ELU, lambda a: torch.where(a > 0, torch.ones_like(a), torch.exp(a))),
        Activation("gelu", nn.GELU, _gelu_derivative),
        Activation("tanh", nn.Tanh, lambda a: 1.0 - torch.tanh(a) ** 2),
        Activation("sigmoid", nn.Sigmoid, lambda a: torch.sigmoid(a) * (1.0 - torch.sigmoid(a))),
        Activation("softplus", nn.Softplus, torch.sigmoid),
        Activation("linear", nn.Identity, torch.ones_like),
    ]
}


def get_activation(name: str, parameter: str = "activation") -> Activation:
    """Look up an activation by name; unknown names raise ConfigError with a suggestion."""
    return ACTIVATIONS[check_choice(parameter, name, ACTIVATIONS)]
