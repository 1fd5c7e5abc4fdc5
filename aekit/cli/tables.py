"""Mixed-type tables on the command line: ``aekit train --data table.csv`` and the per-column report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aekit.cli.shell import console


def print_column_quality(quality: list) -> None:
    """How well each column is reconstructed (present cells only), as a table on the console."""
    from rich.table import Table

    report = Table(title="reconstruction per column", title_justify="left")
    for heading in ("column", "kind", "reconstruction", "baseline", "cells"):
        report.add_column(heading)
    for q in quality:
        if q.metric == "rmse":
            value, base = f"rmse {q.value:.4g}", f"std {q.baseline:.4g}"
        else:
            value, base = f"accuracy {q.value:.1%}", f"mode {q.baseline:.1%}"
        report.add_row(q.name, q.kind, value, base, str(q.present))
    console.print(report)


def train_table(table: Any, data: str, params: dict[str, Any], out: Path, samples: int | None, callbacks: list) -> None:
    """Train a TableAutoencoder on ``table``, write its run directory and print each column's quality."""
    from aekit.recipes.rundir import train_table_to_directory

    run = train_table_to_directory(table, data, params, out, callbacks=callbacks, samples=samples)
    estimator = run.estimator
    print_column_quality(run.quality)
    console.print(
        f"trained {estimator.n_iter_} {estimator.history_.unit}s in {estimator.fit_seconds_:.1f} s on a mixed-type table "
        f"({len(run.quality)} columns); wrote {out}/ (model, run.json, columns.json); next: aekit report {out}"
    )
