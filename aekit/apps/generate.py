"""Generation: latent points to decode (a grid, a segment, prior samples) and, on a fitted
estimator, new samples, interpolations and decoded grids.

The code-level functions (``grid_points``, ``interpolate``, ``sample_prior``) return codes; the
estimator-level ones (``sample``, ``interpolate_samples``, ``latent_grid``) return decoded
samples through ``estimator.transform`` / ``estimator.inverse_transform``. A VAE is sampled from
its prior N(0, I); a deterministic autoencoder has no prior, so ``sample`` fits a Gaussian
mixture on the training codes. Numpy in, numpy out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm
from sklearn.mixture import GaussianMixture
from sklearn.utils.validation import check_random_state

from aekit.errors import ConfigError, DataError, check_choice

__all__ = ["LatentGrid", "grid_points", "interpolate", "interpolate_samples", "latent_grid", "sample", "sample_prior"]


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


def _is_vae(estimator: Any) -> bool:
    return estimator.spec_.latent == "gaussian"


def sample(estimator: Any, n_samples: int, *, X: Any = None, n_components: int = 10, random_state: Any = None) -> np.ndarray:
    """Draw ``n_samples`` new samples, (n_samples, n_features).

    A VAE decodes z ~ N(0, I). Any other autoencoder decodes draws from a Gaussian mixture of
    ``n_components`` fitted on the codes of ``X`` (its training data, required).

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> vae = AutoencoderEstimator(latent="gaussian", loss="bce", max_iter=5, random_state=0).fit(X)
    >>> sample(vae, 4, random_state=0).shape
    (4, 35)
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ConfigError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
    rng = check_random_state(random_state)
    if _is_vae(estimator):
        z = rng.standard_normal((n_samples, estimator.spec_.latent_dim))
    else:
        if X is None:
            raise ConfigError(
                f"sample() on a {estimator.spec_.latent!r} latent needs X: without a prior, the codes of the training "
                "data define where to sample; got X=None. Fix: sample(estimator, n, X=X_train), or train a VAE "
                '(latent="gaussian").'
            )
        codes = estimator.transform(X)
        mixture = GaussianMixture(min(n_components, len(codes)), random_state=rng.randint(np.iinfo(np.int32).max))
        z = mixture.fit(codes).sample(n_samples)[0]
        z = z[rng.permutation(n_samples)]  # GaussianMixture.sample returns draws grouped by component
    return estimator.inverse_transform(z.astype(np.float32))


def _slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation (Shoemake 1985; White 2016 for VAE latents): follows the
    great circle between a and b, so norms stay typical of a high-dimensional Gaussian."""
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return (1 - t)[:, None] * a + t[:, None] * b
    return (np.sin((1 - t) * omega)[:, None] * a + np.sin(t * omega)[:, None] * b) / np.sin(omega)


def interpolate_samples(estimator: Any, x_start: Any, x_end: Any, n_steps: int = 8, method: str = "auto") -> np.ndarray:
    """Decode ``n_steps`` points on the path between the codes of two samples, ends included.

    ``method``: "linear", "spherical", or "auto" (spherical for a VAE, linear otherwise).

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> ae = AutoencoderEstimator(latent_dim=2, loss="bce", max_iter=5, random_state=0).fit(X)
    >>> interpolate_samples(ae, X[1], X[2], n_steps=5).shape
    (5, 35)
    """
    method = check_choice("method", method, ["auto", "linear", "spherical"])
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 2:
        raise ConfigError(f"n_steps must be an integer >= 2 (the two ends are included); got {n_steps!r}.")
    ends = np.vstack([np.asarray(x_start, np.float32).reshape(1, -1), np.asarray(x_end, np.float32).reshape(1, -1)])
    a, b = estimator.transform(ends).astype(np.float64)
    t = np.linspace(0.0, 1.0, n_steps)
    if method == "spherical" or (method == "auto" and _is_vae(estimator)):
        z = _slerp(a, b, t)
    else:
        z = interpolate(a, b, n_steps)
    return estimator.inverse_transform(z.astype(np.float32))


@dataclass(frozen=True)
class LatentGrid:
    """``codes`` (n*n, latent_dim) on a regular grid, row by row; ``decoded`` (n*n, n_features)."""

    codes: np.ndarray
    decoded: np.ndarray
    n_per_axis: int


def latent_grid(estimator: Any, n_per_axis: int = 10, *, X: Any = None, dims: tuple[int, int] = (0, 1)) -> LatentGrid:
    """Decode a regular grid over two code dimensions (the others held at 0, or their mean on X).

    For a VAE the grid runs over the prior's 5 %..95 % quantiles (Kingma & Welling 2014, fig. 4);
    otherwise over the range of the codes of ``X`` (required).

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> vae = AutoencoderEstimator(latent="gaussian", latent_dim=2, loss="bce", max_iter=5, random_state=0).fit(X)
    >>> latent_grid(vae, 4).decoded.shape
    (16, 35)
    """
    latent_dim = estimator.spec_.latent_dim
    i, j = dims
    if latent_dim < 2 or not (0 <= i < latent_dim and 0 <= j < latent_dim and i != j):
        raise ConfigError(
            f"dims must name two different code dimensions in 0..{latent_dim - 1}; got dims={dims!r} for latent_dim={latent_dim}. "
            "Fix: dims=(0, 1) with a code of 2 or more dimensions."
        )
    if _is_vae(estimator):
        axis_i = axis_j = norm.ppf(np.linspace(0.05, 0.95, n_per_axis))
        centre = np.zeros(latent_dim)
    else:
        if X is None:
            raise ConfigError(
                "latent_grid() on a deterministic code needs X to know where the codes lie; got X=None. "
                "Fix: latent_grid(estimator, n, X=X_train)."
            )
        codes = estimator.transform(X)
        if len(codes) < 2:
            raise DataError(f"X must hold at least 2 samples to span a grid; got {len(codes)}.")
        axis_i = np.linspace(codes[:, i].min(), codes[:, i].max(), n_per_axis)
        axis_j = np.linspace(codes[:, j].min(), codes[:, j].max(), n_per_axis)
        centre = codes.mean(0)
    grid = np.tile(centre, (n_per_axis * n_per_axis, 1))
    rows, cols = np.meshgrid(axis_i, axis_j, indexing="ij")
    grid[:, i], grid[:, j] = rows.ravel(), cols.ravel()
    grid = grid.astype(np.float32)
    return LatentGrid(grid, estimator.inverse_transform(grid), n_per_axis)
