"""Semantic hashing: binary codes, packed bits, Hamming search and mean average precision.

Salakhutdinov & Hinton 2009: similar items get codes a few bit flips apart, so nearest
neighbours are found by Hamming distance on packed bits (XOR and a population count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from aekit.errors import ConfigError, DataError

__all__ = ["ITQ", "SearchResult", "binarize", "fit_itq", "fit_rotation", "hash_database", "hash_codes", "pack_bits", "hamming_distances", "hamming_search", "mean_average_precision"]

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
_QUERY_CHUNK = 1024


@dataclass(frozen=True)
class SearchResult:
    """``indices`` (n_queries, k) of the nearest database items, nearest first; ``distances`` their Hamming distances."""

    indices: np.ndarray
    distances: np.ndarray


@dataclass(frozen=True)
class ITQ:
    """A fitted iterative-quantisation hash: bits ``(codes - mean) @ projection > 0``.

    ``projection`` (n_dims, n_bits) is the top principal directions of the centred codes times
    the learned rotation, so its columns are orthonormal. Build one with :func:`fit_itq`.
    """

    mean: np.ndarray
    projection: np.ndarray

    def bits(self, codes: np.ndarray) -> np.ndarray:
        """Boolean (n_samples, n_bits) codes of ``codes`` (n_samples, n_dims)."""
        codes = np.asarray(codes)
        if codes.ndim != 2 or codes.shape[1] != len(self.mean):
            raise DataError(
                f"codes must be (n_samples, {len(self.mean)}), the width this ITQ was fitted on; got shape {codes.shape}. "
                "Fix: pass codes from the same model (estimator.transform(X))."
            )
        return (codes - self.mean) @ self.projection > 0


def fit_itq(codes: np.ndarray, n_bits: int | None = None, iterations: int = 50, random_state: int = 0) -> ITQ:
    """Iterative quantisation (Gong & Lazebnik 2011) of real-valued ``codes`` into ``n_bits`` bits.

    Centre the codes, project them on their top ``n_bits`` principal directions (all of them by
    default: then the projection is only a rotation), and learn the rotation R minimising the
    quantisation loss ||B - V R||_F by alternating B = sign(V R) and R = S_hat S^T from the
    SVD B^T V = S Omega S_hat^T, starting from a random rotation. Applied to raw pixels this is
    PCA-ITQ; applied to an autoencoder's code it turns the code into balanced-ish bits that
    lose less than a threshold per dimension.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> codes = rng.normal(size=(200, 4)) @ rng.normal(size=(4, 4))
    >>> itq = fit_itq(codes)
    >>> bool(np.allclose(itq.projection.T @ itq.projection, np.eye(4)))
    True
    >>> itq.bits(codes).shape
    (200, 4)
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) < 2:
        raise DataError(f"codes must be 2-D (n_samples >= 2, n_dims); got shape {codes.shape}. Fix: pass estimator.transform(X).")
    n_dims = codes.shape[1]
    n_bits = n_dims if n_bits is None else n_bits
    if isinstance(n_bits, bool) or not isinstance(n_bits, (int, np.integer)) or not 1 <= n_bits <= min(n_dims, len(codes)):
        raise ConfigError(
            f"n_bits must be an integer from 1 to min(n_dims, n_samples) = {min(n_dims, len(codes))}; got {n_bits!r}. "
            "Fix: use at most as many bits as the codes have dimensions (or leave n_bits=None)."
        )
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ConfigError(f"iterations must be an integer >= 0; got {iterations!r}. Fix: e.g. iterations=50 (Gong & Lazebnik's choice).")
    mean = codes.mean(axis=0)
    _, _, Vt = np.linalg.svd(codes - mean, full_matrices=False)
    pca = Vt[:n_bits].T  # (n_dims, n_bits)
    V = (codes - mean) @ pca
    R = np.linalg.qr(np.random.default_rng(random_state).normal(size=(n_bits, n_bits)))[0]
    for _ in range(iterations):
        B = np.where(V @ R >= 0, 1.0, -1.0)
        U, _, Wt = np.linalg.svd(B.T @ V)
        R = Wt.T @ U.T
    return ITQ(mean, pca @ R)


def binarize(codes: np.ndarray, threshold: float | np.ndarray = 0.0) -> np.ndarray:
    """Bits ``codes > threshold`` as a boolean (n_samples, n_bits) array.

    ``threshold`` may be one number or one per code dimension; the per-dimension median of a
    database's codes gives balanced bits (each bit on for half of the items).

    Examples
    --------
    >>> codes = np.array([[0.2, -1.0], [3.0, 0.5]])
    >>> binarize(codes, np.median(codes, axis=0)).astype(int)
    array([[0, 0],
           [1, 1]])
    """
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise DataError(f"codes must be 2-D (n_samples, n_dims); got shape {codes.shape}. Fix: pass estimator.transform(X).")
    threshold = np.asarray(threshold, dtype=np.float64)
    if threshold.ndim > 1 or (threshold.ndim == 1 and len(threshold) != codes.shape[1]):
        raise DataError(
            f"threshold must be one number or one per code dimension ({codes.shape[1]}); got shape {threshold.shape}. "
            "Fix: e.g. np.median(database_codes, axis=0)."
        )
    return codes > threshold


def fit_rotation(estimator: Any, X: Any, iterations: int = 50, random_state: int = 0) -> Any:
    """Learn an ITQ rotation of ``estimator``'s real-valued code on X; :func:`hash_codes` then uses it.

    The rotation (:func:`fit_itq` on ``estimator.transform(X)``, one bit per code dimension) is
    a fitted part of the hashing model: it is stored as ``estimator.hash_mean_`` and
    ``estimator.hash_projection_``, which :func:`aekit.save` writes and :func:`aekit.load`
    restores. Refitting the autoencoder drops it (it rotated the old model's code): call this again. Returns the estimator.

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> ae = fit_rotation(AutoencoderEstimator(latent_dim=8, max_iter=5, random_state=0).fit(X), X)
    >>> hash_codes(ae, X).shape
    (32, 8)
    """
    if estimator.model_.latent.traits.bits:
        raise ConfigError(
            f'fit_rotation rotates a real-valued code, but this model has latent="{estimator.model_.latent.kind}" (its codes '
            'are bits already). Fix: use hash_codes(estimator, X) as it is, or train with a real code (latent="deterministic").'
        )
    itq = fit_itq(estimator.transform(X), iterations=iterations, random_state=random_state)
    estimator.hash_mean_, estimator.hash_projection_ = itq.mean, itq.projection
    return estimator


def hash_codes(estimator: Any, X: Any, threshold: float | np.ndarray | None = None) -> np.ndarray:
    """Boolean codes of X from a fitted autoencoder.

    A head whose codes are bits (``traits.bits``, e.g. ``latent="stochastic_binary"``) gives
    them as they are; a real-valued code with a rotation from :func:`fit_rotation` gives the
    rotated code's signs; any other code is thresholded by ``threshold`` (default 0.0; pass
    ``np.median(estimator.transform(database), axis=0)`` for balanced bits).

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> ae = AutoencoderEstimator(latent="binary", latent_dim=16, max_iter=5, random_state=0).fit(X)
    >>> hash_codes(ae, X).shape, hash_codes(ae, X).dtype
    ((32, 16), dtype('bool'))
    """
    codes = estimator.transform(X)
    rotated = getattr(estimator, "hash_projection_", None) is not None
    if estimator.model_.latent.traits.bits or rotated:
        if threshold is not None:
            what = (f'latent="{estimator.model_.latent.kind}" (its codes are bits)' if not rotated
                    else "a fitted hashing rotation (fit_rotation)")
            raise ConfigError(
                f"threshold is for real-valued codes without a rotation, but this model has {what}; got "
                f"threshold={threshold!r}. Fix: leave threshold=None."
            )
        if not rotated:
            return codes > 0.5
        return ITQ(np.asarray(estimator.hash_mean_), np.asarray(estimator.hash_projection_)).bits(codes)
    return binarize(codes, 0.0 if threshold is None else threshold)


def hash_database(estimator: Any, X: Any) -> np.ndarray:
    """Boolean codes of a database X: :func:`hash_codes`, with a plain real code split at its per-dimension median.

    The median of X's own codes makes every bit on for half of the database (balanced bits);
    bits and rotated codes are as :func:`hash_codes` gives them.

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> hash_database(AutoencoderEstimator(latent_dim=4, max_iter=3, random_state=0).fit(X), X).mean(0)
    array([0.5, 0.5, 0.5, 0.5])
    """
    if estimator.model_.latent.traits.bits or getattr(estimator, "hash_projection_", None) is not None:
        return hash_codes(estimator, X)
    return hash_codes(estimator, X, threshold=np.median(estimator.transform(X), axis=0))


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack boolean codes (n, n_bits) into bytes (n, ceil(n_bits / 8)), 8 bits per byte.

    Examples
    --------
    >>> pack_bits(np.array([[1, 0, 0, 0, 0, 0, 0, 1, 1]], dtype=bool))
    array([[129, 128]], dtype=uint8)
    """
    bits = np.asarray(bits)
    if bits.ndim != 2:
        raise DataError(f"bits must be 2-D (n_items, n_bits); got shape {bits.shape}. Fix: pass the output of hash_codes().")
    return np.packbits(bits.astype(bool), axis=1)


def _packed(name: str, codes: np.ndarray) -> np.ndarray:
    codes = np.asarray(codes)
    if codes.dtype != np.uint8 or codes.ndim != 2:
        raise DataError(
            f"{name} must be packed codes: a 2-D uint8 array from pack_bits(); got dtype {codes.dtype} and shape {codes.shape}. "
            f"Fix: {name} = pack_bits(bits)."
        )
    return codes


def hamming_distances(queries: np.ndarray, database: np.ndarray) -> np.ndarray:
    """Hamming distances (n_queries, n_items) between packed codes: popcount of XOR.

    Examples
    --------
    >>> a = pack_bits(np.array([[1, 1, 0, 0]], dtype=bool))
    >>> b = pack_bits(np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0]], dtype=bool))
    >>> hamming_distances(a, b)
    array([[0, 4, 1]])
    """
    queries, database = _packed("queries", queries), _packed("database", database)
    if queries.shape[1] != database.shape[1]:
        raise DataError(
            f"queries have {queries.shape[1]} bytes per code but the database has {database.shape[1]}. "
            "Fix: hash both with the same model and number of bits."
        )
    xor = queries[:, None, :] ^ database[None, :, :]  # (n_q, n_db, n_bytes)
    return _POPCOUNT[xor].sum(axis=2, dtype=np.int64)


def hamming_search(queries: np.ndarray, database: np.ndarray, k: int = 10) -> SearchResult:
    """The ``k`` database items nearest each query in Hamming distance (ties: lower index first).

    Examples
    --------
    >>> db = pack_bits(np.array([[0, 0, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=bool))
    >>> hamming_search(db[1:2], db, k=2).indices
    array([[1, 2]])
    """
    database = _packed("database", database)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(database):
        raise ConfigError(f"k must be an integer from 1 to the database size ({len(database)}); got {k!r}. Fix: choose a smaller k.")
    indices, distances = [], []
    for start in range(0, len(queries), _QUERY_CHUNK):
        d = hamming_distances(queries[start : start + _QUERY_CHUNK], database)
        order = np.argsort(d, axis=1, kind="stable")[:, :k]
        indices.append(order)
        distances.append(np.take_along_axis(d, order, axis=1))
    return SearchResult(np.concatenate(indices), np.concatenate(distances))


def mean_average_precision(query_labels: np.ndarray, database_labels: np.ndarray, indices: np.ndarray) -> float:
    """Mean over queries of the average precision of ranked results (mAP@k, k = indices' width).

    A result is relevant when its label equals the query's. For one query with relevance
    ``r_1..r_k`` of the ranked results, AP@k = sum_i P(i) r_i / sum_i r_i, P(i) the precision of
    the first i results (0 when nothing in the top k is relevant), as in the hashing literature
    (e.g. Cao et al. 2017, HashNet).

    Examples
    --------
    >>> mean_average_precision(np.array([0]), np.array([0, 1, 0]), np.array([[0, 1, 2]]))
    0.8333333333333333
    """
    query_labels, database_labels, indices = np.asarray(query_labels), np.asarray(database_labels), np.asarray(indices)
    if indices.ndim != 2 or len(indices) != len(query_labels):
        raise DataError(
            f"indices must be (n_queries, k) with one row per query label ({len(query_labels)}); got shape {indices.shape}. "
            "Fix: pass hamming_search(...).indices for the same queries."
        )
    relevant = database_labels[indices] == query_labels[:, None]  # (n_q, k)
    precision = np.cumsum(relevant, axis=1) / np.arange(1, indices.shape[1] + 1)
    hits = relevant.sum(1)
    ap = np.where(hits > 0, (precision * relevant).sum(1) / np.maximum(hits, 1), 0.0)
    return float(ap.mean())
