"""``aekit encode``, ``aekit reconstruct`` and ``aekit generate``: use a trained model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from aekit.cli.app import app
from aekit.cli.shell import Verbose, console, friendly_errors
from aekit.errors import ConfigError

RunDir = Annotated[Path, typer.Argument(help="A run directory written by `aekit train`.")]
Data = Annotated[Optional[str], typer.Option("--data", "-d", help="Data to use (same spec as train); default: the run's training rows.")]


def _model_and_data(run_dir: Path, data: str | None):
    """The run's model, and ``data`` or else the run's own training rows."""
    from aekit import load
    from aekit.datasets import first_samples, load_dataset
    from aekit.recipes.rundir import read_run_info

    info = read_run_info(run_dir)
    if data is not None:
        return load(run_dir), first_samples(load_dataset(data))
    return load(run_dir), first_samples(load_dataset(info["data"]), info.get("samples"))


def _apply(run_dir: Path, data: str | None, method: str, out: Path):
    """Apply the model's ``method`` (transform, reconstruct) to every sample; write the rows to ``out``."""
    estimator, dataset = _model_and_data(run_dir, data)
    rows = getattr(estimator, method)(dataset.data)
    _write_array(rows, out)
    return dataset, rows


def _write_array(values: np.ndarray, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        np.savetxt(out, values, delimiter=",", fmt="%.6g")
    elif out.suffix.lower() == ".npy":
        np.save(out, values)
    else:
        raise ConfigError(f"--out must end in .npy or .csv; got {str(out)!r}.")


@app.command(epilog="Examples:  aekit encode runs/font --out codes.csv  ·  aekit encode runs/font --data new.npy --out codes.npy")
@friendly_errors
def encode(
    run_dir: RunDir,
    out: Annotated[Path, typer.Option("--out", "-o", help="Codes file: .npy or .csv.")] = Path("codes.npy"),
    data: Data = None,
    verbose: Verbose = False,
) -> None:
    """Write the codes of every sample: one row per sample, one column per latent dimension."""
    _, codes = _apply(run_dir, data, "transform", out)
    console.print(f"wrote {out}: {codes.shape[0]} codes of size {codes.shape[1]}")


@app.command(epilog="Example:  aekit reconstruct runs/font --out recon.npy --png recon.png")
@friendly_errors
def reconstruct(
    run_dir: RunDir,
    out: Annotated[Path, typer.Option("--out", "-o", help="Reconstructions file: .npy or .csv.")] = Path("reconstructions.npy"),
    data: Data = None,
    png: Annotated[Optional[Path], typer.Option(help="Also draw input | output for the first --n images.")] = None,
    n: Annotated[int, typer.Option(help="Images in the --png grid.")] = 16,
    verbose: Verbose = False,
) -> None:
    """Write the model's reconstruction of every sample (and optionally an input | output picture)."""
    from aekit.plots import plot_image_grid

    dataset, output = _apply(run_dir, data, "reconstruct", out)
    if png is not None:
        if not dataset.get("image_shape"):
            raise ConfigError("--png needs image data; this data has no image shape.")
        labels = dataset.labels[:n] if dataset.get("labels") is not None else None
        plot_image_grid({"input": dataset.data[:n], "output": output[:n]}, dataset.image_shape,
                        column_labels=labels).savefig(png, dpi=100)
    console.print(f"wrote {out}" + (f" and {png}" if png else "") + f": {len(output)} reconstructions")


def _point(text: str, dataset, codes: np.ndarray) -> tuple[np.ndarray, str]:
    """A code from 'a' (a sample's label), '#12' (a sample's index) or '0.5,-1' (a latent point)."""
    from aekit.apps.generate import sample_index

    index = sample_index(text, dataset.labels, len(codes))
    if index is not None:
        return codes[index], text
    try:
        point = np.array([float(v) for v in text.split(",")])
    except ValueError:
        point = np.array([])
    if point.size != codes.shape[1]:
        raise ConfigError(
            f"--between {text!r}: expected a sample label, #index below {len(codes)}, or a latent point "
            f"of {codes.shape[1]} comma-separated numbers."
        )
    return point, text


@app.command(
    epilog=(
        "Examples:  aekit generate runs/font --grid 12 --png grid.png  ·  "
        "aekit generate runs/font --between a --between o --png a-to-o.png  ·  "
        "aekit generate runs/vae --samples 16 --png samples.png --out samples.npy"
    ),
)
@friendly_errors
def generate(
    run_dir: RunDir,
    grid: Annotated[Optional[int], typer.Option(help="Decode an N x N grid over the codes' range (2-D codes).")] = None,
    between: Annotated[Optional[list[str]], typer.Option(help="Twice: the two ends (label, #index or point 'z1,z2').")] = None,
    samples: Annotated[Optional[int], typer.Option(help="Decode N codes drawn from the prior.")] = None,
    n: Annotated[int, typer.Option(help="Points along --between.")] = 10,
    png: Annotated[Path, typer.Option(help="Picture of the decoded images.")] = Path("generated.png"),
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also save the decoded rows (.npy or .csv).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of --samples.")] = 0,
    verbose: Verbose = False,
) -> None:
    """Decode new samples: a latent grid, an interpolation between two samples or points, or prior samples."""
    from aekit.apps.generate import code_limits, grid_points, interpolate, sample
    from aekit.plots import plot_decoded_grid, plot_image_grid, plot_interpolation

    if sum(choice is not None for choice in (grid, between, samples)) != 1:
        raise ConfigError("Choose one of --grid N, --between A --between B, or --samples N.")
    estimator, dataset = _model_and_data(run_dir, None)
    shape = dataset.get("image_shape")
    if not shape:
        raise ConfigError("generate draws images; this run's data has no image shape. Fix: use `aekit encode` and decode codes in Python.")
    codes = estimator.transform(dataset.data)
    decode = estimator.inverse_transform
    if grid is not None:
        if codes.shape[1] != 2:
            raise ConfigError(f"--grid needs a 2-D code; this model's code has {codes.shape[1]} dimensions. Use --samples.")
        lims = code_limits(codes)
        figure, decoded = plot_decoded_grid(decode, lims, grid, shape), decode(grid_points(lims, grid))
    elif between is not None:
        if len(between) != 2:
            raise ConfigError(f"--between must be given twice (start and end); got it {len(between)} times.")
        (a, name_a), (b, name_b) = (_point(text, dataset, codes) for text in between)
        figure = plot_interpolation(decode, a, b, n=n, image_shape=shape, endpoint_labels=(name_a, name_b))
        decoded = decode(interpolate(a, b, n))
    else:  # the library's sampler: the head's prior, or a Gaussian mixture on the training codes
        decoded = sample(estimator, samples, X=dataset.data, random_state=seed)
        figure = plot_image_grid({"sample": decoded}, shape, title=f"{samples} samples from the prior")
    figure.savefig(png, dpi=100)
    if out is not None:
        _write_array(decoded, out)
    console.print(f"wrote {png}" + (f" and {out}" if out else "") + f": {len(decoded)} decoded images")
