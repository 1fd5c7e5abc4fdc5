"""The ``aekit`` command line: a Typer app, one module per command group, each thin.

``app.py`` holds the app; each command module registers its commands on it, and importing
this package imports them all.
"""

from __future__ import annotations

# each module registers its commands; the import order is the order `aekit --help` lists them in
from aekit.cli import demo, model, run, runs, train, detect, hash, export  # noqa: F401,I001
from aekit.cli import explore  # noqa: F401,E402  (the latent explorer; needs the web extra only when run)
from aekit.cli.app import app

__all__ = ["app", "main", "refuse_repeated_options"]


def main() -> None:
    """Entry point of the ``aekit`` console script."""
    import sys

    from aekit.errors import ConfigError

    try:
        refuse_repeated_options(sys.argv[1:])
    except ConfigError as error:
        from rich.markup import escape

        from aekit.cli.shell import err_console

        err_console.print(f"[bold red]error:[/] {escape(str(error))}")
        sys.exit(2)  # a usage error, as Click's own
    app()


def refuse_repeated_options(args: list[str]) -> None:
    """Refuse a single-value option of the command given more than once (a ConfigError).

    Click keeps the last of a repeated option, so ``--hidden-sizes 20 --hidden-sizes 10`` would
    silently train ``hidden_sizes=(10,)``. Options declared ``multiple`` (``--categorical``)
    and switches (``--quiet``) may repeat.

    Examples
    --------
    >>> refuse_repeated_options(["train", "--data", "font", "--hidden-sizes", "20,10"])
    >>> refuse_repeated_options(["train", "--hidden-sizes", "20", "--hidden-sizes=10"])
    Traceback (most recent call last):
    ...
    aekit.errors.ConfigError: --hidden-sizes is given 2 times; it takes one value, and only the last would count. Fix: give it once (a list is one comma-separated value, as in --hidden-sizes 20,10).
    """
    import typer

    from aekit.errors import ConfigError

    def options(command) -> list:  # Typer's parameters (it carries its own copy of Click's classes)
        return [p for p in command.params if getattr(p, "param_type_name", "") == "option"]

    group = typer.main.get_command(app)
    takes_value = {o for p in options(group) if not p.is_flag for o in p.opts}
    position = 0
    while position < len(args) and args[position].startswith("-"):  # the group's own options (--threads 2)
        position += 2 if args[position] in takes_value else 1
    command = group.commands.get(args[position]) if position < len(args) else None
    if command is None:
        return  # no command, or one Click will name as unknown
    given = args[position + 1 :]
    given = given[: given.index("--")] if "--" in given else given  # after "--", arguments only
    names = [a.split("=", 1)[0] for a in given if a.startswith("-")]
    for param in options(command):
        if param.multiple or param.count or param.is_flag:  # a repeated switch loses nothing
            continue
        times = sum(n in (*param.opts, *param.secondary_opts) for n in names)
        if times > 1:
            flag = max(param.opts, key=len)
            raise ConfigError(
                f"{flag} is given {times} times; it takes one value, and only the last would count. "
                "Fix: give it once (a list is one comma-separated value, as in --hidden-sizes 20,10)."
            )
