"""Autoencoder codes as features for a downstream classifier, judged against raw inputs and PCA."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

__all__ = ["FeatureComparison", "compare_features"]


@dataclass(frozen=True)
class FeatureComparison:
    """Test accuracy of one classifier on three representations of the same data."""

    raw: float
    code: float
    pca: float
    n_components: int


def compare_features(
    estimator: Any, X_train: Any, y_train: Any, X_test: Any, y_test: Any, classifier: Any = None
) -> FeatureComparison:
    """Fit ``classifier`` (default logistic regression) on the codes of a fitted autoencoder,
    on the raw inputs, and on PCA with as many components as the code; report test accuracy.

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_digits
    >>> d = load_digits()
    >>> ae = AutoencoderEstimator(latent_dim=8, max_iter=5, random_state=0).fit(d.data[:1000])
    >>> result = compare_features(ae, d.data[:1000], d.target[:1000], d.data[1000:], d.target[1000:])
    >>> result.n_components, 0.0 <= result.code <= 1.0
    (8, True)
    """
    classifier = LogisticRegression(max_iter=2000) if classifier is None else classifier
    X_train, X_test = np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)
    n_components = int(estimator.spec_.latent_dim)
    pca = PCA(n_components=min(n_components, *X_train.shape)).fit(X_train)
    pairs = {
        "raw": (X_train, X_test),
        "code": (estimator.transform(X_train), estimator.transform(X_test)),
        "pca": (pca.transform(X_train), pca.transform(X_test)),
    }
    scores = {name: float(clone(classifier).fit(tr, y_train).score(te, y_test)) for name, (tr, te) in pairs.items()}
    return FeatureComparison(n_components=n_components, **scores)
