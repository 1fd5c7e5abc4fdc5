"""Reconstruction errors, and the PCA baseline every autoencoder is compared with.

A linear autoencoder with a k-dimensional code and squared loss learns the same subspace as
PCA with k components (Baldi & Hornik 1989), so PCA's error is the number to beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aekit.errors import ConfigError, DataError

__all__ = [
    "ReconstructionError",
    "pca_reconstruction",
    "pca_reconstruction_error",
    "psnr",
    "reconstruction_error",
    "wrong_pixels",
]


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


@dataclass(frozen=True)
class ReconstructionError:
    """Per-sample reconstruction errors of one model on one data set.

    Attributes
    ----------
    per_sample : ndarray (n,)
        Squared error summed over the features of each sample.
    wrong_pixels : ndarray (n,) or None
        For binary (0/1) data: pixels of each sample on the wrong side of 0.5 (:func:`wrong_pixels`); else None.
    n_features : int
        Features per sample, to turn sums into means.
    """

    per_sample: np.ndarray
    wrong_pixels: np.ndarray | None
    n_features: int

    @property
    def sse(self) -> float:
        """Sum of squared errors over all samples and features."""
        return float(self.per_sample.sum())

    @property
    def mse(self) -> float:
        """Mean squared error per feature."""
        return self.sse / (self.per_sample.size * self.n_features)

    def summary(self) -> dict[str, float]:
        """The headline numbers: SSE, MSE and, for binary data, mean and max wrong pixels."""
        out = {"sse": self.sse, "mse": self.mse}
        if self.wrong_pixels is not None:
            out["mean_wrong_pixels"] = float(self.wrong_pixels.mean())
            out["max_wrong_pixels"] = float(self.wrong_pixels.max())
        return out

    def describe(self) -> str:
        """The summary as one line, e.g. 'sse 12.5, mse 0.011, mean wrong pixels 0.4, max wrong pixels 2'."""
        return ", ".join(f"{name.replace('_', ' ')} {value:.4g}" for name, value in self.summary().items())


def _as_data(values: object, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise DataError(f"{name} must be a non-empty 2-D array (n_samples, n_features); got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise DataError(f"{name} contains NaN or infinite values; the model may have diverged.")
    return array


def reconstruction_error(X: object, X_hat: object) -> ReconstructionError:
    """Squared error per sample and, when ``X`` is binary, wrong pixels per sample.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.metrics import reconstruction_error
    >>> err = reconstruction_error(np.array([[0, 1, 1]]), np.array([[0.2, 0.4, 1.0]]))
    >>> round(err.sse, 2), err.wrong_pixels.tolist()
    (0.4, [1])
    """
    X, X_hat = _as_data(X, "X"), _as_data(X_hat, "X_hat")
    if X.shape != X_hat.shape:
        raise DataError(f"X has shape {X.shape} but X_hat has shape {X_hat.shape}; pass the reconstructions of X.")
    binary = bool(np.all((X == 0) | (X == 1)))
    return ReconstructionError(
        per_sample=((X - X_hat) ** 2).sum(axis=1),
        wrong_pixels=wrong_pixels(X, X_hat) if binary else None,
        n_features=X.shape[1],
    )


def pca_reconstruction(X: object, n_components: int, X_eval: object | None = None) -> np.ndarray:
    """Fit PCA with ``n_components`` on ``X`` and reconstruct ``X_eval`` (default ``X``) from its codes.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.metrics import pca_reconstruction
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])  # on a line: one component is exact
    >>> np.allclose(pca_reconstruction(X, 1), X)
    True
    """
    from sklearn.decomposition import PCA

    X = _as_data(X, "X")
    limit = min(X.shape)
    if not isinstance(n_components, int | np.integer) or not 1 <= n_components <= limit:
        raise ConfigError(
            f"n_components must be an integer from 1 to min(n_samples, n_features) = {limit}; got {n_components!r}."
        )
    pca = PCA(n_components=int(n_components)).fit(X)
    target = X if X_eval is None else _as_data(X_eval, "X_eval")
    return pca.inverse_transform(pca.transform(target))


def pca_reconstruction_error(X: object, n_components: int, X_eval: object | None = None) -> ReconstructionError:
    """Reconstruction error of PCA with ``n_components`` (the autoencoder's code size) on ``X_eval``.

    Examples
    --------
    >>> from aekit.datasets import load_font
    >>> from aekit.metrics import pca_reconstruction_error
    >>> err = pca_reconstruction_error(load_font().data, 2)
    >>> sorted(err.summary())
    ['max_wrong_pixels', 'mean_wrong_pixels', 'mse', 'sse']
    """
    target = X if X_eval is None else X_eval
    return reconstruction_error(target, pca_reconstruction(X, n_components, X_eval))
