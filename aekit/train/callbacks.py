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

import time
from collections.abc import Sequence
from typing import Any

__all__ = ["CallbackList", "TimeLimit"]


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


class TimeLimit:
    """Stop training after the first epoch that ends ``seconds`` or more after training began.

    The wall-clock budget of a benchmark or a shared job (training stops between epochs, so
    it overruns by at most one epoch); ``stopped`` says whether it had to stop the fit.

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> from aekit.train.callbacks import TimeLimit
    >>> limit = TimeLimit(0.0)
    >>> AutoencoderEstimator(max_iter=50).fit(load_font().data, callbacks=[limit]).n_iter_, limit.stopped
    (1, True)
    """

    def __init__(self, seconds: float):
        if not seconds >= 0:
            raise ValueError(f"seconds must be >= 0; got {seconds!r}")
        self.seconds = float(seconds)
        self.stopped = False
        self._start = time.perf_counter()

    def on_train_begin(self, info: dict) -> None:
        self._start, self.stopped = time.perf_counter(), False

    def on_epoch_end(self, index: int, logs: dict) -> bool:
        self.stopped = time.perf_counter() - self._start >= self.seconds
        return self.stopped
