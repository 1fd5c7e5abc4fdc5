"""Input checks shared by the estimators: the data array and the device."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_array, validate_data

from aekit.errors import ConfigError, DataError

__all__ = ["check_feature_names", "resolve_device", "validate_input"]


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


def validate_input(
    X: Any, name: str = "X", n_features: int | None = None, owner: str = "the model"
) -> tuple[np.ndarray, tuple[int, ...]]:
    """Check X; return it as a contiguous float32 (n_samples, n_features) array and one sample's shape.

    3-D (n, H, W) and 4-D (n, C, H, W) arrays are flattened; their sample shape is what
    convolutional models need. With ``n_features`` (the fitted width), a row of another width
    is refused with a message that names ``owner``. Pure: nothing is written anywhere.

    Examples
    --------
    >>> rows, shape = validate_input(np.zeros((4, 2, 3)))
    >>> rows.shape, shape
    ((4, 6), (2, 3))
    """
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
    sample_shape = tuple(int(s) for s in X.shape[1:])
    X = X.reshape(len(X), -1)
    if n_features is not None and X.shape[1] != n_features:
        raise DataError(
            f"{name} has {X.shape[1]} features, but {owner} is expecting {n_features} features as input. "
            f"Fix: pass data shaped like the training data ({n_features} values per sample)."
        )
    return np.ascontiguousarray(X), sample_shape


def check_feature_names(estimator: Any, X: Any, reset: bool) -> None:
    """Record (``reset``) or check the column names of a DataFrame X, as scikit-learn does."""
    validate_data(estimator, X, skip_check_array=True, ensure_2d=False, reset=reset)
