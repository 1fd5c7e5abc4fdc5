"""``aekit train``: one estimator, its flags one to one with AutoencoderEstimator's parameters.

The flags are derived from the estimator's signature and docstring (:mod:`aekit.cli.options`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from aekit.cli.app import app
from aekit.cli.options import given_params, with_options
from aekit.cli.shell import Quiet, Verbose, console, friendly_errors
from aekit.estimators import AutoencoderEstimator

# the first parameter of each help panel
PANELS = {"hidden_sizes": "Architecture", "loss": "Objective and corruption", "solver": "Training"}


def train(
    data: Annotated[str, typer.Option("--data", "-d", help="font, digits, mnist, or a .npy/.npz/.csv file (samples in rows); a CSV with text/boolean columns is a mixed-type table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory to write (model, run.json, figures/).")] = Path("runs/model"),
    samples: Annotated[Optional[int], typer.Option(help="Train on the first N samples only.")] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    **options: Any,
) -> None:
    """Train an autoencoder on a dataset and write a run directory (model, history, figures)."""
    from aekit.cli.progress import ProgressBar
    from aekit.recipes.rundir import train_to_directory

    params = given_params(AutoencoderEstimator, options)
    from aekit.datasets.tabular import load_mixed_table

    table = load_mixed_table(data)  # a CSV/Parquet file with text, category or boolean columns
    if table is not None:
        from aekit.cli.tables import train_table

        return train_table(table, data, params, out, samples, [ProgressBar(out.name, quiet=quiet)])
    run = train_to_directory(data, params, out, callbacks=[ProgressBar(out.name, quiet=quiet)], samples=samples)
    result = run.result
    console.print(
        f"trained {len(result.history.loss)} {result.history.unit}s in {result.seconds:.1f} s; {result.error.describe()}\n"
        f"wrote {out}/ (model, run.json, {len(run.figures)} figures); next: aekit report {out}"
    )


train = with_options(train, AutoencoderEstimator, PANELS, before="quiet")
app.command(
    epilog=(
        "Examples:  aekit train --data font --hidden-sizes 20 --latent-dim 2 --activation tanh "
        "--loss bce --solver l-bfgs-b --max-iter 300 --out runs/font  ·  "
        "aekit train --data digits.npz --latent-dim 8 --noise gaussian --noise-level 0.2 --quiet"
    ),
)(friendly_errors(train))
