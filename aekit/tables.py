"""Mixed-type tables: numeric, categorical and boolean columns with missing cells.

Two pieces compose with the estimators rather than replacing them:

- :class:`TableEncoder` turns a table (a pandas DataFrame) into the float32 matrix an
  autoencoder trains on, and the network's output back into a table. Numeric columns are
  standardised with the mean and standard deviation learned in :meth:`~TableEncoder.fit`;
  categorical columns (strings, pandas categories, or integer codes named in
  ``categorical=``) are one-hot up to ``embed_above`` categories, and above it one slot
  holding the category's index, which the network turns into a learned embedding
  (:class:`aekit.layers.embedding.EmbeddedInput`); booleans are 0/1. Numeric and boolean
  columns get a missing-indicator slot beside their value (the missing value itself is
  encoded as 0); a missing category is an all-zero one-hot block, or index -1 (a zero
  embedding).
- :class:`TableObjective` is the reconstruction loss with one head per column: squared error
  of the standardised value for a numeric column, softmax cross-entropy over its categories
  for a categorical one (one logit per category, embedded or not), Bernoulli cross-entropy (from the logit) for a boolean one. Missing cells
  are masked out of the loss; the reconstruction fills them in (imputation).

:class:`~aekit.AnomalyDetector` uses both when ``fit`` gets a DataFrame with a non-numeric
column: its score is the sum of the per-column losses and ``explain`` gives them per column.

Policy for categories not seen in ``fit``: :meth:`TableEncoder.transform` raises a
DataError naming the column and the values (an unseen category cannot be scored against a
softmax that has no slot for it; map it to a known category or to a missing value, or refit).
Embedded columns make the network's input narrower than its output: the encoded matrix has
``n_encoded_`` slots, the network outputs ``n_outputs_`` logits (each column's ``out_start``
and ``out_width``). Columns with more than ``max_categories`` distinct values are refused
(10,000 by default: a column nearly as varied as the table is long, an identifier, cannot be
reconstructed from a code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from aekit.errors import DataError
from aekit.layers.embedding import embedding_dim
from aekit.losses import Objective
from aekit.models import AEOutput

__all__ = ["KINDS", "ColumnQuality", "TableColumn", "TableEncoder", "TableObjective", "column_quality", "is_mixed_table"]

KINDS = ("numeric", "categorical", "boolean")


def is_mixed_table(X: Any) -> bool:
    """True for a pandas DataFrame with at least one column that is not plain numbers."""
    columns = getattr(X, "dtypes", None)
    if columns is None or not hasattr(X, "columns") or getattr(X, "ndim", 0) != 2:
        return False
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return any(is_bool_dtype(dtype) or not is_numeric_dtype(dtype) for dtype in X.dtypes)


@dataclass
class TableColumn:
    """One fitted column: its kind, its slots in the encoded matrix and what was learned.

    ``start``/``width``: the input slots (numeric and boolean: value then missing flag;
    categorical: one per category, or one holding the category's index when ``embed_dim > 0``).
    ``out_start``/``out_width``: the network's output logits for the column (the input slots,
    except for an embedded category: one logit per category). ``dtype`` is the pandas dtype the
    column had in ``fit``, restored by :meth:`TableEncoder.decode`.
    """

    name: str
    kind: str
    dtype: str
    start: int
    width: int
    mean: float = 0.0
    std: float = 1.0
    categories: list = field(default_factory=list)
    out_start: int = -1  # -1: the same as start (and out_width as width), as before embeddings existed
    out_width: int = 0
    embed_dim: int = 0

    def __post_init__(self) -> None:
        if self.out_start < 0:
            self.out_start, self.out_width = self.start, self.width

    @property
    def embedded(self) -> bool:
        return self.embed_dim > 0

    def to_dict(self) -> dict[str, Any]:
        keys = ("name", "kind", "dtype", "start", "width", "mean", "std", "categories", "out_start", "out_width", "embed_dim")
        return {k: getattr(self, k) for k in keys}


def _plain(value: Any) -> Any:
    """A category as JSON keeps it: numpy scalars become Python ones."""
    return value.item() if isinstance(value, np.generic) else value


class TableEncoder:
    """Encode a mixed-type table for an autoencoder and decode reconstructions back.

    Parameters
    ----------
    categorical : sequence of str, default=()
        Integer-coded columns to treat as categories (string, pandas category and object
        columns are categorical anyway; other integer columns are numeric).
    max_categories : int, default=10000
        The most distinct values a categorical column may have.
    embed_above : int, default=100
        A categorical column with more distinct values than this enters the network through a
        learned embedding of :func:`~aekit.layers.embedding.embedding_dim` numbers instead of a
        one-hot block (its output is still one logit per category): 21 numbers instead of 101
        one-hot slots at 101 categories, 77 instead of 1,000 at 1,000. The default keeps every
        column of up to 100 categories one-hot, as tables were encoded before embeddings
        existed (one-hot reconstructs a little better, see docs/benchmarks.md); embeddings bound
        the encoded matrix's width, and so its memory, for the columns beyond.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"size": [1.0, 2.0, None, 4.0], "colour": ["red", "blue", "red", None],
    ...                       "ok": [True, False, True, True]})
    >>> enc = TableEncoder().fit(table)
    >>> [(c.name, c.kind, c.width) for c in enc.columns_]
    [('size', 'numeric', 2), ('colour', 'categorical', 2), ('ok', 'boolean', 2)]
    >>> enc.transform(table).shape
    (4, 6)
    >>> decoded = enc.decode(enc.transform(table))    # network outputs -> the table's columns and dtypes
    >>> bool((decoded.dtypes == table.dtypes).all()), decoded["colour"].tolist()
    (True, ['red', 'blue', 'red', 'blue'])
    """

    def __init__(self, categorical: tuple[str, ...] | list[str] = (), max_categories: int = 10_000, embed_above: int = 100):
        self.categorical = tuple(categorical)
        self.max_categories = max_categories
        self.embed_above = embed_above

    # ----------------------------------------------------------------- fit
    def fit(self, table: Any) -> TableEncoder:
        """Learn each column's kind, statistics and categories from ``table`` (a DataFrame)."""
        from pandas.api.types import is_bool_dtype, is_numeric_dtype, is_object_dtype, is_string_dtype

        table = _as_frame(table, "fit")
        unknown = [c for c in self.categorical if c not in table.columns]
        if unknown:
            raise DataError(f"categorical names columns the table lacks: {unknown}; its columns are {list(table.columns)}.")
        for name, value in (("max_categories", self.max_categories), ("embed_above", self.embed_above)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise DataError(f"{name} must be a positive integer; got {value!r}. Fix: pass a count of categories, e.g. {name}=50.")
        columns, start, out_start = [], 0, 0
        for name in table.columns:
            values = table[name]
            present = values.dropna()
            if present.empty:
                raise DataError(
                    f"Column {name!r} has no values (all {len(values)} cells are missing); nothing can be learned from it. "
                    "Fix: drop the column, or fill it."
                )
            dtype = values.dtype
            if is_bool_dtype(dtype) or (is_object_dtype(dtype) and present.map(lambda v: isinstance(v, (bool, np.bool_))).all()):
                columns.append(TableColumn(str(name), "boolean", str(dtype), start, 2, out_start=out_start, out_width=2))
            elif str(name) in self.categorical or isinstance(dtype, _category_type()) or is_object_dtype(dtype) or is_string_dtype(dtype):
                cats = sorted({_plain(v) for v in present}, key=lambda v: (type(v).__name__, v))
                if len(cats) > self.max_categories:
                    raise DataError(
                        f"Column {name!r} has {len(cats)} distinct values, above max_categories={self.max_categories}: "
                        "a column that varied (an identifier?) cannot be reconstructed from a code. "
                        "Fix: drop or bucket the column, or raise max_categories."
                    )
                if len(cats) > self.embed_above:  # one index slot in, one logit per category out
                    columns.append(TableColumn(str(name), "categorical", str(dtype), start, 1, categories=cats,
                                               out_start=out_start, out_width=len(cats), embed_dim=embedding_dim(len(cats))))
                else:
                    columns.append(TableColumn(str(name), "categorical", str(dtype), start, len(cats), categories=cats, out_start=out_start, out_width=len(cats)))
            elif is_numeric_dtype(dtype) and not np.issubdtype(np.dtype(dtype), np.complexfloating):
                x = present.to_numpy(np.float64)
                std = float(x.std())
                columns.append(TableColumn(str(name), "numeric", str(dtype), start, 2, float(x.mean()), std if std > 1e-12 else 1.0,
                                           out_start=out_start, out_width=2))
            else:
                raise DataError(
                    f"Column {name!r} has dtype {dtype}, which a table autoencoder does not understand; expected numbers, "
                    "strings or categories, or booleans. Fix: convert it (a date to a number of days, say) or drop it."
                )
            start += columns[-1].width
            out_start += columns[-1].out_width
        self.columns_ = columns
        self.n_encoded_ = start
        self.n_outputs_ = out_start
        return self

    @property
    def network_width(self) -> int:
        """The width the network's first dense layer sees: the encoded slots, each embedded index replaced by its vector."""
        return self.n_encoded_ + sum(c.embed_dim - 1 for c in self.columns_ if c.embedded)

    @property
    def embedded_inputs(self) -> tuple[tuple[int, int, int], ...]:
        """(slot, n_categories, dim) of each embedded column, as :class:`~aekit.models.ModelSpec` takes them."""
        return tuple((c.start, len(c.categories), c.embed_dim) for c in self.columns_ if c.embedded)

    # ----------------------------------------------------------- transform
    def transform(self, table: Any) -> np.ndarray:
        """The float32 matrix (n_rows, n_encoded_) of ``table``, whose columns must be the fitted ones."""
        table = _as_frame(table, "transform")
        self._check_columns(table)
        out = np.zeros((len(table), self.n_encoded_), np.float32)
        for col in self.columns_:
            values = table[col.name]
            missing = values.isna().to_numpy()
            if col.kind == "categorical":
                index = {c: i for i, c in enumerate(col.categories)}
                codes = np.array([-1 if m else index.get(_plain(v), -2) for v, m in zip(values, missing)])
                unseen = sorted({str(v) for v, c in zip(values, codes) if c == -2})
                if unseen:
                    raise DataError(
                        f"Column {col.name!r} holds categories not seen in fit: {unseen[:5]}; known: {col.categories[:10]}. "
                        "Policy: unseen categories are refused. Fix: map them to a known category or to a missing value, "
                        "or refit on data that includes them."
                    )
                if col.embedded:
                    out[:, col.start] = codes
                    continue
                rows = np.flatnonzero(codes >= 0)
                out[rows, col.start + codes[rows]] = 1.0
                continue
            if col.kind == "boolean":
                bad = [v for v in values[~missing] if not isinstance(v, (bool, np.bool_)) and v not in (0, 1)]
                if bad:
                    raise DataError(f"Column {col.name!r} is boolean but holds {bad[:3]}. Fix: pass True/False (or 1/0) there.")
                number = np.where(missing, 0.0, values.fillna(False).astype(float).to_numpy())
            else:
                try:
                    number = values.astype(float).to_numpy()
                except (TypeError, ValueError):
                    raise DataError(f"Column {col.name!r} is numeric in fit but holds values that are not numbers here. Fix: convert them.") from None
                number = np.where(missing, 0.0, (number - col.mean) / col.std)
            out[:, col.start] = number
            out[:, col.start + 1] = missing
        return out

    def _check_columns(self, table: Any) -> None:
        fitted = [c.name for c in self.columns_]
        given = [str(c) for c in table.columns]
        if given != fitted:
            lacking = [c for c in fitted if c not in given]
            extra = [c for c in given if c not in fitted]
            what = (f"lacks {lacking}" if lacking else "") + (" and " if lacking and extra else "") + (f"has extra {extra}" if extra else "")
            raise DataError(
                f"The table's columns differ from those seen in fit: it {what or 'orders them differently'}. Expected "
                f"{fitted}. Fix: pass the same columns as in fit (table[{fitted!r}])."
            )

    # -------------------------------------------------------------- decode
    def decode(self, outputs: np.ndarray, index: Any = None) -> Any:
        """A DataFrame with the fitted columns and dtypes from network outputs (logits), ``n_outputs_`` wide.

        Numeric: the value un-standardised (rounded for integer columns); categorical: the most
        likely category; boolean: True where the logit is positive.
        """
        import pandas as pd

        if outputs.ndim != 2 or outputs.shape[1] != self.n_outputs_:
            raise DataError(
                f"decode takes network outputs with {self.n_outputs_} columns (n_outputs_); got shape {outputs.shape}. "
                "Fix: pass the model's reconstructions (logits), not the encoded input."
            )
        data = {}
        for col in self.columns_:
            block = outputs[:, col.out_start : col.out_start + col.out_width]
            if col.kind == "numeric":
                values = block[:, 0].astype(np.float64) * col.std + col.mean
                data[col.name] = np.round(values).astype(col.dtype) if np.issubdtype(np.dtype(col.dtype), np.integer) else values
            elif col.kind == "boolean":
                data[col.name] = block[:, 0] > 0
            else:
                # positional, like the other columns: a Series on its own index would be re-aligned
                values = pd.Series([col.categories[i] for i in block.argmax(1)], dtype=object, index=index)
                data[col.name] = values.astype(col.dtype) if col.dtype not in ("object",) else values
        return pd.DataFrame(data, index=index)

    # ----------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state (what :func:`aekit.save` writes)."""
        return {"categorical": list(self.categorical), "max_categories": self.max_categories,
                "embed_above": self.embed_above, "columns": [c.to_dict() for c in self.columns_]}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> TableEncoder:
        # a model saved before embeddings existed has no embed_above: nothing was embedded
        enc = cls(state["categorical"], state["max_categories"], state.get("embed_above", state["max_categories"]))
        enc.columns_ = [TableColumn(**c) for c in state["columns"]]
        enc.n_encoded_ = sum(c.width for c in enc.columns_)
        enc.n_outputs_ = sum(c.out_width for c in enc.columns_)
        return enc

    def objective(self, terms: dict) -> TableObjective:
        """The per-column reconstruction loss over this encoding, plus ``terms``."""
        layout = tuple((c.kind, c.start, c.width, c.out_start, c.out_width, c.embedded) for c in self.columns_)
        return TableObjective("table", terms, {}, layout)


def _category_type() -> type:
    import pandas as pd

    return pd.CategoricalDtype


def _as_frame(table: Any, step: str) -> Any:
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise DataError(
            f"A table autoencoder takes a pandas DataFrame in {step}; got {type(table).__name__}. "
            "Fix: pd.read_csv(path), or pd.DataFrame(rows, columns=names)."
        )
    if len(table) == 0:
        raise DataError(f"The table given to {step} has no rows. Fix: check the step that loaded or filtered it.")
    return table


@dataclass(frozen=True)
class TableObjective(Objective):
    """Reconstruction loss with one head per column, missing cells masked (see the module).

    ``per_element_error`` gives one value per *column* (n, n_columns): squared z-error,
    cross-entropy of the category, or Bernoulli cross-entropy; ``per_sample_error`` their sum.
    """

    layout: tuple[tuple[str, int, int, int, int, bool], ...] = ()  # kind, start, width, out_start, out_width, embedded

    def per_element_error(self, out: AEOutput, target: torch.Tensor) -> torch.Tensor:
        parts = []
        for kind, start, width, out_start, out_width, embedded in self.layout:
            logits, goal = out.logits[:, out_start : out_start + out_width], target[:, start : start + width]
            if kind == "categorical" and embedded:  # goal: the category's index, -1 where missing
                index = goal[:, 0].round().long()
                present = index >= 0
                # log-softmax and a gather rather than F.cross_entropy: the same numbers, and an ONNX
                # graph without SoftmaxCrossEntropyLoss, whose output shape onnxruntime warns about
                picked = F.log_softmax(logits, dim=1).gather(1, index.clamp(min=0).unsqueeze(1))[:, 0]
                parts.append(-picked * present)
                continue
            if kind == "categorical":
                parts.append(-(goal * F.log_softmax(logits, dim=1)).sum(1))  # an all-zero (missing) block adds 0
                continue
            present = 1.0 - goal[:, 1]
            if kind == "numeric":
                parts.append(present * (logits[:, 0] - goal[:, 0]) ** 2)
            else:
                parts.append(present * F.binary_cross_entropy_with_logits(logits[:, 0], goal[:, 0], reduction="none"))
        return torch.stack(parts, dim=1)

    def per_sample_error(self, out: AEOutput, target: torch.Tensor) -> torch.Tensor:
        return self.per_element_error(out, target).sum(1)


@dataclass(frozen=True)
class ColumnQuality:
    """How well one column is reconstructed, on the cells that are present.

    ``metric`` is ``"rmse"`` (numeric, in the column's units, beside ``std``, the column's
    standard deviation: a model that predicts the mean scores ``rmse == std``) or
    ``"accuracy"`` (categorical and boolean, beside ``baseline``, the most frequent value's
    share).
    """

    name: str
    kind: str
    metric: str
    value: float
    baseline: float
    present: int


def column_quality(encoder: TableEncoder, table: Any, reconstruction: Any) -> list[ColumnQuality]:
    """Per-column reconstruction quality of ``reconstruction`` (a decoded table) against ``table``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "b"]})
    >>> enc = TableEncoder().fit(table)
    >>> [(q.name, q.metric, q.value) for q in column_quality(enc, table, table)]
    [('x', 'rmse', 0.0), ('c', 'accuracy', 1.0)]
    """
    out = []
    for col in encoder.columns_:
        truth, guess = table[col.name], reconstruction[col.name]
        present = truth.notna().to_numpy()
        t, g = truth[present], guess[present]
        if col.kind == "numeric":
            t, g = t.to_numpy(np.float64), g.to_numpy(np.float64)
            out.append(ColumnQuality(col.name, col.kind, "rmse", float(np.sqrt(np.mean((t - g) ** 2))), float(t.std()), int(present.sum())))
        else:
            share = float(t.value_counts(normalize=True).iloc[0])
            same = np.array([_plain(a) == _plain(b) for a, b in zip(t, g)])
            out.append(ColumnQuality(col.name, col.kind, "accuracy", float(same.mean()), share, int(present.sum())))
    return out
