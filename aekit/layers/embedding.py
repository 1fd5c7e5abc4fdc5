"""Learned embeddings for integer-coded input columns (high-cardinality categories of a table).

A flat input row may hold, in some slots, the index of a category (``-1`` where the cell is
missing) instead of numbers. :class:`EmbeddedInput` replaces each such slot by a learned
vector from its own ``nn.Embedding`` and passes the other slots through unchanged, so a
column of thousands of categories enters the network as a few dozen numbers instead of a
one-hot block as wide as its categories. A missing cell maps to a padding row that stays
zero (the same as an all-zero one-hot block).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["EmbeddedInput", "embedding_dim"]


def embedding_dim(n_categories: int) -> int:
    """The width of a category's learned vector: ``min(600, round(1.6 * n ** 0.56))``.

    The rule of thumb of fast.ai's tabular models (Howard & Gugger 2020): it grows with the
    number of categories, slower than the one-hot width, so an embedding pays off above a few
    dozen categories.

    Examples
    --------
    >>> embedding_dim(100), embedding_dim(10_000)
    (21, 278)
    """
    return int(min(600, round(1.6 * n_categories**0.56)))


class EmbeddedInput(nn.Module):
    """Replace integer-coded slots of a flat input by learned embeddings.

    Parameters
    ----------
    n_features : int
        Width of the input rows.
    embedded : sequence of (slot, n_categories, dim)
        Each integer-coded slot, how many categories it indexes (0 .. n-1; -1 is missing) and
        its embedding's width. The output holds the other slots in order, then each embedding.

    Examples
    --------
    >>> front = EmbeddedInput(3, [(1, 500, 8)])
    >>> x = torch.tensor([[0.5, 42.0, -1.0], [0.1, -1.0, 2.0]])
    >>> front(x).shape, front.out_features
    (torch.Size([2, 10]), 10)
    >>> bool(front(x)[1, 2:].abs().sum() == 0)    # a missing category is a zero vector
    True
    """

    def __init__(self, n_features: int, embedded: Sequence[Sequence[int]]):
        super().__init__()
        embedded = [tuple(int(v) for v in e) for e in embedded]
        self.slots = [slot for slot, _, _ in embedded]
        keep = [j for j in range(n_features) if j not in set(self.slots)]
        self.register_buffer("keep", torch.tensor(keep, dtype=torch.long), persistent=False)
        # row n_categories is the padding row for a missing cell: zero, and never trained
        self.tables = nn.ModuleList(nn.Embedding(n + 1, dim, padding_idx=n) for _, n, dim in embedded)
        for table in self.tables:  # N(0, 1/dim): unit-scale vectors, like a standardised column
            nn.init.normal_(table.weight, std=1.0 / math.sqrt(table.embedding_dim))
            with torch.no_grad():
                table.weight[table.padding_idx].zero_()
        self.out_features = len(keep) + sum(dim for _, _, dim in embedded)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = [x.index_select(1, self.keep)]
        for slot, table in zip(self.slots, self.tables):
            index = x[:, slot].round().long()
            parts.append(table(torch.where(index < 0, torch.full_like(index, table.padding_idx), index)))
        return torch.cat(parts, dim=1)
