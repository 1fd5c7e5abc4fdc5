"""Latent heads: map encoder features to the code.

Each head returns a :class:`LatentOutput`; in eval mode ``z`` is the code a user gets from
``transform`` (the mean for the gaussian head, hard bits for the binary head).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from aekit.layers.dense import DenseStack

__all__ = ["LatentOutput", "DeterministicLatent", "GaussianLatent", "BinaryLatent", "LATENTS"]


@dataclass(frozen=True)
class LatentOutput:
    """``z`` (B, latent_dim) goes to the decoder; ``stats`` holds what regularisers need."""

    z: torch.Tensor
    stats: dict[str, torch.Tensor] = field(default_factory=dict)


class DeterministicLatent(nn.Module):
    """``z = f(W h + b)``: the classic code layer, with its own activation."""

    kind = "deterministic"

    def __init__(self, in_features: int, latent_dim: int, activation: str = "linear"):
        super().__init__()
        self.layer = DenseStack([in_features, latent_dim], [activation])

    def forward(self, h: torch.Tensor) -> LatentOutput:
        return LatentOutput(self.layer(h))


class GaussianLatent(nn.Module):
    """VAE head: q(z|x) = N(mu, diag(exp(logvar))), sampled by reparameterisation in training.

    Kingma & Welling 2014, eq. 10: z = mu + sigma * eps, eps ~ N(0, I).
    """

    kind = "gaussian"

    def __init__(self, in_features: int, latent_dim: int):
        super().__init__()
        self.mu = nn.Linear(in_features, latent_dim)
        self.logvar = nn.Linear(in_features, latent_dim)

    def forward(self, h: torch.Tensor) -> LatentOutput:
        mu, logvar = self.mu(h), self.logvar(h).clamp(-30.0, 20.0)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return LatentOutput(z, {"mu": mu, "logvar": logvar})


class BinaryLatent(nn.Module):
    """Binary code for semantic hashing: ``p = sigmoid(BN(W h))``, ``z = 1[p > 0.5]``.

    Gradients pass straight through the threshold (Bengio et al. 2013): the forward value is
    the hard bit, the backward gradient is that of ``p``. The pre-activations are batch-
    normalised without scale or shift, so each bit is on for about half of the data: without
    it, bits saturated to the same value for every sample (a single code for all of MNIST
    with bce) and their gradients vanished.
    """

    kind = "binary"

    def __init__(self, in_features: int, latent_dim: int):
        super().__init__()
        self.layer = nn.Linear(in_features, latent_dim)
        self.norm = nn.BatchNorm1d(latent_dim, affine=False)

    def forward(self, h: torch.Tensor) -> LatentOutput:
        a = self.layer(h)
        if self.training and len(a) == 1:  # batch statistics need two samples or more
            a = nn.functional.batch_norm(a, self.norm.running_mean, self.norm.running_var, training=False)
        else:
            a = self.norm(a)
        p = torch.sigmoid(a)
        bits = (p > 0.5).to(p.dtype)
        z = p + (bits - p).detach()
        return LatentOutput(z, {"probs": p})


LATENTS = {cls.kind: cls for cls in (DeterministicLatent, GaussianLatent, BinaryLatent)}
