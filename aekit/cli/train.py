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
    data: Annotated[Optional[str], typer.Option("--data", "-d", help="font, digits, mnist, or a .npy/.npz/.csv file (samples in rows); a CSV with text/boolean columns is a mixed-type table.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory to write (model, run.json, figures/).")] = Path("runs/model"),
    samples: Annotated[Optional[int], typer.Option(help="Train on the first N samples only.")] = None,
    checkpoint_every: Annotated[Optional[int], typer.Option(help="Checkpoint every N epochs (scipy: iterations) into OUT/checkpoints/.", rich_help_panel="Checkpoints")] = None,
    checkpoint_seconds: Annotated[Optional[float], typer.Option(help="Checkpoint after the first epoch ending T seconds after the last checkpoint.", rich_help_panel="Checkpoints")] = None,
    resume: Annotated[Optional[Path], typer.Option(help="Continue the interrupted run in RUN_DIR from its newest good checkpoint (other options: only --learning-rate and --max-iter may change).", rich_help_panel="Checkpoints", metavar="RUN_DIR")] = None,
    embed_above: Annotated[Optional[int], typer.Option(help="Mixed-type tables: a categorical column with more categories than this is embedded instead of one-hot (default 100).")] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    **options: Any,
) -> None:
    """Train an autoencoder on a dataset and write a run directory (model, history, figures).

    Under torchrun (torchrun --nproc_per_node=N -m aekit train ...) it trains data-parallel;
    only rank 0 writes.
    """
    from aekit.cli.progress import ProgressBar
    from aekit.errors import ConfigError, TrainingDivergedError
    from aekit.recipes.rundir import resume_command, train_to_directory
    from aekit.train.distributed import is_main_process

    params = given_params(AutoencoderEstimator, options)
    if resume is not None:
        command = resume_command(resume)
        data, samples, out = command["data"], command["samples"], resume
        params = {**command["params"], **params}  # e.g. a smaller --learning-rate after a divergence
        checkpoint_every = checkpoint_every or command.get("checkpoint_every")
        checkpoint_seconds = checkpoint_seconds or command.get("checkpoint_seconds")
    elif data is None:
        raise ConfigError("aekit train needs --data (a dataset name or file), or --resume RUN_DIR to continue a run. Fix: add --data font, say.")
    else:
        from aekit.datasets.tabular import load_mixed_table

        table = load_mixed_table(data)  # a CSV/Parquet file with text, category or boolean columns
        if table is not None:
            if checkpoint_every is not None or checkpoint_seconds is not None:
                raise ConfigError(
                    f"{data} is a mixed-type table; checkpoints are written for array data only. "
                    "Fix: drop --checkpoint-every/--checkpoint-seconds for this table."
                )
            from aekit.cli.tables import train_table

            if embed_above is not None:
                params["embed_above"] = embed_above
            return train_table(table, data, params, out, samples, [ProgressBar(out.name, quiet=quiet)])
    if embed_above is not None:
        raise ConfigError(f"--embed-above applies to mixed-type tables; {data} is not one. Fix: drop --embed-above.")
    bar = ProgressBar(out.name, quiet=quiet or not is_main_process())
    try:
        run = train_to_directory(
            data, params, out, callbacks=[bar], samples=samples, checkpoint_every=checkpoint_every,
            checkpoint_seconds=checkpoint_seconds, resume=resume is not None,
        )  # fmt: skip
    except TrainingDivergedError as error:
        if checkpoint_every is None and checkpoint_seconds is None and resume is None:
            raise
        smaller = f"{float(params.get('learning_rate', 1e-3)) / 10:g}"
        raise TrainingDivergedError(f"{error} On the command line: aekit train --resume {out} --learning-rate {smaller}") from None
    if not is_main_process():
        return
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
        "aekit train --data digits.npz --latent-dim 8 --noise gaussian --noise-level 0.2 --quiet  ·  "
        "aekit train --data mnist --hidden-sizes 512 --checkpoint-every 5 --out runs/m  ·  aekit train --resume runs/m"
    ),
)(friendly_errors(train))
