"""Latent maps: codes as 2-D (or 3-D) points with their labels, ready for a scatter plot.

Codes of 2 or 3 dimensions are shown as they are; wider codes are projected to 2-D by PCA or
t-SNE. Figures are drawn by :mod:`aekit.plots`; this module only computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from aekit.errors import DataError, check_choice

__all__ = ["LatentMap", "latent_map", "project_codes"]


def project_codes(codes: np.ndarray, method: str = "pca", random_state: int | None = 0) -> np.ndarray:
    """Project (n, k) codes to 2-D by PCA or t-SNE (van der Maaten & Hinton 2008).

    Examples
    --------
    >>> project_codes(np.random.default_rng(0).normal(size=(20, 6))).shape
    (20, 2)
    """
    method = check_choice("projection", method, ["pca", "tsne"])
    if method == "pca":
        return PCA(n_components=2, random_state=random_state).fit_transform(codes)
    perplexity = min(30.0, max(1.0, (len(codes) - 1) / 3))  # t-SNE needs perplexity < n
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=random_state).fit_transform(codes)


@dataclass(frozen=True)
class LatentMap:
    """``points`` (n_samples, 2 or 3); ``labels`` as given (or None); ``method`` used."""

    points: np.ndarray
    labels: np.ndarray | None
    method: str


def latent_map(codes: np.ndarray, labels: Any = None, method: str = "auto", random_state: int | None = None) -> LatentMap:
    """Points for a latent map of ``codes``.

    ``method``: "auto" (codes of up to 3 dimensions as they are, wider ones by PCA), "identity",
    "pca" or "tsne" (t-SNE, van der Maaten & Hinton 2008; perplexity capped below n_samples).

    Examples
    --------
    >>> codes = np.random.default_rng(0).normal(size=(50, 8))
    >>> latent_map(codes, labels=np.arange(50) % 3).points.shape
    (50, 2)
    """
    codes = np.asarray(codes, np.float64)
    if codes.ndim != 2 or len(codes) < 2:
        raise DataError(f"codes must be 2-D (n_samples >= 2, n_dims); got shape {codes.shape}. Fix: pass estimator.transform(X).")
    if labels is not None:
        labels = np.asarray(labels)
        if len(labels) != len(codes):
            raise DataError(f"labels has {len(labels)} entries but codes has {len(codes)} rows. Fix: one label per code.")
    method = check_choice("method", method, ["auto", "identity", "pca", "tsne"])
    if method == "auto":
        method = "identity" if codes.shape[1] <= 3 else "pca"
    if method == "identity":
        if codes.shape[1] > 3:
            raise DataError(f'method="identity" needs codes of at most 3 dimensions; got {codes.shape[1]}. Fix: method="pca" or "tsne".')
        points = codes
    else:
        points = project_codes(codes, method, random_state)
    return LatentMap(points, labels, method)
