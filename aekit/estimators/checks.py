"""Input checks shared by the estimators: the data array and the device."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import _check_feature_names, check_array

from aekit.errors import ConfigError, DataError

__all__ = ["resolve_device", "validate_input"]


def resolve_device(device: str) -> torch.device:
    """"auto" -> the first CUDA GPU when there is one, else the CPU; other strings as torch reads them."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ConfigError(f'device={device!r} is not a device torch knows. Expected "cpu", "cuda", "cuda:0" or "auto".') from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f'device={device!r} asks for a GPU but torch sees none. Fix: use device="auto" or "cpu".')
    return resolved


def validate_input(X: Any, estimator: Any, reset: bool, name: str = "X") -> np.ndarray:
    """Check X and return it as a float32 array of shape (n_samples, n_features).

    3-D (n, H, W) and 4-D (n, C, H, W) arrays are flattened; the shape is kept on
    ``estimator`` for convolutional models.
    """
    original = X
    X = check_array(
        X, dtype=np.float32, ensure_all_finite=False, allow_nd=True, ensure_2d=False,
        ensure_min_samples=0, input_name=name,
    )
    if X.ndim < 2:
        raise DataError(
            f"{name} must be 2-D (n_samples, n_features); got a {X.ndim}-D array of shape {X.shape}. "
            f"Fix: Reshape your data with X.reshape(-1, 1) for one feature or X.reshape(1, -1) for one sample."
        )
    if len(X) == 0:
        raise DataError(
            f"{name} is empty: got 0 samples (shape {X.shape}); at least 1 is needed. "
            f"Fix: check the step that loaded or filtered the data."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        suspicious = not np.isfinite(X.sum())  # one pass, no temporary: any NaN or inf makes the sum non-finite
    bad = ~np.isfinite(X) if suspicious else None  # (a sum that overflows on large finite values is checked here)
    if bad is not None and bad.any():
        where = np.argwhere(bad)[0]
        raise DataError(
            f"{name} contains NaN or infinity in {int(bad.sum())} values (first at index {tuple(int(i) for i in where)}); "
            f"aekit needs finite numbers. Fix: impute them (e.g. sklearn.impute.SimpleImputer) or drop those rows."
        )
    sample_shape = X.shape[1:]
    X = X.reshape(len(X), -1)
    if reset:
        estimator._sample_shape = sample_shape
    elif X.shape[1] != estimator.n_features_in_:
        raise DataError(
            f"{name} has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input. Fix: pass data shaped like the training data "
            f"({estimator.n_features_in_} values per sample)."
        )
    if name == "X":
        _check_feature_names(estimator, original, reset=reset)
    if reset:
        estimator.n_features_in_ = X.shape[1]
    return np.ascontiguousarray(X)
