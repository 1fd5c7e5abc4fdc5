"""Semantic hashing: binary codes, packed bits, Hamming search and mean average precision.

Salakhutdinov & Hinton 2009: similar items get codes a few bit flips apart, so nearest
neighbours are found by Hamming distance on packed bits (XOR and a population count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from aekit.errors import ConfigError, DataError

__all__ = ["SearchResult", "binarize", "hash_codes", "pack_bits", "hamming_distances", "hamming_search", "mean_average_precision"]

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
_QUERY_CHUNK = 1024


@dataclass(frozen=True)
class SearchResult:
    """``indices`` (n_queries, k) of the nearest database items, nearest first; ``distances`` their Hamming distances."""

    indices: np.ndarray
    distances: np.ndarray


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


def hash_codes(estimator: Any, X: Any, threshold: float | np.ndarray | None = None) -> np.ndarray:
    """Boolean codes of X from a fitted autoencoder.

    A head whose codes are bits (``traits.bits``, e.g. ``latent="binary"``) gives them as they
    are; any other code is thresholded by ``threshold`` (default 0.0; pass
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
    if estimator.model_.latent.traits.bits:
        if threshold is not None:
            raise ConfigError(
                f'threshold is for real-valued codes, but this model has latent="{estimator.model_.latent.kind}" (its '
                f"codes are bits); got threshold={threshold!r}. Fix: leave threshold=None."
            )
        return codes > 0.5
    return binarize(codes, 0.0 if threshold is None else threshold)


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
