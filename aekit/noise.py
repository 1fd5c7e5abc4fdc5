"""Input corruption for denoising autoencoders; applied by the loop to the encoder's input only.

Each corruption is a callable ``(x) -> x_noisy`` drawing from torch's RNG, which the training
loop seeds from ``random_state``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from aekit.errors import ConfigError, check_choice

__all__ = ["NOISES", "Corruption", "make_noise"]


def salt_and_pepper(x: torch.Tensor, p: float) -> torch.Tensor:
    """With probability p a value becomes 0 or 1 (each with probability 1/2)."""
    hit = torch.rand_like(x) < p
    salt = (torch.rand_like(x) < 0.5).to(x.dtype)
    return torch.where(hit, salt, x)


def bit_flip(x: torch.Tensor, p: float) -> torch.Tensor:
    """With probability p a value x becomes 1 - x (a flipped pixel for binary data)."""
    return torch.where(torch.rand_like(x) < p, 1.0 - x, x)


def gaussian(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """x + sigma * N(0, 1)."""
    return x + sigma * torch.randn_like(x)


def masking(x: torch.Tensor, p: float) -> torch.Tensor:
    """With probability p a value is set to 0 (Vincent et al. 2008's masking noise)."""
    return x * (torch.rand_like(x) >= p).to(x.dtype)


NOISES: dict[str, Callable[[torch.Tensor, float], torch.Tensor]] = {
    "saltpepper": salt_and_pepper,
    "bitflip": bit_flip,
    "gaussian": gaussian,
    "masking": masking,
}


@dataclass(frozen=True)
class Corruption:
    """A named corruption at a level (a probability, or sigma for gaussian)."""

    kind: str
    level: float

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return NOISES[self.kind](x, self.level)


def make_noise(kind: str | None, level: float) -> Corruption | None:
    """Validate and build a corruption; ``None`` (or "none") means no corruption.

    Examples
    --------
    >>> noise = make_noise("bitflip", 0.1)
    >>> noise(torch.zeros(2, 3)).shape
    torch.Size([2, 3])
    """
    if kind is None or (isinstance(kind, str) and kind.lower() == "none"):
        return None
    kind = check_choice("noise", kind, NOISES)
    level = float(level)
    upper = float("inf") if kind == "gaussian" else 1.0
    if not 0.0 <= level <= upper:
        expected = "a standard deviation >= 0" if kind == "gaussian" else "a probability in [0, 1]"
        raise ConfigError(f"noise_level for noise={kind!r} must be {expected}; got {level}.")
    return Corruption(kind, level)
