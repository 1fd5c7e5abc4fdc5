"""The ``aekit`` command line: a Typer app, one module per command group, each thin."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="aekit",
    help="Autoencoders in one command: train, encode, generate, and reproduce the classic experiments.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _group() -> None:
    """Autoencoders in one command. Run `aekit COMMAND -h` for a command's options and examples."""


def main() -> None:
    """Entry point of the ``aekit`` console script."""
    app()


from aekit.cli import demo  # noqa: E402,F401  (registers the command)
from aekit.cli import model, run, runs, train  # noqa: E402,F401  (register their commands)
from aekit.cli import detect, hash  # noqa: E402,F401  (registers the commands)
