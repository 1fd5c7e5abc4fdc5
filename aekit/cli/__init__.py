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


def main() -> None:
    """Entry point of the ``aekit`` console script."""
    app()
