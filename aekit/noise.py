"""Input corruption for denoising autoencoders, on torch tensors and on numpy arrays alike.

Each corruption is written once, as a formula on ``x``, its level and random draws of x's
shape. Where the draws come from depends on x: a torch tensor draws from torch's RNG (which
the training loop seeds from ``random_state``), a numpy array from the numpy ``Generator``
passed as ``rng`` (the recipes' fixed noisy copies and test-time flips).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from aekit.errors import ConfigError, check_choice

__all__ = ["NOISES", "Corruption", "corrupt", "flip_bits", "make_noise"]


class _TorchDraws:
    """Draws from torch's global RNG, with torch's element-wise operations."""

    where = staticmethod(torch.where)

    @staticmethod
    def uniform(x: torch.Tensor) -> torch.Tensor:
        return torch.rand_like(x)

    @staticmethod
    def normal(x: torch.Tensor) -> torch.Tensor:
        return torch.randn_like(x)

    @staticmethod
    def like(mask: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return mask.to(x.dtype)


@dataclass(frozen=True)
class _NumpyDraws:
    """Draws from a numpy Generator, with numpy's element-wise operations."""

    rng: np.random.Generator
    where = staticmethod(np.where)

    def uniform(self, x: np.ndarray) -> np.ndarray:
        return self.rng.random(x.shape)

    def normal(self, x: np.ndarray) -> np.ndarray:
        return self.rng.standard_normal(x.shape)

    @staticmethod
    def like(mask: np.ndarray, x: np.ndarray) -> np.ndarray:
        return mask.astype(x.dtype)


def salt_and_pepper(x: Any, p: float, draws: Any) -> Any:
    """With probability p a value becomes 0 or 1 (each with probability 1/2)."""
    hit = draws.uniform(x) < p
    salt = draws.like(draws.uniform(x) < 0.5, x)
    return draws.where(hit, salt, x)


def bit_flip(x: Any, p: float, draws: Any) -> Any:
    """With probability p a value x becomes 1 - x (a flipped pixel for binary data)."""
    return draws.where(draws.uniform(x) < p, 1.0 - x, x)


def gaussian(x: Any, sigma: float, draws: Any) -> Any:
    """x + sigma * N(0, 1)."""
    return x + sigma * draws.normal(x)


def masking(x: Any, p: float, draws: Any) -> Any:
    """With probability p a value is set to 0 (Vincent et al. 2008's masking noise)."""
    return x * draws.like(draws.uniform(x) >= p, x)


NOISES: dict[str, Callable[[Any, float, Any], Any]] = {
    "saltpepper": salt_and_pepper,
    "bitflip": bit_flip,
    "gaussian": gaussian,
    "masking": masking,
}


def corrupt(x: torch.Tensor | np.ndarray, kind: str, level: float, rng: np.random.Generator | None = None):
    """Apply the corruption ``kind`` at ``level`` to a torch tensor or a numpy array.

    Parameters
    ----------
    x : torch.Tensor or numpy array
        A tensor draws from torch's RNG; an array from ``rng``.
    kind : str
        A name in :data:`NOISES` (not validated here: see :func:`make_noise`).
    level : float
        A probability, or sigma for ``"gaussian"``.
    rng : numpy.random.Generator, optional
        Required for a numpy array; the result keeps the array's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.noise import corrupt
    >>> corrupt(np.zeros((1, 3), np.float32), "bitflip", 1.0, np.random.default_rng(0))
    array([[1., 1., 1.]], dtype=float32)
    """
    if isinstance(x, torch.Tensor):
        return NOISES[kind](x, level, _TorchDraws)
    if rng is None:
        raise ConfigError(
            "rng: a numpy array is corrupted with draws from a numpy Generator; got rng=None. "
            "Fix: pass rng=np.random.default_rng(seed)."
        )
    x = np.asarray(x)
    return NOISES[kind](x, level, _NumpyDraws(rng)).astype(x.dtype)


def flip_bits(X: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Flip each binary pixel with probability ``rate`` (x -> 1 - x), drawing ``rng.random(X.shape)``.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.noise import flip_bits
    >>> flip_bits(np.zeros((1, 4)), 1.0, np.random.default_rng(0)).tolist()
    [[1.0, 1.0, 1.0, 1.0]]
    """
    return corrupt(X, "bitflip", rate, rng)


@dataclass(frozen=True)
class Corruption:
    """A named corruption at a level (a probability, or sigma for gaussian)."""

    kind: str
    level: float

    def __call__(self, x: torch.Tensor | np.ndarray, rng: np.random.Generator | None = None):
        return corrupt(x, self.kind, self.level, rng)


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
