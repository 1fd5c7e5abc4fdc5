"""Generation: latent points to decode (a grid, a segment, prior samples) and, on a fitted
estimator, new samples, interpolations and decoded grids.

The code-level functions (``grid_points``, ``code_limits``, ``interpolate``, ``sample_prior``,
``sample_index``) return codes or rows; the estimator-level ones (``sample``,
``interpolate_samples``, ``latent_grid``) return decoded samples through
``estimator.transform`` / ``estimator.inverse_transform``. What a model's code is comes from
its latent head's traits: a head with a prior (N(0, I) for a VAE, fair coins for binary
codes) is sampled from it; a head without one gets a Gaussian mixture fitted on the training
codes. Numpy in, numpy out.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.utils.validation import check_random_state

from aekit.errors import ConfigError, DataError, check_choice
from aekit.layers.latent import Prior

__all__ = [
    "LatentGrid",
    "code_limits",
    "grid_points",
    "interpolate",
    "interpolate_samples",
    "latent_grid",
    "sample",
    "sample_index",
    "sample_prior",
]


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


def code_limits(codes: object, margin: float = 0.0) -> np.ndarray:
    """Per code dimension, ``[low, high]`` of the codes, (latent_dim, 2): the ``lims`` of a grid.

    ``margin`` widens each side by that fraction of the dimension's range, so the outermost
    codes sit inside the grid rather than on its edge; the range is floored at 1e-6 so a
    dimension every code shares still gets a margin.

    Examples
    --------
    >>> from aekit.apps.generate import code_limits
    >>> code_limits([[0.0, 1.0], [2.0, 1.0]]).tolist()
    [[0.0, 2.0], [1.0, 1.0]]
    >>> code_limits([[0.0, 1.0], [2.0, 3.0]], margin=0.25).tolist()
    [[-0.5, 2.5], [0.5, 3.5]]
    """
    codes = np.asarray(codes)
    if codes.ndim != 2 or len(codes) == 0:
        raise DataError(f"codes must be a non-empty 2-D array (n_samples, latent_dim); got shape {codes.shape}. Fix: pass estimator.transform(X).")
    low, high = codes.min(axis=0), codes.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-6)
    return np.stack([low - pad, high + pad], axis=1)


def sample_index(key: object, labels: Sequence[object] | None, n_samples: int) -> int | None:
    """The row that ``key`` names: an int index, a sample's label, or ``"#index"``; None if none.

    An index must be below ``n_samples``; labels are compared as text.

    Examples
    --------
    >>> from aekit.apps.generate import sample_index
    >>> sample_index("b", ["a", "b"], 2), sample_index(1, None, 2), sample_index("#0", ["a", "b"], 2)
    (1, 1, 0)
    >>> sample_index("#5", ["a", "b"], 2) is None
    True
    """
    if isinstance(key, int) and 0 <= key < n_samples:
        return int(key)
    names = [str(label) for label in labels] if labels is not None else []
    if str(key) in names:
        return names.index(str(key))
    if isinstance(key, str) and key.startswith("#") and key[1:].isdigit() and int(key[1:]) < n_samples:
        return int(key[1:])
    return None


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


def sample_prior(
    prior: Prior | None,
    n: int,
    latent_dim: int,
    *,
    codes: object | None = None,
    n_components: int = 10,
    random_state: Any = None,
) -> np.ndarray:
    """Draw ``n`` codes (n, latent_dim): from ``prior`` when the head has one, else from a
    Gaussian mixture of ``n_components`` fitted on the training ``codes``.

    Parameters
    ----------
    prior : Prior or None
        The head's prior, ``estimator.model_.latent.traits.prior``.
    n, latent_dim : int
        How many codes, and their width.
    codes : array (n_codes, latent_dim), optional
        The training data's codes; required when ``prior`` is None.
    n_components : int
        Components of the mixture (at most one per code).
    random_state : int, RandomState or None
        Seeds the draws (and the mixture's fit).

    Examples
    --------
    >>> from aekit.apps.generate import sample_prior
    >>> from aekit.layers.latent import NORMAL_PRIOR
    >>> sample_prior(NORMAL_PRIOR, 4, 2, random_state=0).shape
    (4, 2)
    >>> sample_prior(None, 3, 2, codes=np.random.default_rng(0).normal(size=(50, 2)), random_state=0).shape
    (3, 2)
    """
    if prior is not None and not isinstance(prior, Prior):
        raise ConfigError(
            f"prior must be a Prior or None; got {prior!r}. Fix: pass estimator.model_.latent.traits.prior."
        )
    rng = check_random_state(random_state)
    if prior is not None:
        return prior.draw(rng, n, latent_dim)
    if codes is None:
        raise DataError(
            "codes=None, but a code without a prior is sampled from a Gaussian mixture fitted to the training codes. "
            "Fix: pass codes=estimator.transform(X_train)."
        )
    codes = np.asarray(codes)
    mixture = GaussianMixture(min(n_components, len(codes)), random_state=rng.randint(np.iinfo(np.int32).max))
    with warnings.catch_warnings():
        # float32 codes give float32 covariances; numpy's PSD check (tolerance 1e-8) then flags a
        # component shrunk to reg_covar = 1e-6 whose eigenvalues are all >= 1e-6: round-off only.
        warnings.filterwarnings("ignore", "covariance is not symmetric positive-semidefinite", RuntimeWarning)
        z = mixture.fit(codes).sample(n)[0]
    return z[rng.permutation(n)]  # GaussianMixture.sample returns draws grouped by component


def _prior(estimator: Any) -> Prior | None:
    return estimator.model_.latent.traits.prior


def sample(estimator: Any, n_samples: int, *, X: Any = None, n_components: int = 10, random_state: Any = None) -> np.ndarray:
    """Draw ``n_samples`` new samples, (n_samples, n_features).

    A head with a prior decodes draws from it (z ~ N(0, I) for a VAE, fair coins for binary
    codes). Any other autoencoder decodes draws from a Gaussian mixture of ``n_components``
    fitted on the codes of ``X`` (its training data, required); see :func:`sample_prior`.

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
    prior = _prior(estimator)
    if prior is None and X is None:
        raise ConfigError(
            f"sample() on a {estimator.model_.latent.kind!r} latent needs X: without a prior, the codes of the training "
            "data define where to sample; got X=None. Fix: sample(estimator, n, X=X_train), or train a VAE "
            '(latent="gaussian").'
        )
    codes = None if prior is not None else estimator.transform(X)
    z = sample_prior(prior, n_samples, estimator.spec_.latent_dim, codes=codes, n_components=n_components,
                     random_state=random_state)
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

    ``method``: "linear", "spherical", or "auto" (spherical where the head's prior asks for it,
    as a VAE's N(0, I) does; linear otherwise).

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
    prior = _prior(estimator)
    if method == "spherical" or (method == "auto" and prior is not None and prior.spherical):
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
    """Decode a regular grid over two code dimensions (the others held at the prior's median, or their mean on X).

    For a head with a continuous prior (a VAE) the grid runs over the prior's 5 %..95 %
    quantiles (Kingma & Welling 2014, fig. 4); otherwise over the range of the codes of ``X``
    (required).

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
    prior = _prior(estimator)
    if prior is not None and prior.quantile is not None:
        axis_i = axis_j = prior.quantile(np.linspace(0.05, 0.95, n_per_axis))
        centre = prior.quantile(np.full(latent_dim, 0.5))
    else:
        if X is None:
            raise ConfigError(
                f"latent_grid() on a {estimator.model_.latent.kind} code needs X to know where the codes lie (it has no "
                "continuous prior to span); got X=None. "
                "Fix: latent_grid(estimator, n, X=X_train)."
            )
        codes = estimator.transform(X)
        if len(codes) < 2:
            raise DataError(f"X must hold at least 2 samples to span a grid; got {len(codes)}.")
        lims = code_limits(codes[:, [i, j]])
        axis_i, axis_j = np.linspace(*lims[0], n_per_axis), np.linspace(*lims[1], n_per_axis)
        centre = codes.mean(0)
    grid = np.tile(centre, (n_per_axis * n_per_axis, 1))
    rows, cols = np.meshgrid(axis_i, axis_j, indexing="ij")
    grid[:, i], grid[:, j] = rows.ravel(), cols.ravel()
    grid = grid.astype(np.float32)
    return LatentGrid(grid, estimator.inverse_transform(grid), n_per_axis)
