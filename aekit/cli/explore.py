"""``aekit explore``: serve the latent explorer for a trained run (needs ``pip install aekit[web]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aekit.cli.app import app
from aekit.cli.shell import Verbose, friendly_errors


@app.command(
    epilog=(
        "Examples:  aekit explore runs/font  ·  aekit explore runs/mnist --port 8800 --no-browser  ·  "
        "aekit explore detector/ --data test.csv"
    ),
)
@friendly_errors
def explore(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (aekit train, a recipe) or a saved model with --data.")],
    data: Annotated[Optional[str], typer.Option("--data", "-d", help="Data to show (same spec as train); default: the run's training rows.")] = None,
    port: Annotated[int, typer.Option(help="Port to serve on (0: any free one).")] = 8765,
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback serves the model to the network.")] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the URL only; do not open a browser.")] = False,
    projection: Annotated[str, typer.Option(help="Codes wider than 3-D: auto (PCA), pca or tsne.")] = "auto",
    max_points: Annotated[int, typer.Option(help="At most this many samples on the map (a random subsample beyond).")] = 5000,
    verbose: Verbose = False,
) -> None:
    """Serve a page to look inside a trained model: the latent map, reconstructions, decoding, interpolation."""
    from aekit.web import explore as serve_explorer, require_web

    require_web()  # before loading anything: one line naming the install command
    estimator, dataset = _model_and_data(run_dir, data)
    serve_explorer(
        estimator, dataset.data, dataset.labels, image_shape=dataset.get("image_shape"),
        feature_names=dataset.get("feature_names"), projection=projection, max_points=max_points,
        host=host, port=port, open_browser=not no_browser,
    )


def _model_and_data(run_dir: Path, data: str | None):
    """The run's model and data (``--data``, else the run's own rows); a bare saved model needs ``--data``."""
    from aekit import load
    from aekit.datasets import first_samples, load_dataset
    from aekit.errors import ConfigError
    from aekit.recipes.rundir import RUN_FILE, read_run_info

    if data is None and not (run_dir / RUN_FILE).is_file() and (run_dir / "config.json").is_file():
        raise ConfigError(f"{run_dir} is a saved model without {RUN_FILE}, so its data is unknown. Fix: pass --data SPEC.")
    if data is not None:
        return load(run_dir), first_samples(load_dataset(data))
    info = read_run_info(run_dir)
    return load(run_dir), first_samples(load_dataset(info["data"]), info.get("samples"))
