"""``aekit detect``: train or load an anomaly detector, score a file, write scores, labels and a plot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from aekit.cli.app import app
from aekit.cli.shell import Verbose, console, friendly_errors

DataFile = Annotated[Path, typer.Argument(
    help="Samples to score: .csv, .npy, .npz or .mat (ODDS), one row per sample. A CSV (or .parquet) with text, "
    "category or True/False columns is a mixed-type table: one loss per column, missing cells allowed."
)]


def _rows(path: Path, categorical: tuple[str, ...] = (), table: bool = False):
    """A mixed-type table (a DataFrame) when the file has non-numeric columns, else the numeric rows."""
    from aekit.datasets import load_tabular
    from aekit.datasets.tabular import load_mixed_table
    from aekit.errors import ConfigError

    frame = load_mixed_table(path, categorical, always=table)
    if frame is None and path.is_file() and (categorical or table):  # (a missing file: load_tabular says so)
        why = "--categorical needs" if categorical else "the model was fitted on a table, so it needs"
        raise ConfigError(f"{why} a CSV or Parquet table; got {path}. Fix: export the data as CSV with a header.")
    return frame if frame is not None else load_tabular(path).data


def plot_scores(path: Path, errors: np.ndarray, threshold: float) -> None:
    """Histogram of the anomaly scores with the threshold, written to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(errors, bins=50, color="0.6")
    ax.axvline(threshold, color="crimson", label=f"threshold {threshold:.4g}")
    ax.set(xlabel="anomaly score (-score_samples)", ylabel="samples", yscale="log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


@app.command(epilog="Example:  aekit detect test.csv --train normal.csv --contamination 0 --plot scores.png")
@friendly_errors
def detect(
    data: DataFile,
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="A saved AnomalyDetector to load instead of training.")] = None,
    train: Annotated[Optional[Path], typer.Option(help="Training data (default: DATA itself).")] = None,
    contamination: Annotated[float, typer.Option(help="Expected fraction of anomalies in the training data (0: clean).")] = 0.1,
    threshold: Annotated[str, typer.Option(help="auto, percentile, mean_std, median_mad, fpr, or a number.")] = "auto",
    max_iter: Annotated[int, typer.Option(help="Training epochs.")] = 100,
    seed: Annotated[int, typer.Option(help="random_state of the fit.")] = 0,
    members: Annotated[str, typer.Option(help="n_members: how many autoencoders (code sizes 0.5x, 1x, 2x the default's for 3) score each "
                                         "sample, an odd number; auto: 3 for numeric data, 1 for a mixed-type table.")] = "auto",
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV of index, score, label.")] = Path("scores.csv"),
    plot: Annotated[Optional[Path], typer.Option(help="PNG of the score distribution with the threshold.")] = None,
    save: Annotated[Optional[Path], typer.Option(help="Directory to save the trained detector in.")] = None,
    categorical: Annotated[Optional[list[str]], typer.Option(help="An integer-coded column to treat as categories (repeat for several).")] = None,
    embed_above: Annotated[int, typer.Option(help="Mixed-type tables: a categorical column with more categories than this is embedded instead of one-hot.")] = 100,
    verbose: Verbose = False,
) -> None:
    """Score samples by reconstruction error and code distance; label -1 (anomaly) or 1 (normal)."""
    import aekit
    from aekit.errors import ModelFileError

    codes = tuple(categorical or ())
    if model is not None:
        detector = aekit.load(model)
        if not isinstance(detector, aekit.AnomalyDetector):
            raise ModelFileError(f"{model} holds a {type(detector).__name__}, not an AnomalyDetector. Fix: save one with aekit detect --save.")
        X = _rows(data, codes, table=getattr(detector, "table_", None) is not None)
    else:
        X = _rows(data, codes)
        try:
            rule: str | float = float(threshold)
        except ValueError:
            rule = threshold
        n_members: str | int = int(members) if members.strip().lstrip("-").isdigit() else members
        detector = aekit.AnomalyDetector(contamination=contamination, threshold=rule, max_iter=max_iter, random_state=seed,
                                          embed_above=embed_above, n_members=n_members)
        detector.fit(_rows(train, codes) if train is not None else X)
    errors = -detector.score_samples(X)
    labels = detector.predict(X)
    np.savetxt(out, np.column_stack([np.arange(len(X)), errors, labels]), delimiter=",", fmt=["%d", "%.6g", "%d"],
               header="index,score,label", comments="")
    if plot is not None:
        plot_scores(plot, errors, detector.threshold_)
    if save is not None and model is None:
        aekit.save(detector, save)
    if getattr(detector, "table_", None) is not None:
        from aekit.cli.tables import print_column_quality
        from aekit.recipes.rundir import table_quality

        print_column_quality(table_quality(detector, X))
    console.print(f"{int((labels == -1).sum())} of {len(X)} samples flagged (threshold {detector.threshold_:.4g}); scores in {out}")
