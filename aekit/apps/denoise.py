"""Denoising and paired image-to-image use of a trained autoencoder, and how to judge it.

A denoising autoencoder (``noise=...``) or one trained on pairs (``fit(X, target=Y)``, e.g.
watermarked -> clean) maps inputs to outputs with ``reconstruct``; the metrics compare input
and output with the truth: PSNR, and wrong pixels for binary images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from aekit.errors import DataError
from aekit.metrics import psnr, wrong_pixels

__all__ = ["DenoiseReport", "denoise", "denoise_report", "stamp_watermark"]


def denoise(model: Any, X: Any) -> np.ndarray:
    """The model's output for X, (n_samples, n_features): the cleaned (or translated) images.

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> ae = AutoencoderEstimator(noise="bitflip", noise_level=0.05, loss="bce", max_iter=5, random_state=0).fit(X)
    >>> denoise(ae, X).shape
    (32, 35)
    """
    return model.reconstruct(X)


@dataclass(frozen=True)
class DenoiseReport:
    """Per-sample quality of the input and of the output, both against the truth.

    ``psnr_*`` in dB (infinite for a perfect sample); ``wrong_pixels_*`` count pixels on the
    other side of 0.5 than the truth (meaningful for binary or near-binary images).
    """

    psnr_input: np.ndarray
    psnr_output: np.ndarray
    wrong_pixels_input: np.ndarray
    wrong_pixels_output: np.ndarray
    data_range: float = 1.0

    def summary(self) -> dict[str, float]:
        """Means over samples by name; PSNR of the whole set, 10 log10(range^2 / mean MSE)."""
        out = {}
        for name, values in (("psnr_input", self.psnr_input), ("psnr_output", self.psnr_output)):
            mse = self.data_range**2 / 10.0 ** (values / 10.0)  # per-sample MSE back (0 where PSNR is inf)
            with np.errstate(divide="ignore"):
                out[name] = float(10.0 * np.log10(self.data_range**2 / np.mean(mse)))
        out["wrong_pixels_input"] = float(np.mean(self.wrong_pixels_input))
        out["wrong_pixels_output"] = float(np.mean(self.wrong_pixels_output))
        return out


def denoise_report(truth: np.ndarray, inputs: np.ndarray, outputs: np.ndarray, data_range: float = 1.0) -> DenoiseReport:
    """Compare the noisy ``inputs`` and the model's ``outputs`` with the clean ``truth``.

    Examples
    --------
    >>> truth = np.array([[0.0, 1.0, 1.0, 0.0]])
    >>> report = denoise_report(truth, np.array([[1.0, 1.0, 0.0, 0.0]]), np.array([[0.1, 0.9, 0.8, 0.0]]))
    >>> report.wrong_pixels_input, report.wrong_pixels_output
    (array([2]), array([0]))
    """
    truth, inputs, outputs = (np.asarray(a, np.float64) for a in (truth, inputs, outputs))
    if not truth.shape == inputs.shape == outputs.shape:
        raise DataError(
            f"truth, inputs and outputs must have one shape; got {truth.shape}, {inputs.shape} and {outputs.shape}. "
            "Fix: pass the clean images, the noisy images and denoise(model, noisy), row for row."
        )
    return DenoiseReport(
        psnr(truth, inputs, data_range),
        psnr(truth, outputs, data_range),
        wrong_pixels(truth, inputs),
        wrong_pixels(truth, outputs),
        float(data_range),
    )


def stamp_watermark(images: np.ndarray, image_shape: tuple[int, int], size: int = 3, random_state: int | None = None) -> np.ndarray:
    """Stamp a bright ``size`` x ``size`` cross at a random place in each image (values in [0, 1]).

    The corruption of the watermark-removal demo: train ``fit(stamped, target=clean)``.

    Examples
    --------
    >>> stamped = stamp_watermark(np.zeros((2, 16)), (4, 4), size=3, random_state=0)
    >>> int(stamped[0].sum())
    5
    """
    images = np.asarray(images, np.float32)
    h, w = image_shape
    if images.ndim != 2 or images.shape[1] != h * w or not 1 <= size <= min(h, w):
        raise DataError(
            f"stamp_watermark needs images (n, {h * w}) for image_shape={image_shape} and 1 <= size <= {min(h, w)}; "
            f"got images of shape {images.shape} and size={size}. Fix: pass flat images and their (height, width)."
        )
    rng = np.random.default_rng(random_state)
    mark = np.zeros((size, size), np.float32)
    mark[size // 2, :] = mark[:, size // 2] = 1.0
    out = images.reshape(-1, h, w).copy()
    for img, top, left in zip(out, rng.integers(0, h - size + 1, len(out)), rng.integers(0, w - size + 1, len(out))):
        patch = img[top : top + size, left : left + size]
        np.maximum(patch, mark, out=patch)
    return out.reshape(len(out), -1)
