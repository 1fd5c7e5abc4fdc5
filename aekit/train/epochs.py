"""What both training drivers share around their steps: history, callbacks, clock, stop reason.

The mini-batch loop and the scipy driver each open one :class:`TrainingRun`, report every
epoch (or scipy iteration) to it and close it; neither builds a History, a logs dict or a
stop reason of its own. Whatever must outlive a step belongs here, which makes it the place
where saving and restoring a run's state (checkpoints, resuming) attaches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from aekit.train.callbacks import CallbackList
from aekit.train.history import History

__all__ = ["TrainingRun"]


class TrainingRun:
    """One run of a training driver: its :class:`History`, callbacks, clock and stop reason.

    Creating it tells the callbacks that training begins and starts the clock; each
    :meth:`end_epoch` records an entry and passes the callbacks its logs; :meth:`finish`
    tells them training ended. ``unit`` is what one entry is ("epoch", "iteration" or
    "evaluation").

    Examples
    --------
    >>> run = TrainingRun("adam", "epoch", max_iter=2, callbacks=None)
    >>> run.end_epoch(0.5, {"reconstruction": 0.5}, learning_rate=1e-3)
    False
    >>> history = run.finish("max_iter")
    >>> history.loss, history.stop_reason
    ([0.5], 'max_iter')
    """

    def __init__(self, solver: str, unit: str, max_iter: int, callbacks: Sequence[Any] | None):
        self.history = History(unit=unit, solver=solver)
        self.callbacks = CallbackList(callbacks)
        self.callbacks.train_begin({"solver": solver, "unit": unit, "max_iter": max_iter})
        self.start = time.perf_counter()

    def resume(self, history: History) -> None:
        """Continue a checkpointed run: its history so far, and the clock where it stopped."""
        history.stop_reason = ""
        self.history = history
        if history.seconds:
            self.start = time.perf_counter() - history.seconds[-1]

    def stop(self, reason: str) -> None:
        self.history.stop_reason = reason

    def end_epoch(
        self,
        loss: float,
        terms: dict[str, float],
        *,
        val_loss: float | None = None,
        evaluations: int | None = None,
        **logs: float,
    ) -> bool:
        """Record one entry and pass it to the callbacks; True (stop reason "callback") when one asks to stop.

        ``logs`` are extra values for the callbacks only (the mini-batch loop's learning rate).
        """
        index = len(self.history)
        self.history.record(loss, terms, time.perf_counter() - self.start, val_loss, evaluations)
        entry = {"loss": loss, **terms, "seconds": self.history.seconds[-1], **logs}
        if val_loss is not None:
            entry["val_loss"] = val_loss
        if self.callbacks.epoch_end(index, entry):
            self.stop("callback")
            return True
        return False

    def finish(self, reason: str = "") -> History:
        """End the run (``reason`` is the stop reason unless one was recorded) and return its history."""
        if not self.history.stop_reason:
            self.stop(reason)
        self.callbacks.train_end(self.history)
        return self.history
