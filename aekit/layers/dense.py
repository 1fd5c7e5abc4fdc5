"""Dense (fully connected) stacks built from a list of layer sizes."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from aekit.layers.activations import ACTIVATIONS, Activation, get_activation

__all__ = ["DenseStack", "mlp"]


class DenseStack(nn.Module):
    """``Linear -> activation -> (dropout)`` repeated; remembers each layer's activation.

    Keeping the linear layers and their activations side by side lets the contractive penalty
    compute the exact encoder Jacobian without autograd over the input.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: Sequence[str],
        dropout: float = 0.0,
        dropout_last: bool = True,
        dropout_first: bool = False,
    ):
        super().__init__()
        if len(activations) != len(sizes) - 1:
            raise ValueError(
                f"{len(sizes)} sizes need {len(sizes) - 1} activations, got {len(activations)}"
            )
        self.sizes = [int(s) for s in sizes]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activation_names = [get_activation(a).name for a in activations]
        self.act_modules = nn.ModuleList(get_activation(a).module() for a in activations)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.dropout_last = dropout_last
        self.dropout_first = dropout_first

    @property
    def activations(self) -> list[Activation]:
        return [ACTIVATIONS[name] for name in self.activation_names]

    @property
    def out_features(self) -> int:
        return self.sizes[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.linears) - 1
        if self.dropout is not None and self.dropout_first:
            x = self.dropout(x)
        for i, (linear, act) in enumerate(zip(self.linears, self.act_modules)):
            x = act(linear(x))
            if self.dropout is not None and (i < last or self.dropout_last):
                x = self.dropout(x)
        return x

    def forward_with_preactivations(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The output and each layer's pre-activation ``a_k = W_k h_{k-1} + b_k`` (no dropout)."""
        pre = []
        for linear, act in zip(self.linears, self.act_modules):
            a = linear(x)
            pre.append(a)
            x = act(a)
        return x, pre


def mlp(
    sizes: Sequence[int],
    activations: Sequence[str] | str,
    dropout: float = 0.0,
    dropout_last: bool = True,
    dropout_first: bool = False,
) -> DenseStack:
    """A dense stack from layer sizes and one activation per layer (or one for all).

    Dropout follows every layer, or every layer but the last with ``dropout_last=False``;
    ``dropout_first=True`` also drops inputs (a decoder dropping units of the code).

    Examples
    --------
    >>> net = mlp([35, 20, 10], ["relu", "tanh"])
    >>> net(torch.zeros(4, 35)).shape
    torch.Size([4, 10])
    """
    if isinstance(activations, str):
        activations = [activations] * (len(sizes) - 1)
    return DenseStack(sizes, list(activations), dropout, dropout_last, dropout_first)
