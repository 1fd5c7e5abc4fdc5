"""The ``aekit`` command line: a Typer app, one module per command group, each thin.

``app.py`` holds the app; each command module registers its commands on it, and importing
this package imports them all.
"""

from __future__ import annotations

# each module registers its commands; the import order is the order `aekit --help` lists them in
from aekit.cli import demo, model, run, runs, train, detect, hash, export  # noqa: F401,I001
from aekit.cli import explore  # noqa: F401,E402  (the latent explorer; needs the web extra only when run)
from aekit.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``aekit`` console script."""
    app()
