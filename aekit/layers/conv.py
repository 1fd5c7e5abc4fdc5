"""Convolutional encoder and decoder for (C, H, W) inputs."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from aekit.errors import check_choice
from aekit.layers.activations import get_activation

__all__ = ["ConvEncoder", "ConvDecoder", "DOWNSAMPLING", "UPSAMPLING"]

DOWNSAMPLING = ("stride", "pool")
UPSAMPLING = ("transpose", "upsample")


def _halved(size: int, steps: int) -> int:
    for _ in range(steps):
        size = (size + 1) // 2  # kernel 3, padding 1, stride 2 (or ceil-mode pooling)
    return size


class ConvEncoder(nn.Module):
    """Conv blocks that halve H and W each, then flatten: (B, C, H, W) -> (B, features)."""

    def __init__(
        self,
        input_shape: Sequence[int],
        channels: Sequence[int] = (16, 32),
        activation: str = "relu",
        downsampling: str = "stride",
        dropout: float = 0.0,
    ):
        super().__init__()
        downsampling = check_choice("downsampling", downsampling, DOWNSAMPLING)
        c, h, w = (int(s) for s in input_shape)
        layers: list[nn.Module] = []
        for out_c in channels:
            if downsampling == "stride":
                layers.append(nn.Conv2d(c, out_c, kernel_size=3, stride=2, padding=1))
            else:
                layers += [
                    nn.Conv2d(c, out_c, kernel_size=3, padding=1),
                    nn.MaxPool2d(2, ceil_mode=True),
                ]
            layers.append(get_activation(activation).module())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            c = out_c
        self.body = nn.Sequential(*layers)
        self.feature_shape = (c, _halved(h, len(channels)), _halved(w, len(channels)))
        self.out_features = c * self.feature_shape[1] * self.feature_shape[2]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).flatten(1)  # (B, C', H', W') -> (B, C'*H'*W')


class ConvDecoder(nn.Module):
    """Mirror of :class:`ConvEncoder`: code -> (B, C, H, W) logits, cropped/padded to the input."""

    def __init__(
        self,
        latent_dim: int,
        output_shape: Sequence[int],
        feature_shape: Sequence[int],
        channels: Sequence[int] = (32, 16),
        activation: str = "relu",
        upsampling: str = "transpose",
    ):
        super().__init__()
        upsampling = check_choice("upsampling", upsampling, UPSAMPLING)
        self.output_shape = tuple(int(s) for s in output_shape)
        self.feature_shape = tuple(int(s) for s in feature_shape)
        c = self.feature_shape[0]
        self.project = nn.Sequential(
            nn.Linear(latent_dim, c * self.feature_shape[1] * self.feature_shape[2]),
            get_activation(activation).module(),
        )
        layers: list[nn.Module] = []
        for out_c in list(channels[1:]) + [self.output_shape[0]]:
            if upsampling == "transpose":
                layers.append(
                    nn.ConvTranspose2d(c, out_c, kernel_size=3, stride=2, padding=1, output_padding=1)
                )
            else:
                layers += [
                    nn.Upsample(scale_factor=2, mode="nearest"),
                    nn.Conv2d(c, out_c, kernel_size=3, padding=1),
                ]
            layers.append(get_activation(activation).module())
            c = out_c
        layers.pop()  # the last block outputs logits: no activation
        self.body = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.project(z).unflatten(1, self.feature_shape)  # not view(len(z), ...): keeps the batch symbolic for ONNX export
        x = self.body(x)
        return _fit_to(x, self.output_shape[1:])


def _fit_to(x: torch.Tensor, hw: tuple[int, int]) -> torch.Tensor:
    """Centre-crop or zero-pad (B, C, H, W) to the target (H, W)."""
    h, w = hw
    dh, dw = x.shape[-2] - h, x.shape[-1] - w
    if dh > 0 or dw > 0:
        top, left = max(dh, 0) // 2, max(dw, 0) // 2
        x = x[..., top : top + min(h, x.shape[-2]), left : left + min(w, x.shape[-1])]
    if dh < 0 or dw < 0:
        ph, pw = max(-dh, 0), max(-dw, 0)
        x = F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))
    return x
