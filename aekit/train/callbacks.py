"""Callbacks: objects the loop notifies; any method may be left out.

- ``on_train_begin(info: dict)``: ``info`` has ``solver``, ``unit`` ("epoch"/"iteration")
  and ``max_iter``.
- ``on_epoch_end(index: int, logs: dict) -> bool | None``: after each epoch (or scipy
  iteration); ``logs`` has ``loss``, ``val_loss`` (when there is a validation split), the
  weighted terms, ``seconds`` and (mini-batch solvers) the epoch's ``learning_rate``.
  Returning True stops training.
- ``on_train_end(history)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["CallbackList"]


class CallbackList:
    """Dispatch to the callbacks that define each hook."""

    def __init__(self, callbacks: Sequence[Any] | None):
        self.callbacks = list(callbacks or [])

    def train_begin(self, info: dict) -> None:
        for cb in self.callbacks:
            if hasattr(cb, "on_train_begin"):
                cb.on_train_begin(info)

    def epoch_end(self, index: int, logs: dict) -> bool:
        stop = False
        for cb in self.callbacks:
            if hasattr(cb, "on_epoch_end"):
                stop = bool(cb.on_epoch_end(index, logs)) or stop
        return stop

    def train_end(self, history: Any) -> None:
        for cb in self.callbacks:
            if hasattr(cb, "on_train_end"):
                cb.on_train_end(history)
