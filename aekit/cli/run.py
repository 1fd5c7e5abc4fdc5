"""``aekit run RECIPE``: reproduce an experiment from a TOML recipe and write its report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aekit.cli.app import app
from aekit.cli.shell import Quiet, Verbose, console, friendly_errors


@app.command(
    epilog="Examples:  aekit run font-2d  ·  aekit run my-recipe.toml --out results  ·  aekit run digits-3d --smoke  ·  "
    "aekit run mnist-deep --checkpoint-every 5, then after an interruption: aekit run mnist-deep --resume",
)
@friendly_errors
def run(
    recipe: Annotated[str, typer.Argument(help="A recipe .toml file, or a recipe's name (./recipes/NAME.toml, else a built-in one).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Parent directory of the run: <out>/<recipe name>/.")] = Path("runs"),
    smoke: Annotated[bool, typer.Option(help="Tiny budget from the recipe's [smoke] table: checks the pipeline in seconds.")] = False,
    checkpoint_every: Annotated[Optional[int], typer.Option(help="Checkpoint each run every N epochs into <out>/<name>/checkpoints/<run>/.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run of this recipe: finished runs are reused, the others resume from their newest good checkpoint.")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="Folder holding the recipe's dataset (e.g. Chars74K, CIFAR-10); without it a recipe may run on its stand-in, as its report says.")] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Run a recipe: train its runs, evaluate them and write <out>/<name>/report.html."""
    from aekit.cli.progress import ProgressBar
    from aekit.recipes import find_recipe, run_recipe
    from aekit.train.distributed import is_main_process

    quiet = quiet or not is_main_process()  # under torchrun rank 0 alone shows progress and results
    result = run_recipe(
        find_recipe(recipe), out, smoke=smoke, data_dir=data, callbacks_for=lambda name: [ProgressBar(name, quiet=quiet)],
        checkpoint_every=checkpoint_every, resume=resume,
    )  # fmt: skip
    if not is_main_process():
        return
    for name, run_result in result.runs.items():
        console.print(f"{name}: {run_result.error.describe()} ({run_result.seconds:.1f} s)")
    console.print(f"report: {result.report_path} ({result.seconds:.1f} s in all)")
