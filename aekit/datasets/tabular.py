"""Tabular files: CSV, NumPy ``.npy``/``.npz`` and MATLAB ``.mat`` (the ODDS ``X``/``y`` format).

Features must be numeric; an optional scaling is fitted on the training rows only, so the
held-out rows are transformed with statistics they did not contribute to.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.errors import DatasetError, check_choice

__all__ = ["TABULAR_SUFFIXES", "load_mixed_table", "load_tabular"]

TABULAR_SUFFIXES = (".csv", ".npy", ".npz", ".mat")
_DATA_KEYS = ("X", "data", "x")
_TARGET_KEYS = ("y", "target", "Y")


def _as_number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _read_csv(path: Path) -> tuple[np.ndarray, list[str], np.ndarray, bool]:
    """Floats (NaN where a cell is not a number), column names, the cells, header present."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if row]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(
            f"{path} is not a readable CSV file ({exc}); expected UTF-8 text with "
            "comma-separated numbers. Export the table again as CSV."
        ) from exc
    if not rows:
        raise DatasetError(f"{path} holds no rows; expected a header and numeric rows.")
    header_given = any(_as_number(cell) is None for cell in rows[0])
    names = [c.strip() for c in rows[0]] if header_given else [str(i) for i in range(len(rows[0]))]
    body = rows[1:] if header_given else rows
    if not body:
        raise DatasetError(f"{path} has a header but no data rows; expected numeric rows below it.")
    width = len(names)
    values = np.empty((len(body), width), dtype=np.float64)
    cells: list[list[str]] = []
    for i, row in enumerate(body):
        if len(row) != width:
            line = i + 1 + header_given
            raise DatasetError(
                f"{path} line {line} has {len(row)} fields but the first row has {width}; "
                "every row needs the same number of comma-separated fields. Fix that line."
            )
        numbers = [_as_number(cell) for cell in row]
        values[i] = [np.nan if v is None else v for v in numbers]
        cells.append(row)
    values_text = np.asarray(cells, dtype=object)
    return values, names, values_text, header_given


def _column_index(names: list[str], column: str | int, path: Path) -> int:
    if isinstance(column, int) and -len(names) <= column < len(names):
        return column % len(names)
    if column in names:
        return names.index(column)
    raise DatasetError(f"{path} has no column {column!r}; its columns are {names}.")


def _from_csv(path: Path, target: str | int | None) -> tuple[np.ndarray, np.ndarray | None, list]:
    values, names, text, header_given = _read_csv(path)
    target_array = None
    keep = list(range(len(names)))
    if target is not None:
        t = _column_index(names, target, path)
        keep.remove(t)
        column = values[:, t]
        target_array = text[:, t].astype(str) if np.isnan(column).any() else column
    for j in keep:
        bad = np.flatnonzero(np.isnan(values[:, j]) & ~_is_nan_text(text[:, j]))
        if len(bad):
            line = int(bad[0]) + 1 + header_given
            raise DatasetError(
                f"{path} column {names[j]!r} is not numeric: line {line} holds "
                f"{text[bad[0], j]!r}. Expected numbers only in feature columns; drop or encode "
                f"that column, or pass target={names[j]!r} if it holds the labels."
            )
    return values[:, keep], target_array, [names[j] for j in keep]


def _is_nan_text(cells: np.ndarray) -> np.ndarray:
    return np.array([c.strip().lower() == "nan" for c in cells], dtype=bool)


def _pick(arrays: dict, keys: tuple[str, ...], wanted: str | None, path: Path, what: str):
    if wanted is not None:
        if wanted not in arrays:
            raise DatasetError(f"{path} has no array {wanted!r}; it holds {sorted(arrays)}.")
        return arrays[wanted]
    for key in keys:
        if key in arrays:
            return arrays[key]
    if what == "data" and len(arrays) == 1:
        return next(iter(arrays.values()))
    if what == "data":
        raise DatasetError(
            f"{path} holds the arrays {sorted(arrays)}; expected the features under one of "
            f"{list(keys)} (and optionally the targets under 'y'). Rename them."
        )
    return None


def _read_mat(path: Path) -> dict:
    with open(path, "rb") as f:
        head = f.read(128)
    if b"MATLAB 7.3" in head[:116] or head[:8] == b"\x89HDF\r\n\x1a\n":
        try:
            import h5py
        except ImportError:
            raise DatasetError(
                f"{path} is a MATLAB v7.3 (HDF5) file, which scipy cannot read; install h5py "
                "(pip install h5py) or save it again in MATLAB with save(..., '-v7')."
            ) from None
        with h5py.File(path, "r") as f:  # MATLAB stores matrices transposed in HDF5
            return {k: np.asarray(v).T for k, v in f.items() if isinstance(v, h5py.Dataset)}
    from scipy.io import loadmat

    return {k: v for k, v in loadmat(path).items() if not k.startswith("__")}


def _read_arrays(path: Path, suffix: str) -> dict:
    if suffix == ".npy":
        return {"X": np.load(path, allow_pickle=False)}
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            return {k: archive[k] for k in archive.files}
    return _read_mat(path)


def _numeric(array: np.ndarray, path: Path, what: str) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise DatasetError(
            f"{path}: the {what} array has dtype {array.dtype}, expected numbers (int or float). "
            "Convert it to a numeric array before saving."
        )
    return array


def _from_arrays(path: Path, suffix: str, target: str | int | None):
    try:
        arrays = _read_arrays(path, suffix)
    except DatasetError:
        raise
    except Exception as exc:  # untrusted bytes: numpy/scipy raise many kinds
        raise DatasetError(
            f"{path} is not a valid {suffix} file ({type(exc).__name__}: {exc}); the file is "
            f"corrupt or not {suffix}. Save it again."
        ) from exc
    target_array = None
    if isinstance(target, int):
        data = _numeric(_pick(arrays, _DATA_KEYS, None, path, "data"), path, "data")
        if data.ndim != 2 or not -data.shape[1] <= target < data.shape[1]:
            raise DatasetError(f"{path}: target={target} is not a column of data {data.shape}.")
        target_array = data[:, target]
        data = np.delete(data, target, axis=1)
    else:
        data = _numeric(_pick(arrays, _DATA_KEYS, None, path, "data"), path, "data")
        found = _pick(arrays, _TARGET_KEYS, target, path, "target")
        if found is not None:
            target_array = np.asarray(found).reshape(len(found), -1).squeeze(-1)
            if target_array.ndim != 1 or len(target_array) != len(data):
                raise DatasetError(
                    f"{path}: the target has shape {np.shape(found)} but data has {data.shape}; "
                    "expected one target per row."
                )
    return data, target_array, None


def load_tabular(
    path: str | os.PathLike,
    target: str | int | None = None,
    scale: str | None = None,
    test_size: float | None = None,
    random_state: int | None = None,
) -> Bunch:
    """Load a numeric table from a ``.csv``, ``.npy``, ``.npz`` or ``.mat`` file.

    Parameters
    ----------
    path : path
        The file; its suffix chooses the reader. A CSV's first row is a header when any of
        its cells is not a number.
    target : str or int, optional
        The column (CSV name or index; ``.npy`` index) or array (``.npz``/``.mat`` key) that
        holds the targets. ``.npz``/``.mat`` files default to the array ``y`` when present
        (the ODDS format: ``X`` features, ``y`` 1 for an outlier).
    scale : {None, "standard", "minmax"}
        Standardise each feature (zero mean, unit variance) or map it to [0, 1], with
        statistics of the training rows only.
    test_size : float, optional
        Fraction of rows, drawn at random, held out as ``data_test``/``target_test``.
    random_state : int, optional
        Seed of the train/test draw.

    Returns
    -------
    Bunch
        ``data`` (n, features) float32 (the training rows), ``target`` where given,
        ``feature_names``; ``data_test``/``target_test`` with ``test_size``; ``scaler`` the
        fitted scikit-learn scaler with ``scale``. Arrays with more than two dimensions
        (n, height, width[, channels]) are flattened and also returned as ``images`` with
        ``image_shape``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from aekit.datasets import load_tabular
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("a,b,label\\n1,10,0\\n2,20,1\\n3,30,0\\n")
    >>> table = load_tabular(path, target="label", scale="minmax")
    >>> table.data.tolist(), table.target.tolist(), table.feature_names
    ([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]], [0.0, 1.0, 0.0], ['a', 'b'])
    """
    path = Path(path)
    suffix = path.suffix.lower()
    check_choice("file suffix", suffix, TABULAR_SUFFIXES)
    scale = None if scale is None else check_choice("scale", scale, ["standard", "minmax"])
    if test_size is not None and not 0 < test_size < 1:
        raise DatasetError(f"test_size must be a fraction in (0, 1); got {test_size!r}.")
    try:
        if path.stat().st_size == 0:
            raise DatasetError(f"{path} is empty (0 bytes); expected a {suffix} table.")
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}. Check the path.") from exc
    if suffix == ".csv":
        data, target_array, names = _from_csv(path, target)
    else:
        data, target_array, names = _from_arrays(path, suffix, target)
    return _finish(path, data, target_array, names, scale, test_size, random_state)


def _finish(path, data, target, names, scale, test_size, random_state) -> Bunch:
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim == 0 or len(data) == 0 or data[0].size == 0:
        raise DatasetError(f"{path} holds data of shape {data.shape}; expected (n, features).")
    image_shape = tuple(data.shape[1:]) if data.ndim > 2 else None
    data = data.reshape(len(data), -1).astype(np.float32)
    bunch = Bunch(feature_names=names or [str(i) for i in range(data.shape[1])])
    if image_shape is not None:
        bunch.image_shape = image_shape
    test = None
    if test_size is not None:
        order = np.random.default_rng(random_state).permutation(len(data))
        n_test = max(1, int(round(test_size * len(data))))
        if n_test >= len(data):
            raise DatasetError(f"test_size={test_size} leaves no training rows of {len(data)}.")
        test, train = order[:n_test], order[n_test:]
        bunch.data_test, data = data[test], data[train]
        if target is not None:
            bunch.target_test, target = target[test], target[train]
    if scale is not None:
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        scaler = (StandardScaler if scale == "standard" else MinMaxScaler)().fit(data)
        data = scaler.transform(data).astype(np.float32)
        if test is not None:
            bunch.data_test = scaler.transform(bunch.data_test).astype(np.float32)
        bunch.scaler = scaler
    bunch.data = data
    if image_shape is not None:
        bunch.images = data.reshape(len(data), *image_shape)
    if target is not None:
        bunch.target = target
    bunch.DESCR = f"{path.name}: {data.shape[0]} rows x {data.shape[1]} features"
    return bunch


def load_mixed_table(path: str | os.PathLike, categorical: tuple[str, ...] | list[str] = (), always: bool = False):
    """A CSV (or Parquet) file with non-numeric columns as a pandas DataFrame, else None.

    None when the file is missing, of another kind, or all numbers: :func:`load_tabular` reads
    (and words the errors for) those. Strings and categories stay as they are, ``True``/``False``
    columns become booleans and empty cells missing values, for :class:`aekit.tables.TableEncoder`.
    ``categorical`` names integer-coded columns to read as categories (a table then even when
    every column holds numbers); ``always``: the DataFrame even when all columns are numbers
    (to score with a model fitted on a table). Needs pandas (``pip install "aekit[tables]"``).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet") or not path.is_file():
        return None
    try:
        import pandas as pd
        from pandas.api.types import is_bool_dtype, is_numeric_dtype
    except ImportError:
        if suffix == ".parquet":
            raise DatasetError(f"Reading {path} needs pandas. Fix: pip install \"aekit[tables]\".") from None
        return None
    try:
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except (ValueError, ImportError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        if suffix == ".csv":
            return None  # load_tabular words the error
        raise DatasetError(f"{path} cannot be read as a Parquet table ({exc}). Fix: pip install pyarrow, or export it as CSV.") from None
    unknown = [c for c in categorical if c not in table.columns]
    if unknown:
        raise DatasetError(f"{path} has no column {unknown[0]!r} (named as categorical); its columns are {list(table.columns)}.")
    for column in categorical:
        table[column] = table[column].astype("category")
    mixed = any(is_bool_dtype(t) or not is_numeric_dtype(t) for t in table.dtypes)
    return table if mixed or always else None
