"""What every command shares: the consoles, and turning library errors into one clear line."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from aekit.errors import AekitError

__all__ = ["console", "err_console", "friendly_errors", "Verbose", "Quiet"]

# soft_wrap: result lines stay whole (greppable) whatever the terminal width
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show the full traceback on errors.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; print only the result.")]

F = TypeVar("F", bound=Callable[..., object])


def friendly_errors(command: F) -> F:
    """Print a failing command's error as one red line and exit 1; ``--verbose`` re-raises it."""

    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return command(*args, **kwargs)
        except (AekitError, OSError, KeyError) as error:
            if kwargs.get("verbose"):
                raise
            message = error.args[0] if isinstance(error, KeyError) and error.args else error
            err_console.print(f"[bold red]error:[/] {escape(str(message))}")  # a message may hold [brackets]
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]
