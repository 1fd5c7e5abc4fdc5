"""A training callback that draws a rich progress bar: epoch, loss, validation loss, time left."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

__all__ = ["ProgressBar"]


class ProgressBar:
    """Callback for ``fit(callbacks=[...])``; silent when ``quiet`` or when output is not a terminal.

    Examples
    --------
    >>> from aekit.cli.progress import ProgressBar
    >>> bar = ProgressBar("demo", quiet=True)
    >>> bar.on_train_begin({"max_iter": 2}); bar.on_epoch_end(0, {"loss": 1.0}); bar.on_train_end(None)
    """

    def __init__(self, description: str = "training", *, quiet: bool = False, console: Console | None = None):
        self.description = description
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}  loss {task.fields[loss]}  val {task.fields[val_loss]}"),
            TimeRemainingColumn(),
            console=console,
            # a bar redrawn into a pipe or a log file is noise: draw only on a terminal
            disable=quiet or not (console or Console()).is_terminal,
            transient=False,
        )
        self.task: int | None = None

    def on_train_begin(self, info: dict) -> None:
        """Start the bar; ``info`` gives the planned number of steps (``max_iter``) and their unit."""
        # Powell and Nelder-Mead report "evaluation" checkpoints, not max_iter steps: no total
        total = None if info.get("unit") == "evaluation" else info.get("max_iter")
        self.progress.start()
        self.task = self.progress.add_task(
            self.description, total=total, unit=info.get("unit", "epoch"), loss="—", val_loss="—"
        )

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """Advance one step and show the latest losses."""
        if self.task is None:
            return
        val = logs.get("val_loss")
        self.progress.update(
            self.task,
            completed=epoch + 1,
            loss=f"{logs.get('loss', float('nan')):.4g}",
            val_loss="—" if val is None else f"{val:.4g}",
        )

    def on_train_end(self, history: object) -> None:
        """Stop the bar (it stays on screen at its final state)."""
        self.progress.stop()
