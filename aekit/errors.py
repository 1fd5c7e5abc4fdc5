"""Exceptions raised by aekit, and the helpers that word them.

Every message names the parameter, what was expected, what was received and the fix.
All user-input errors derive from :class:`AekitError`, itself a ``ValueError``, so code that
catches ``ValueError`` (as scikit-learn's does) keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = [
    "AekitError",
    "ConfigError",
    "DataError",
    "DatasetError",
    "ModelFileError",
    "TrainingDivergedError",
    "check_choice",
    "check_probabilities",
]


class AekitError(ValueError):
    """Base class of every error aekit raises for bad input."""


class ConfigError(AekitError):
    """A parameter has an unknown value or values that cannot be combined."""


class DataError(AekitError):
    """The data given to fit/transform is unusable (empty, NaN, wrong shape, out of range)."""


class DatasetError(AekitError):
    """A dataset file is missing, corrupt, or fails its checksum."""


class ModelFileError(AekitError):
    """A saved model directory is missing a file, is truncated, or does not match its config."""


class TrainingDivergedError(AekitError, RuntimeError):
    """The loss became NaN or infinite; the model keeps the weights of the last good epoch."""


def suggest(value: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean "x"?' for the closest choice, or '' when none is close."""
    choices = list(choices)
    value = str(value).lower()
    close = [c for c in choices if value and (c.startswith(value) or value.startswith(c))]
    close = close or difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def check_choice(parameter: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` lower-cased if it is one of ``choices``, else raise ConfigError.

    Examples
    --------
    >>> check_choice("solver", "Adam", ["adam", "sgd"])
    'adam'
    """
    choices = list(choices)
    if not isinstance(value, str):
        raise ConfigError(
            f"{parameter} must be a string, one of {choices}; got {value!r} "
            f"of type {type(value).__name__}."
        )
    key = value.strip().lower()
    if key not in choices:
        raise ConfigError(
            f"{parameter}={value!r} is not a known choice. Expected one of {choices}."
            + suggest(key, choices)
        )
    return key


def check_probabilities(data: Any, parameter: str) -> None:
    """Raise DataError unless every value of ``data`` (an array or tensor) lies in [0, 1]."""
    low, high = float(data.min()), float(data.max())
    if low < 0 or high > 1:
        raise DataError(
            f"{parameter} must hold probabilities in [0, 1] to binarise; got values in "
            f"[{low:g}, {high:g}]. Scale the data to [0, 1] first (pixels / 255)."
        )
