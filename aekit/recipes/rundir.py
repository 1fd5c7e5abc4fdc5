"""A run directory: one trained model with its history, figures, summary and report.

```
runs/x/
  config.json, model.safetensors, history.json   # aekit.save: the model and its history
  run.json                                       # data spec, parameters, fit time, metrics
  figures/*.png                                  # the run's figures
  columns.json                                   # a mixed-type table run: quality per column
  report.html                                    # written by write_run_report
```
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aekit.datasets import first_samples, load_dataset
from aekit.errors import ModelFileError
from aekit.recipes.figures import build_report, default_figures, draw_figures
from aekit.recipes.report import ReportPlan
from aekit.recipes.results import RunResult
from aekit.recipes.runner import train_run
from aekit.recipes.spec import RunSpec
from aekit.train.distributed import is_main_process

__all__ = [
    "TrainedRun", "TrainedTableRun", "read_run_info", "resume_command", "table_quality", "train_table_to_directory",
    "train_to_directory", "write_run_report",
]

RUN_FILE = "run.json"
COLUMNS_FILE = "columns.json"
CHECKPOINTS = "checkpoints"
COMMAND_FILE = "train.json"  # in checkpoints/: what `aekit train --resume` needs to train again


@dataclass
class TrainedRun:
    """What :func:`train_to_directory` wrote."""

    directory: Path
    result: RunResult
    figures: list[Path]


def _report_plan(directory: Path, info: dict, run: RunResult, X: np.ndarray, image_shape) -> ReportPlan:
    """The run's report: its parameters, and the figures its data and code size allow."""
    return ReportPlan(
        title=f"aekit run {directory.name}",
        source=str(directory / RUN_FILE),
        data=info["data"],
        model=info["params"],
        description=f"Trained on {info['data']} with `aekit train`.",
        figures=default_figures(X, image_shape, run.code_size),
    )


def train_to_directory(
    data: str,
    params: dict[str, object],
    directory: str | Path,
    *,
    callbacks: Sequence[object] | None = None,
    samples: int | None = None,
    checkpoint_every: int | None = None,
    checkpoint_seconds: float | None = None,
    resume: bool = False,
) -> TrainedRun:
    """Train an ``AutoencoderEstimator(**params)`` on ``data`` and write the run directory.

    Parameters
    ----------
    data : str
        A built-in dataset name or a file (see :func:`aekit.datasets.load_dataset`).
    params : dict
        Estimator parameters; those not given keep the estimator's defaults.
    directory : path
        Where the model, ``run.json`` and ``figures/`` go (created).
    callbacks : sequence, optional
        Passed to ``fit``.
    samples : int, optional
        Train on the first ``samples`` rows only.
    checkpoint_every, checkpoint_seconds : optional
        Checkpoint into ``<directory>/checkpoints/`` (see ``AutoencoderEstimator.fit``); the
        command that trains is kept there too (``train.json``), for :func:`resume_run`.
    resume : bool
        Continue from the newest good checkpoint in ``<directory>/checkpoints/``.

    Examples
    --------
    >>> from aekit.recipes.rundir import train_to_directory
    >>> run = train_to_directory("font", {"latent_dim": 2, "max_iter": 5}, "runs/demo")  # doctest: +SKIP
    """
    directory = Path(directory)
    dataset = first_samples(load_dataset(data), samples)
    X, labels = dataset.data, dataset.labels
    checkpoints = None
    if checkpoint_every is not None or checkpoint_seconds is not None or resume:
        folder = directory / CHECKPOINTS
        checkpoints = {"checkpoint_dir": folder, "checkpoint_every": checkpoint_every,
                       "checkpoint_seconds": checkpoint_seconds, "resume": resume}  # fmt: skip
        if is_main_process():
            folder.mkdir(parents=True, exist_ok=True)
            command = {"data": data, "samples": samples, "params": dict(params), "checkpoint_every": checkpoint_every,
                       "checkpoint_seconds": checkpoint_seconds}  # fmt: skip
            (folder / COMMAND_FILE).write_text(json.dumps(command, indent=2), encoding="utf-8")
    run = train_run(RunSpec(directory.name, dict(params)), X, callbacks=callbacks, where="train", checkpoints=checkpoints)
    if not is_main_process():  # under torchrun only rank 0 writes
        return TrainedRun(directory, run, [])
    _save_keeping_checkpoints(run.estimator, directory)
    info = {"data": data, "samples": samples, "params": dict(params), "seconds": run.seconds,
            "steps": f"{len(run.history.loss)} {run.history.unit}s", "metrics": run.error.summary()}
    (directory / RUN_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
    image_shape = getattr(dataset, "image_shape", None)
    figures_dir = directory / "figures"
    figures_dir.mkdir(exist_ok=True)
    written = []
    plan = _report_plan(directory, info, run, X, image_shape)
    for name, (_, figure) in draw_figures(plan, {run.spec.name: run}, X, labels, image_shape).items():
        figure.savefig(figures_dir / f"{name}.png", dpi=100)
        written.append(figures_dir / f"{name}.png")
    return TrainedRun(directory, run, written)


def _save_keeping_checkpoints(estimator, directory: Path) -> None:
    """``aekit.save`` into the run directory (which it replaces whole), keeping its checkpoints/."""
    import os

    from aekit import save

    folder = directory / CHECKPOINTS
    if not folder.is_dir():
        save(estimator, directory)
        return
    aside = directory.parent / f".{directory.name}.{CHECKPOINTS}"
    if aside.exists():
        shutil.rmtree(aside)
    os.replace(folder, aside)
    try:
        save(estimator, directory)
    finally:
        os.replace(aside, directory / CHECKPOINTS)


def resume_command(directory: str | Path) -> dict:
    """What ``aekit train`` was asked to do in ``directory`` (data, samples, params, checkpointing).

    Raises ModelFileError when the run was not trained with checkpoints.
    """
    path = Path(directory) / CHECKPOINTS / COMMAND_FILE
    if not path.is_file():
        raise ModelFileError(
            f"--resume {str(directory)!r}: {path} is missing, so this is not a run trained with checkpoints. "
            "Fix: give the run directory of an `aekit train ... --checkpoint-every N` run, or train it again."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path} is not valid JSON ({error}); train the run again.") from None


def read_run_info(directory: str | Path) -> dict:
    """The run's ``run.json``: data spec, parameters, fit seconds and metrics."""
    path = Path(directory) / RUN_FILE
    if not path.is_file():
        raise ModelFileError(f"{str(directory)!r} is not a run directory: {RUN_FILE} is missing. Train one with `aekit train`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path} is not valid JSON ({error}); re-run `aekit train`.") from None


def write_run_report(directory: str | Path) -> Path:
    """Write ``report.html`` for a run directory (reloads the model and its data); returns its path.

    A mixed-type table run (``columns.json`` beside the model) gets its per-column report.
    """
    from aekit import load
    from aekit.metrics import reconstruction_error

    directory = Path(directory)
    info = read_run_info(directory)
    if (directory / COLUMNS_FILE).is_file():
        return _write_table_report(directory, info)
    dataset = first_samples(load_dataset(info["data"]), info.get("samples"))
    X, labels = dataset.data, dataset.labels
    estimator = load(directory)
    reconstruction = np.asarray(estimator.reconstruct(X), dtype=np.float64)
    run = RunResult(RunSpec(directory.name, info["params"]), estimator, float(info.get("seconds", 0.0)),
                    reconstruction, reconstruction_error(X, reconstruction))
    plan = _report_plan(directory, info, run, X, getattr(dataset, "image_shape", None))
    return build_report(plan, {run.spec.name: run}, X, labels, dataset).write(directory / "report.html")


@dataclass
class TrainedTableRun:
    """What :func:`train_table_to_directory` wrote: the fitted estimator and each column's quality."""

    directory: Path
    estimator: object
    quality: list


def table_quality(estimator, table) -> list:
    """Each column's reconstruction quality (:func:`aekit.tables.column_quality`) of a model fitted on a table."""
    from aekit.tables import column_quality

    return column_quality(estimator.table_, table, estimator.reconstruct(table))


def train_table_to_directory(
    table,
    data: str,
    params: dict[str, object],
    directory: str | Path,
    *,
    callbacks: Sequence[object] | None = None,
    samples: int | None = None,
) -> TrainedTableRun:
    """Train a :class:`~aekit.TableAutoencoder` on a mixed-type ``table`` and write its run directory.

    The directory holds the model (``aekit.save``), ``run.json`` and ``columns.json`` (each
    column's reconstruction quality, :func:`aekit.tables.column_quality`); ``aekit report``
    turns it into ``report.html``. ``data`` is the table's file, recorded to reload it.
    """
    from aekit import TableAutoencoder, save

    directory = Path(directory)
    if samples is not None:
        table = table.head(samples)
    estimator = TableAutoencoder(**params).fit(table, callbacks=callbacks)
    save(estimator, directory)
    quality = table_quality(estimator, table)
    info = {"data": data, "samples": samples, "params": dict(params), "seconds": estimator.fit_seconds_,
            "steps": f"{len(estimator.history_.loss)} {estimator.history_.unit}s",
            "metrics": {f"{q.name} {q.metric}": q.value for q in quality}}
    (directory / RUN_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")
    (directory / COLUMNS_FILE).write_text(json.dumps([q.__dict__ for q in quality], indent=1), encoding="utf-8")
    return TrainedTableRun(directory, estimator, quality)


def _write_table_report(directory: Path, info: dict) -> Path:
    """The report of a table run: parameters, the table, each column's quality, the loss curve."""
    from aekit import load
    from aekit.datasets.tabular import load_mixed_table
    from aekit.plots import plot_loss_curves
    from aekit.recipes.report import Report, Table

    estimator = load(directory)
    table = load_mixed_table(info["data"], always=True)
    if table is None:
        raise ModelFileError(f"{directory / RUN_FILE} names the table {info['data']!r}, which cannot be read now. Fix: restore that file.")
    if info.get("samples"):
        table = table.head(info["samples"])
    quality = table_quality(estimator, table)
    report = Report(
        f"aekit run {directory.name}",
        parameters={"source": str(directory / RUN_FILE), "data": info["data"], **info["params"]},
        dataset={"name": info["data"], "rows": len(table), "columns": len(table.columns),
                 "description": "a mixed-type table: " + ", ".join(f"{q.name} ({q.kind})" for q in quality)},
        notes=[f"Trained on {info['data']} with `aekit train` (a mixed-type table: one loss head per column)."],
    )
    report.metrics = {f"{q.name} {q.metric}": q.value for q in quality}
    report.timings = {"fit": float(info.get("seconds", 0.0))}
    report.add_table(Table(
        "Reconstruction per column",
        ["column", "kind", "metric", "reconstruction", "baseline", "cells present"],
        [[q.name, q.kind, q.metric, q.value, q.baseline, q.present] for q in quality],
        caption="Present cells only. rmse is in the column's units beside its standard deviation (a model that "
        "predicts the mean scores rmse = std); accuracy beside the most frequent value's share.",
    ))  # fmt: skip
    report.add_figure("Loss during training", plot_loss_curves({directory.name: estimator.history_}))
    return report.write(directory / "report.html")
