"""Labelled tables for the visualisation showcase: Statlog Landsat satimage (the user's file) and wine.

Statlog (Landsat Satellite), UCI: 6,435 rows (``sat.trn`` 4,435 and ``sat.tst`` 2,000) of 36
integers 0-255 (4 spectral bands x 3x3 pixels) and a class 1-5 or 7, space separated. Loaded
from the user's file or folder; it is not shipped. scikit-learn's wine set (178 wines, 13
measurements, 3 cultivars) ships with scikit-learn and is the offline stand-in.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.errors import DatasetError

__all__ = ["SATIMAGE_CLASSES", "load_satimage", "load_wine"]

SATIMAGE_CLASSES = {1: "red soil", 2: "cotton crop", 3: "grey soil", 4: "damp grey soil",
                    5: "soil with vegetation stubble", 7: "very damp grey soil"}


def _read_sat(path: Path) -> np.ndarray:
    try:
        table = np.loadtxt(path, ndmin=2)
    except (OSError, ValueError) as error:
        raise DatasetError(f"satimage: cannot read {path} as space-separated numbers ({error}). Pass sat.trn or sat.tst.") from None
    if table.shape[1] != 37:
        raise DatasetError(f"satimage: {path} has {table.shape[1]} columns; expected 37 (36 pixel values and the class).")
    bad = sorted(set(table[:, -1].astype(int)) - set(SATIMAGE_CLASSES))
    if bad:
        raise DatasetError(f"satimage: {path} has classes {bad}; expected only {sorted(SATIMAGE_CLASSES)}.")
    return table


def load_satimage(path: str | os.PathLike | None = None) -> Bunch:
    """Statlog Landsat satimage from ``sat.trn``/``sat.tst`` or a folder holding them (both are joined).

    Returns
    -------
    Bunch
        ``data`` (n, 36) float32 in [0, 1] (values / 255); ``target`` the class number;
        ``labels`` the class names.

    Examples
    --------
    >>> from aekit.datasets import load_satimage
    >>> sat = load_satimage("~/data/satimage")  # doctest: +SKIP
    >>> sat.data.shape  # doctest: +SKIP
    (6435, 36)
    """
    if path is None:
        raise DatasetError("satimage: path is required (the set is not shipped). Fix: pass the sat.trn file or its folder.")
    root = Path(path).expanduser()
    files = [root] if root.is_file() else [root / n for n in ("sat.trn", "sat.tst") if (root / n).is_file()]
    if not files:
        raise DatasetError(f"satimage: {root} is neither sat.trn/sat.tst nor a folder holding them. Pass the UCI files.")
    table = np.concatenate([_read_sat(f) for f in files])
    target = table[:, -1].astype(np.int64)
    return Bunch(
        data=(table[:, :-1] / 255.0).astype(np.float32),
        target=target,
        labels=[SATIMAGE_CLASSES[t] for t in target],
        target_names=list(SATIMAGE_CLASSES.values()),
        DESCR=f"Statlog (Landsat Satellite) satimage from {', '.join(map(str, files))}; values / 255",
    )


def load_wine() -> Bunch:
    """scikit-learn's wine set (178 x 13, 3 cultivars), each column scaled to [0, 1].

    Examples
    --------
    >>> from aekit.datasets import load_wine
    >>> wine = load_wine()
    >>> wine.data.shape, sorted(set(wine.labels))
    ((178, 13), ['class_0', 'class_1', 'class_2'])
    """
    from sklearn.datasets import load_wine as sklearn_wine

    raw = sklearn_wine()
    low, high = raw.data.min(axis=0), raw.data.max(axis=0)
    return Bunch(
        data=((raw.data - low) / (high - low)).astype(np.float32),
        target=raw.target,
        labels=[str(raw.target_names[t]) for t in raw.target],
        target_names=list(raw.target_names),
        DESCR="scikit-learn's wine recognition set (UCI): 178 wines, 13 measurements, 3 cultivars; min-max scaled",
    )
