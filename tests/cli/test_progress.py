"""The progress bar draws on a terminal only, and shows step, loss and validation loss."""

import io

from rich.console import Console

from aekit.cli.progress import ProgressBar


def drive(bar: ProgressBar, unit: str = "epoch") -> None:
    bar.on_train_begin({"max_iter": 3, "unit": unit, "solver": "adam"})
    for epoch in range(3):
        assert bar.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 2.0}) is None
    bar.on_train_end(None)


def test_terminal_shows_the_bar():
    out = io.StringIO()
    drive(ProgressBar("font", console=Console(file=out, force_terminal=True, width=120)))
    text = out.getvalue()
    assert "font" in text and "3/3" in text and "loss 0.3333" in text and "val 2" in text


def test_pipe_gets_nothing():
    out = io.StringIO()
    drive(ProgressBar("font", console=Console(file=out, force_terminal=False)))
    assert out.getvalue() == ""


def test_quiet_gets_nothing():
    out = io.StringIO()
    drive(ProgressBar("font", quiet=True, console=Console(file=out, force_terminal=True)))
    assert out.getvalue() == ""


def test_evaluation_checkpoints_have_no_total():
    bar = ProgressBar("powell", quiet=True)
    bar.on_train_begin({"max_iter": 200, "unit": "evaluation"})
    assert bar.progress.tasks[0].total is None
