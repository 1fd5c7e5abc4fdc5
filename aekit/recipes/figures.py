"""The report of a recipe run: tables of the runs, the PCA baseline, and each listed figure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from sklearn.utils import Bunch

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
from aekit.recipes.results import RecipeResult, RunResult, noisy_error
from aekit.recipes.report import Report, Table, pca_comparison

__all__ = ["build_report", "default_figures", "draw_figures", "FIGURE_TITLES"]

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
    result: RecipeResult
    X: np.ndarray
    labels: list[str] | None
    image_shape: tuple[int, ...] | None

    def run(self, options: dict) -> RunResult:
        return self.result.runs[options.get("run") or next(iter(self.result.runs))]

    def runs(self, options: dict) -> dict[str, RunResult]:
        return {name: self.result.runs[name] for name in options.get("runs") or self.result.runs}

    def shape(self, figure: str) -> tuple[int, ...]:
        if self.image_shape is None:
            raise ConfigError(f"{self.result.recipe.path}: figures.{figure} needs image data; this data has no image_shape. Fix: remove figures.{figure} or use image data.")
        return self.image_shape

    def index(self, key: object) -> int:
        if isinstance(key, int) and 0 <= key < len(self.X):
            return key
        if self.labels is not None and str(key) in self.labels:
            return self.labels.index(str(key))
        raise ConfigError(
            f"{self.result.recipe.path}: key 'figures.interpolation.between': expected sample labels "
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
        validation_label=ctx.result.recipe.validation or "validation",
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
        raise ConfigError(f"{ctx.result.recipe.path}: figures.decoded_grid needs a 2-D code; run {run.spec.name!r} has {codes.shape[1]}. Fix: set latent_dim = 2 or pick another run.")
    low, high = codes.min(axis=0), codes.max(axis=0)
    margin = 0.05 * np.maximum(high - low, 1e-6)
    lims = np.stack([low - margin, high + margin], axis=1)
    return plot_decoded_grid(run.estimator.inverse_transform, lims, int(options.get("n", 12)),
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
            raise ConfigError(f"{ctx.result.recipe.path}: figures.errors_per_label needs binary (0/1) data. Fix: remove that figure for this data.")
        values[name] = wrong
    labels = ctx.labels or [str(i) for i in range(len(ctx.X))]
    level = options.get("noise_level")
    return plot_errors_per_label(values, labels, title=f"inputs with {level:.0%} bits flipped" if level else None)


def _noise_sweep(ctx: _Context, options: dict) -> Figure:
    levels = ctx.result.recipe.noise_sweep["levels"]
    return plot_series(levels, ctx.result.sweep, xlabel="bit-flip rate of the test inputs",
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


def _runs_table(result: RecipeResult) -> Table:
    records = []
    for name, run in result.runs.items():
        overrides = {k: v for k, v in run.spec.params.items() if result.recipe.model.get(k, object()) != v}
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


def build_report(result: RecipeResult, X: np.ndarray, labels: list[str] | None, data: Bunch, *, smoke: bool) -> Report:
    """Assemble the report of a finished recipe run (tables, PCA baseline, listed figures)."""
    recipe = result.recipe
    image_shape = getattr(data, "image_shape", None)
    report = Report(
        recipe.title,
        parameters={"recipe": str(recipe.path), "data": recipe.data, **recipe.model},
        dataset={"name": recipe.data, "samples": X.shape[0], "features": X.shape[1],
                 "image shape": image_shape or "—", "description": getattr(data, "DESCR", "")},
        notes=[recipe.description] if recipe.description else [],
    )
    if smoke:
        report.notes.insert(0, "Smoke run: a tiny budget checks the pipeline; the numbers mean nothing.")
    best = min(result.runs.values(), key=lambda run: run.error.sse)
    report.metrics = {"best run (lowest SSE)": best.spec.name,
                      **{k.replace("_", " "): v for k, v in best.error.summary().items()}}
    report.timings = {f"fit {name}": run.seconds for name, run in result.runs.items()}
    report.baseline = pca_comparison(
        X, {name: run.reconstruction for name, run in result.runs.items()},
        code_size={name: run.code_size for name, run in result.runs.items()},
    )
    report.add_table(_runs_table(result))
    if result.validation is not None:
        held_out = result.validation
        report.add_table(pca_comparison(
            X, {name: run.estimator.reconstruct(held_out) for name, run in result.runs.items()},
            code_size={name: run.code_size for name, run in result.runs.items()}, X_eval=held_out,
            title=f"Errors on the held-out {recipe.validation!r} set ({len(held_out)} samples): autoencoder vs PCA",
        ))  # fmt: skip
    if result.sweep:
        levels = recipe.noise_sweep["levels"]
        report.add_table(Table(
            "Mean wrong pixels per sample vs test bit-flip rate",
            ["run", *(f"{level:.0%}" for level in levels)],
            [[name, *values] for name, values in result.sweep.items()],
        ))
    for title, figure in draw_figures(result, X, labels, image_shape).values():
        report.add_figure(title, figure)
    return report


def draw_figures(
    result: RecipeResult, X: np.ndarray, labels: list[str] | None, image_shape: tuple[int, ...] | None
) -> dict[str, tuple[str, Figure]]:
    """Every figure the recipe lists: name -> (title, Figure)."""
    ctx = _Context(result, X, labels, tuple(image_shape) if image_shape else None)
    return {
        name: (options.get("title", FIGURE_TITLES[name]), BUILDERS[name](ctx, options))
        for name, options in result.recipe.figures.items()
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
