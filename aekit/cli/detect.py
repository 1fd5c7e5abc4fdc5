"""``aekit detect``: train or load an anomaly detector, score a file, write scores, labels and a plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from aekit.cli import app


def read_array(path: Path) -> np.ndarray:
    """Rows of a .npy or .csv file (a header line of names is skipped) as a float array."""
    from aekit.errors import DataError

    if not path.is_file():
        raise DataError(f"{path} does not exist. Fix: pass the path of a .npy or .csv file.")
    if path.suffix == ".npy":
        return np.load(path, allow_pickle=False)
    if path.suffix == ".csv":
        with path.open() as f:
            first = f.readline()
        has_header = any(c.isalpha() and c not in "eE" for c in first.replace("nan", "").replace("inf", ""))
        return np.loadtxt(path, delimiter=",", skiprows=int(has_header), ndmin=2)
    raise DataError(f"{path} has suffix {path.suffix!r}; expected .npy or .csv. Fix: save the data with np.save or as CSV.")


def fail(error: Exception) -> None:
    """Print one line and exit with status 1."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1)


def plot_scores(path: Path, errors: np.ndarray, threshold: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(errors, bins=50, color="0.6")
    ax.axvline(threshold, color="crimson", label=f"threshold {threshold:.4g}")
    ax.set(xlabel="reconstruction error (anomaly score)", ylabel="samples", yscale="log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


@app.command()
def detect(
    data: Path = typer.Argument(..., help="Samples to score: .npy or .csv, one row per sample."),
    model: Path = typer.Option(None, "--model", "-m", help="A saved AnomalyDetector to load instead of training."),
    train: Path = typer.Option(None, "--train", help="Training data (default: DATA itself)."),
    contamination: float = typer.Option(0.1, help="Expected fraction of anomalies in the training data (0: clean)."),
    threshold: str = typer.Option("auto", help="auto, percentile, mean_std, median_mad, fpr, or a number."),
    max_iter: int = typer.Option(100, help="Training epochs."),
    seed: int = typer.Option(0, help="random_state of the fit."),
    out: Path = typer.Option(Path("scores.csv"), "--out", "-o", help="CSV of index, score, label."),
    plot: Path = typer.Option(None, help="PNG of the score distribution with the threshold."),
    save: Path = typer.Option(None, help="Directory to save the trained detector in."),
) -> None:
    """Score samples by reconstruction error; label -1 (anomaly) or 1 (normal).

    Example: aekit detect test.csv --train normal.csv --contamination 0 --plot scores.png
    """
    import aekit
    from aekit.errors import AekitError

    try:
        X = read_array(data)
        if model is not None:
            detector = aekit.load(model)
        else:
            try:
                rule: str | float = float(threshold)
            except ValueError:
                rule = threshold
            detector = aekit.AnomalyDetector(contamination=contamination, threshold=rule, max_iter=max_iter, random_state=seed)
            detector.fit(read_array(train) if train is not None else X)
        if not isinstance(detector, aekit.AnomalyDetector):
            raise AekitError(f"{model} holds a {type(detector).__name__}, not an AnomalyDetector. Fix: save one with aekit detect --save.")
        errors = -detector.score_samples(X)
        labels = detector.predict(X)
    except AekitError as error:
        fail(error)
    np.savetxt(out, np.column_stack([np.arange(len(X)), errors, labels]), delimiter=",", fmt=["%d", "%.6g", "%d"],
               header="index,score,label", comments="")
    if plot is not None:
        plot_scores(plot, errors, detector.threshold_)
    if save is not None and model is None:
        aekit.save(detector, save)
    typer.echo(f"{int((labels == -1).sum())} of {len(X)} samples flagged (threshold {detector.threshold_:.4g}); scores in {out}")
