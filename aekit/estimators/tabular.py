"""``TableAutoencoder``: an autoencoder trained directly on a mixed-type table.

The table goes through :class:`aekit.tables.TableEncoder` (numeric columns standardised,
categories one-hot, booleans 0/1, missing cells flagged) and the loss is
:class:`aekit.tables.TableObjective` (one head per column, missing cells masked). Everything
else, the network, the training loop and every parameter, is :class:`~aekit.AutoencoderEstimator`'s.
:class:`~aekit.AnomalyDetector` uses the same two pieces when it is fitted on such a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted, check_random_state

from aekit.errors import ConfigError
from aekit.estimators.autoencoder import AutoencoderEstimator
from aekit.estimators.checks import check_feature_names
from aekit.estimators.params import Fitted, derived_init
from aekit.tables import TableEncoder

__all__ = ["TABLE_STATE", "TableAutoencoder", "check_table_loss"]

# the fitted encoder as aekit.save writes it: JSON (column kinds, statistics, categories)
TABLE_STATE = Fitted(
    "table_", lambda t: None if t is None else t.to_dict(), lambda v: None if v is None else TableEncoder.from_dict(v), optional=True
)


def check_table_loss(loss: Any) -> None:
    """A table has one loss per column; refuse another ``loss`` than the default."""
    if str(loss).lower() != "mse":
        raise ConfigError(
            f"A mixed-type table is reconstructed with one loss per column (squared error, cross-entropy), so "
            f'loss must stay "mse" (the default); got loss={loss!r}. Fix: drop loss.'
        )


class TableAutoencoder(AutoencoderEstimator):
    """An :class:`~aekit.AutoencoderEstimator` for a pandas DataFrame of mixed column types.

    Takes every parameter of AutoencoderEstimator (``loss`` must stay "mse": each column has
    its own loss), and:

    Parameters
    ----------
    embed_above : int, default=100
        A categorical column with more distinct values than this enters the network through a
        learned embedding instead of a one-hot block (see :class:`aekit.tables.TableEncoder`);
        set it to the largest number of categories to one-hot every column.

    ``transform`` gives codes, ``reconstruct`` a DataFrame with the table's columns and dtypes
    (missing cells filled in), ``reconstruction_error`` the per-row sum of the per-column losses.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"x": [1.0, 2.0, 3.0, None] * 10, "c": ["a", "b", "b", "a"] * 10})
    >>> ae = TableAutoencoder(hidden_sizes=(8,), latent_dim=2, max_iter=5, random_state=0).fit(table)
    >>> ae.transform(table).shape, list(ae.reconstruct(table).columns)
    ((40, 2), ['x', 'c'])
    """

    __init__ = derived_init(AutoencoderEstimator, own={"embed_above": (100, "int")}, overrides={})
    FITTED_STATE = (*AutoencoderEstimator.FITTED_STATE, TABLE_STATE)

    def fit(self, X: Any, y: Any = None, *, callbacks: Sequence[Any] | None = None) -> TableAutoencoder:
        """Learn the encoding of the table X (a DataFrame) and train on it. ``y`` is ignored."""
        check_table_loss(self.loss)
        table = TableEncoder(embed_above=self.embed_above).fit(X)
        check_feature_names(self, X, reset=True)
        self.table_ = table
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        return self._fit(SimpleNamespace(**self.get_params(deep=False), table_=table), table.transform(X), seed, callbacks=callbacks)

    def _check_X(self, X: Any, name: str = "X") -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.table_.transform(X)

    def reconstruct(self, X: Any) -> Any:
        """A DataFrame with X's columns and dtypes: each cell as the model reconstructs it."""
        return self.table_.decode(super().reconstruct(X), index=X.index)

    def inverse_transform(self, X: Any) -> Any:
        """Decode codes (n_samples, latent_dim) into a DataFrame with the table's columns and dtypes."""
        return self.table_.decode(super().inverse_transform(X))
