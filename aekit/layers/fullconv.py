"""Fully convolutional parts: a network of conv layers whose code is a feature map.

Each layer is a 3x3 "same" convolution with its own resampling and activation (as ruta's
``conv(filters, 3, max_pooling = 2, upsampling = 2)``); the code is the encoder's last feature
map, flattened to (B, C*H*W) for ``transform`` and unflattened by the decoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from aekit.layers.activations import get_activation
from aekit.layers.conv import _fit_to
from aekit.layers.latent import LatentOutput, LatentTraits

__all__ = ["RESAMPLING", "ConvLayer", "ConvStack", "FeatureMapDecoder", "FeatureMapLatent", "feature_map_shape"]

# how each resampling changes the resolution, as a power of 2
RESAMPLING = {"none": 0, "pool": -1, "stride": -1, "upsample": 1, "transpose": 1}


@dataclass(frozen=True)
class ConvLayer:
    """One layer: a 3x3 same-padded conv to ``channels``, then ``resampling``, then ``activation``.

    ``resampling``: "none"; "pool" (max-pooling 2) or "stride" (a stride-2 conv) halve H and W;
    "upsample" (nearest, after the conv, as Keras's UpSampling2D) or "transpose" (a stride-2
    transposed conv) double them.
    """

    channels: int
    resampling: str = "none"
    activation: str = "relu"

    def modules(self, in_channels: int) -> list[nn.Module]:
        if self.resampling == "stride":
            conv = nn.Conv2d(in_channels, self.channels, kernel_size=3, stride=2, padding=1)
        elif self.resampling == "transpose":
            conv = nn.ConvTranspose2d(in_channels, self.channels, kernel_size=3, stride=2, padding=1, output_padding=1)
        else:
            conv = nn.Conv2d(in_channels, self.channels, kernel_size=3, padding=1)
        layers = [conv]
        if self.resampling == "pool":
            layers.append(nn.MaxPool2d(2, ceil_mode=True))
        elif self.resampling == "upsample":
            layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
        return [*layers, get_activation(self.activation).module()]

    def resampled(self, size: int) -> int:
        scale = RESAMPLING[self.resampling]
        return size * 2 if scale > 0 else (size + 1) // 2 if scale < 0 else size


def feature_map_shape(input_shape: Sequence[int], layers: Sequence[ConvLayer]) -> tuple[int, int, int]:
    """(C, H, W) after ``layers`` applied to (C, H, W) ``input_shape``."""
    c, h, w = (int(s) for s in input_shape)
    for layer in layers:
        c, h, w = layer.channels, layer.resampled(h), layer.resampled(w)
    return c, h, w


class ConvStack(nn.Module):
    """``layers`` applied in turn to (B, C, H, W); dropout after each one when ``dropout > 0``.

    Examples
    --------
    >>> stack = ConvStack(1, [ConvLayer(16, "upsample"), ConvLayer(16, "pool")])
    >>> stack(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 16, 28, 28])
    """

    def __init__(self, in_channels: int, layers: Sequence[ConvLayer], dropout: float = 0.0):
        super().__init__()
        modules: list[nn.Module] = []
        for layer in layers:
            modules += layer.modules(in_channels)
            if dropout > 0:
                modules.append(nn.Dropout(dropout))
            in_channels = layer.channels
        self.body = nn.Sequential(*modules)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class FeatureMapLatent(nn.Module):
    """The code is the encoder's feature map itself, flattened: (B, C, H, W) -> (B, C*H*W).

    Not a registered ``latent`` choice: ``architecture="fully-conv"`` builds it in place of
    the deterministic head (the code layer's activation is the last encoder layer's).
    """

    kind = "deterministic"
    traits = LatentTraits(smooth_code=True)

    def forward(self, h: torch.Tensor) -> LatentOutput:
        return LatentOutput(h.flatten(1))


class FeatureMapDecoder(nn.Module):
    """Flat codes (B, C*H*W) -> feature maps ``code_shape`` -> ``layers`` -> (B, C, H, W) logits.

    The output is centre-cropped to ``output_shape`` (ceil-mode pooling of odd sizes leaves it a
    pixel larger, e.g. 28 -> 14 -> 7 -> 4 -> 8 -> 16 -> 32 -> 28).
    """

    def __init__(self, code_shape: Sequence[int], layers: Sequence[ConvLayer], output_shape: Sequence[int]):
        super().__init__()
        self.code_shape = tuple(int(s) for s in code_shape)
        self.output_shape = tuple(int(s) for s in output_shape)
        self.body = ConvStack(self.code_shape[0], layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.body(z.unflatten(1, self.code_shape))
        return _fit_to(x, self.output_shape[1:])
