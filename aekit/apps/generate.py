"""Latent points to decode: a grid, a segment between two codes, samples from the prior."""

from __future__ import annotations

import numpy as np

from aekit.errors import ConfigError, DataError, check_choice

__all__ = ["grid_points", "interpolate", "sample_prior"]


def grid_points(lims: object, n: int) -> np.ndarray:
    """``n`` x ``n`` points over a 2-D latent rectangle, row by row from the top (largest z2).

    Examples
    --------
    >>> from aekit.apps.generate import grid_points
    >>> grid_points((0, 1), 2).tolist()
    [[0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0]]
    """
    limits = np.asarray(lims, dtype=float)
    if limits.shape == (2,):
        limits = np.stack([limits, limits])
    if limits.shape != (2, 2) or np.any(limits[:, 0] >= limits[:, 1]):
        raise ConfigError(
            f"lims must be (low, high) or ((z1_low, z1_high), (z2_low, z2_high)) with low < high; got {lims!r}."
        )
    if n < 2:
        raise ConfigError(f"n must be at least 2 points per axis; got {n}.")
    z1 = np.linspace(*limits[0], n)
    z2 = np.linspace(*limits[1], n)[::-1]  # top row is the largest z2, as on a map
    return np.array([[a, b] for b in z2 for a in z1])


def interpolate(start: object, end: object, n: int) -> np.ndarray:
    """``n`` evenly spaced points on the segment from ``start`` to ``end``, both included.

    Examples
    --------
    >>> from aekit.apps.generate import interpolate
    >>> interpolate([0, 0], [1, 2], 3).tolist()
    [[0.0, 0.0], [0.5, 1.0], [1.0, 2.0]]
    """
    a, b = np.asarray(start, dtype=float).ravel(), np.asarray(end, dtype=float).ravel()
    if a.shape != b.shape:
        raise DataError(f"start and end must be codes of the same size; got {a.size} and {b.size} values.")
    if n < 2:
        raise ConfigError(f"n must be at least 2 (the two end points); got {n}.")
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) * a + t * b


def sample_prior(latent: str, n: int, latent_dim: int, codes: object | None = None, random_state: int = 0) -> np.ndarray:
    """Draw ``n`` codes: N(0, I) for a gaussian latent (VAE), fair coins for a binary one, and for
    a deterministic code, which has no prior, a Gaussian fitted to the training ``codes``.

    Examples
    --------
    >>> from aekit.apps.generate import sample_prior
    >>> sample_prior("gaussian", 4, 2).shape
    (4, 2)
    """
    latent = check_choice("latent", latent, ["deterministic", "gaussian", "binary"])
    rng = np.random.default_rng(random_state)
    if latent == "gaussian":
        return rng.standard_normal((n, latent_dim))
    if latent == "binary":
        return rng.integers(0, 2, size=(n, latent_dim)).astype(float)
    if codes is None:
        raise DataError("A deterministic code has no prior: pass the training codes to fit a Gaussian to.")
    codes = np.asarray(codes, dtype=float)
    covariance = np.atleast_2d(np.cov(codes, rowvar=False))
    return rng.multivariate_normal(codes.mean(axis=0), covariance, size=n)
