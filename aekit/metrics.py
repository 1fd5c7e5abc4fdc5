"""Reconstruction metrics on numpy arrays."""

from __future__ import annotations

import numpy as np

__all__ = ["wrong_pixels", "psnr"]


def wrong_pixels(x: np.ndarray, x_hat: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Per-sample count of pixels that differ after thresholding both at ``threshold``.

    Examples
    --------
    >>> wrong_pixels(np.array([[0, 1, 1]]), np.array([[0.2, 0.7, 0.4]]))
    array([1])
    """
    x, x_hat = np.asarray(x), np.asarray(x_hat)
    if x.shape != x_hat.shape:
        raise ValueError(f"x and x_hat must have the same shape; got {x.shape} and {x_hat.shape}.")
    diff = (x >= threshold) != (x_hat >= threshold)
    return diff.reshape(len(diff), -1).sum(1)


def psnr(x: np.ndarray, x_hat: np.ndarray, data_range: float = 1.0) -> np.ndarray:
    """Per-sample peak signal-to-noise ratio in dB: 10 log10(range^2 / MSE).

    Examples
    --------
    >>> float(psnr(np.zeros((1, 4)), np.full((1, 4), 0.1))[0])
    20.0
    """
    x, x_hat = np.asarray(x, np.float64), np.asarray(x_hat, np.float64)
    mse = ((x - x_hat) ** 2).reshape(len(x), -1).mean(1)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / mse)
