"""``aekit report RUN_DIR`` and ``aekit info RUN_DIR``: look at a trained run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aekit.cli.app import app
from aekit.cli.shell import Verbose, console, friendly_errors

RunDir = Annotated[Path, typer.Argument(help="A run directory written by `aekit train`.")]


@app.command(epilog="Example:  aekit report runs/font")
@friendly_errors
def report(run_dir: RunDir, verbose: Verbose = False) -> None:
    """Write RUN_DIR/report.html: parameters, metrics, PCA baseline and every figure, in one file."""
    from aekit.recipes.rundir import write_run_report

    console.print(f"report: {write_run_report(run_dir)}")


@app.command(epilog="Example:  aekit info runs/font")
@friendly_errors
def info(run_dir: RunDir, verbose: Verbose = False) -> None:
    """Show a run's data, parameters, training length, fit time and final metrics."""
    from aekit.recipes.rundir import read_run_info

    run = read_run_info(run_dir)
    table = Table(title=str(run_dir), show_header=False, title_justify="left")
    table.add_row("data", f"{run['data']}" + (f" (first {run['samples']} samples)" if run.get("samples") else ""))
    for name, value in run["params"].items():
        table.add_row(name, str(value))
    table.add_row("trained for", str(run.get("steps", "?")))
    table.add_row("fit seconds", f"{run['seconds']:.2f}")
    for name, value in run["metrics"].items():
        table.add_row(name.replace("_", " "), f"{value:.4g}")
    console.print(table)
