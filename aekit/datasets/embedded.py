"""Datasets that ship with the package: the 5x7 bitmap font and scikit-learn's 8x8 digits."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_font", "load_digits"]


def load_font() -> Bunch:
    r"""The 5x7 bitmap font of the classic autoencoder assignment (32 characters, 0x60-0x7F).

    Returns
    -------
    Bunch
        ``data`` (32, 35) float32 in {0, 1}, row-major pixels, top row first;
        ``images`` (32, 7, 5) the same pixels as bitmaps; ``labels`` the 32 characters
        (backtick, a-z, {, |, }, ~ and "DEL"); ``target`` their codes 0x60-0x7F;
        ``image_shape`` (7, 5).

    Examples
    --------
    >>> from aekit.datasets import load_font
    >>> font = load_font()
    >>> font.data.shape, font.labels[1]
    ((32, 35), 'a')
    >>> print("\n".join("".join("#" if p else "-" for p in row) for row in font.images[1]))
    -----
    -###-
    ----#
    -##-#
    #--##
    #--##
    -##-#
    """
    raw = json.loads(resources.files("aekit.datasets").joinpath("font5x7.json").read_text())
    rows = np.asarray(raw["rows"], dtype=np.int64)  # (32, 7): 5-bit integers
    bits = (rows[..., None] >> np.arange(4, -1, -1)) & 1  # (32, 7, 5), MSB leftmost
    images = bits.astype(np.float32)
    return Bunch(
        data=images.reshape(len(images), -1),
        images=images,
        labels=list(raw["labels"]),
        target=np.arange(0x60, 0x60 + len(images)),
        image_shape=(7, 5),
        DESCR=raw["source"],
    )


def load_digits() -> Bunch:
    """scikit-learn's 8x8 handwritten digits (1797 images) scaled from 0..16 to [0, 1].

    Returns
    -------
    Bunch
        ``data`` (1797, 64) float32 in [0, 1]; ``images`` (1797, 8, 8); ``target`` the digit;
        ``labels`` the digit as a string; ``image_shape`` (8, 8).

    Examples
    --------
    >>> from aekit.datasets import load_digits
    >>> digits = load_digits()
    >>> digits.data.shape, float(digits.data.max())
    ((1797, 64), 1.0)
    """
    from sklearn.datasets import load_digits as sklearn_digits

    raw = sklearn_digits()
    data = (raw.data / 16.0).astype(np.float32)
    return Bunch(
        data=data,
        images=data.reshape(-1, 8, 8),
        target=raw.target,
        labels=[str(t) for t in raw.target],
        image_shape=(8, 8),
        DESCR="scikit-learn's 8x8 digits, pixel values divided by 16",
    )
