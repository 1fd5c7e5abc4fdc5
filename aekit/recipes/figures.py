"""The report of a recipe run: tables of the runs, the PCA baseline, and each listed figure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from sklearn.utils import Bunch

from aekit.apps.generate import code_limits, sample_index
from aekit.errors import ConfigError
from aekit.plots import (
    plot_decoded_grid,
    plot_error_histogram,
    plot_errors_per_label,
    plot_image_grid,
    plot_interpolation,
    plot_latent_map,
    plot_loss_curves,
    plot_series,
    plot_traversal,
)
from aekit.noise import flip_bits
from aekit.recipes.report import Report, ReportPlan, Table, pca_comparison
from aekit.recipes.results import RunResult, noisy_error

__all__ = ["build_report", "default_figures", "draw_figures", "FIGURE_TITLES"]

# A decoded grid reaches 5 % of each code range beyond the outermost codes, so those codes sit
# inside the grid rather than on its edge.
GRID_MARGIN = 0.05

FIGURE_TITLES = {
    "loss_curves": "Loss during training",
    "reconstructions": "Reconstructions",
    "latent_map": "Latent map",
    "decoded_grid": "Decoded latent grid",
    "interpolation": "Interpolation between two codes",
    "traversal": "Latent traversal",
    "error_histogram": "Reconstruction error per sample",
    "errors_per_label": "Wrong pixels per sample",
    "noise_sweep": "Wrong pixels vs test noise",
}


@dataclass
class _Context:
    plan: ReportPlan
    all_runs: dict[str, RunResult]
    X: np.ndarray
    labels: list[str] | None
    image_shape: tuple[int, ...] | None
    sweep: dict[str, list[float]]

    def run(self, options: dict) -> RunResult:
        return self.all_runs[options.get("run") or next(iter(self.all_runs))]

    def runs(self, options: dict) -> dict[str, RunResult]:
        return {name: self.all_runs[name] for name in options.get("runs") or self.all_runs}

    def shape(self, figure: str) -> tuple[int, ...]:
        if self.image_shape is None:
            raise ConfigError(f"{self.plan.source}: figures.{figure} needs image data; this data has no image_shape. Fix: remove figures.{figure} or use image data.")
        return self.image_shape

    def index(self, key: object) -> int:
        index = sample_index(key, self.labels, len(self.X))
        if index is not None:
            return index
        raise ConfigError(
            f"{self.plan.source}: key 'figures.interpolation.between': expected sample labels "
            f"or indices below {len(self.X)}; got {key!r}."
        )

    def errors(self, options: dict, run: RunResult):
        level = options.get("noise_level")
        return noisy_error(run, self.X, float(level)) if level else run.error


def _loss_curves(ctx: _Context, options: dict) -> Figure:
    histories = {name: run.history for name, run in ctx.runs(options).items()}
    positive = all(min(h.loss) > 0 for h in histories.values())
    return plot_loss_curves(
        histories, logy=bool(options.get("logy", True)) and positive, logx=bool(options.get("logx", False)),
        x=options.get("x", "step"),
        validation_label=ctx.plan.validation or "validation",
    )


def _reconstructions(ctx: _Context, options: dict) -> Figure:
    run, n = ctx.run(options), int(options.get("max_images", 32))
    X, level = ctx.X[:n], options.get("noise_level")
    rows = {"input": X, "output": run.reconstruction[:n]}
    if level:
        noisy = flip_bits(X, float(level), np.random.default_rng(0))
        rows = {"clean": X, f"noisy ({level:.0%})": noisy, "denoised": run.estimator.reconstruct(noisy)}
    labels = ctx.labels[:n] if ctx.labels is not None else None
    return plot_image_grid(rows, ctx.shape("reconstructions"), column_labels=labels, title=run.spec.name)


def _latent_map(ctx: _Context, options: dict) -> Figure:
    run = ctx.run(options)
    kind = options.get("label_kind") or ("text" if len(ctx.X) <= 100 else "class")
    return plot_latent_map(run.estimator.transform(ctx.X), ctx.labels, label_kind=kind,
                           projection=options.get("projection", "pca"), title=run.spec.name)


def _decoded_grid(ctx: _Context, options: dict) -> Figure:
    run = ctx.run(options)
    codes = np.asarray(run.estimator.transform(ctx.X))
    if codes.shape[1] != 2:
        raise ConfigError(f"{ctx.plan.source}: figures.decoded_grid needs a 2-D code; run {run.spec.name!r} has {codes.shape[1]}. Fix: set latent_dim = 2 or pick another run.")
    return plot_decoded_grid(run.estimator.inverse_transform, code_limits(codes, margin=GRID_MARGIN), int(options.get("n", 12)),
                             ctx.shape("decoded_grid"), title=run.spec.name)


def _interpolation(ctx: _Context, options: dict) -> Figure:
    run = ctx.run(options)
    a, b = (ctx.index(key) for key in options["between"])
    codes = np.asarray(run.estimator.transform(ctx.X[[a, b]]))
    names = tuple(ctx.labels[i] if ctx.labels is not None else f"#{i}" for i in (a, b))
    return plot_interpolation(run.estimator.inverse_transform, codes[0], codes[1], n=int(options.get("n", 10)),
                              image_shape=ctx.shape("interpolation"), endpoint_labels=names,
                              title=f"{run.spec.name}: {names[0]} → {names[1]}")


def _traversal(ctx: _Context, options: dict) -> Figure:
    run = ctx.run(options)
    codes = np.asarray(run.estimator.transform(ctx.X))
    span = options.get("span") or (float(codes.min()), float(codes.max()))
    return plot_traversal(run.estimator.inverse_transform, codes.mean(axis=0), span=tuple(span),
                          n=int(options.get("n", 9)), image_shape=ctx.shape("traversal"), title=run.spec.name)


def _error_histogram(ctx: _Context, options: dict) -> Figure:
    errors = {name: ctx.errors(options, run).per_sample for name, run in ctx.runs(options).items()}
    level = options.get("noise_level")
    suffix = f" (inputs with {level:.0%} bits flipped)" if level else ""
    return plot_error_histogram(errors, xlabel="squared error per sample" + suffix)


def _errors_per_label(ctx: _Context, options: dict) -> Figure:
    values = {}
    for name, run in ctx.runs(options).items():
        wrong = ctx.errors(options, run).wrong_pixels
        if wrong is None:
            raise ConfigError(f"{ctx.plan.source}: figures.errors_per_label needs binary (0/1) data. Fix: remove that figure for this data.")
        values[name] = wrong
    labels = ctx.labels or [str(i) for i in range(len(ctx.X))]
    level = options.get("noise_level")
    return plot_errors_per_label(values, labels, title=f"inputs with {level:.0%} bits flipped" if level else None)


def _noise_sweep(ctx: _Context, options: dict) -> Figure:
    return plot_series(ctx.plan.noise_levels, ctx.sweep, xlabel="bit-flip rate of the test inputs",
                       ylabel="mean wrong pixels per sample")


BUILDERS: dict[str, Callable[[_Context, dict], Figure]] = {
    "loss_curves": _loss_curves,
    "reconstructions": _reconstructions,
    "latent_map": _latent_map,
    "decoded_grid": _decoded_grid,
    "interpolation": _interpolation,
    "traversal": _traversal,
    "error_histogram": _error_histogram,
    "errors_per_label": _errors_per_label,
    "noise_sweep": _noise_sweep,
}


def _steps(history) -> str:
    if history.unit == "evaluation" and history.evaluations:
        return f"{history.evaluations[-1]} evaluations"
    return f"{len(history.loss)} {history.unit}s"


def _runs_table(plan: ReportPlan, runs: dict[str, RunResult]) -> Table:
    records = []
    for name, run in runs.items():
        overrides = {k: v for k, v in run.spec.params.items() if plan.model.get(k, object()) != v}
        history = run.history
        records.append({
            "run": name,
            "settings": ", ".join(f"{k}={v}" for k, v in overrides.items()) or "as [model]",
            "final loss": history.loss[-1],
            "steps": _steps(history),
            **{key.replace("_", " "): value for key, value in run.error.summary().items()},
            "fit seconds": run.seconds,
        })
    return Table.from_records("Runs", records, caption="Errors are measured on the clean training data.")


def build_report(
    plan: ReportPlan,
    runs: dict[str, RunResult],
    X: np.ndarray,
    labels: list[str] | None,
    data: Bunch,
    *,
    smoke: bool = False,
    validation: np.ndarray | None = None,
    sweep: dict[str, list[float]] | None = None,
) -> Report:
    """Assemble the report of trained runs as ``plan`` asks (tables, PCA baseline, its figures).

    ``validation`` is the held-out subset (``plan.validation``), measured in a second table;
    ``sweep`` the wrong pixels per run at each of ``plan.noise_levels``.
    """
    image_shape = getattr(data, "image_shape", None)
    report = Report(
        plan.title,
        parameters=plan.parameters,
        dataset={"name": plan.data, "samples": X.shape[0], "features": X.shape[1],
                 "image shape": image_shape or "—", "description": getattr(data, "DESCR", "")},
        notes=[plan.description] if plan.description else [],
    )
    if smoke:
        report.notes.insert(0, "Smoke run: a tiny budget checks the pipeline; the numbers mean nothing.")
    best = min(runs.values(), key=lambda run: run.error.sse)
    report.metrics = {"best run (lowest SSE)": best.spec.name,
                      **{k.replace("_", " "): v for k, v in best.error.summary().items()}}
    report.timings = {f"fit {name}": run.seconds for name, run in runs.items()}
    report.baseline = pca_comparison(
        X, {name: run.reconstruction for name, run in runs.items()},
        code_size={name: run.code_size for name, run in runs.items()},
    )
    report.add_table(_runs_table(plan, runs))
    if validation is not None:
        report.add_table(pca_comparison(
            X, {name: run.estimator.reconstruct(validation) for name, run in runs.items()},
            code_size={name: run.code_size for name, run in runs.items()}, X_eval=validation,
            title=f"Errors on the held-out {plan.validation!r} set ({len(validation)} samples): autoencoder vs PCA",
        ))  # fmt: skip
    if sweep:
        report.add_table(Table(
            "Mean wrong pixels per sample vs test bit-flip rate",
            ["run", *(f"{level:.0%}" for level in plan.noise_levels)],
            [[name, *values] for name, values in sweep.items()],
        ))
    for title, figure in draw_figures(plan, runs, X, labels, image_shape, sweep).values():
        report.add_figure(title, figure)
    return report


def draw_figures(
    plan: ReportPlan,
    runs: dict[str, RunResult],
    X: np.ndarray,
    labels: list[str] | None,
    image_shape: tuple[int, ...] | None,
    sweep: dict[str, list[float]] | None = None,
) -> dict[str, tuple[str, Figure]]:
    """Every figure the plan lists: name -> (title, Figure)."""
    ctx = _Context(plan, runs, X, labels, tuple(image_shape) if image_shape else None, sweep or {})
    return {
        name: (options.get("title", FIGURE_TITLES[name]), BUILDERS[name](ctx, options))
        for name, options in plan.figures.items()
    }


def default_figures(X: np.ndarray, image_shape: tuple[int, ...] | None, code_size: int) -> dict[str, dict]:
    """The figures a single trained run gets: those its data and code size allow."""
    figures: dict[str, dict] = {"loss_curves": {}, "latent_map": {}, "error_histogram": {}}
    if image_shape:
        figures["reconstructions"] = {}
        if code_size == 2:
            figures["decoded_grid"] = {}
        if code_size <= 8:
            figures["traversal"] = {}
    if len(X) <= 64 and np.all((X == 0) | (X == 1)):
        figures["errors_per_label"] = {}
    return figures
