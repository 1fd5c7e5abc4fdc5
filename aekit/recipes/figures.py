"""The report of a recipe run: tables of the runs, the PCA baseline, and each listed figure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
from aekit.noise import corrupt, flip_bits
from aekit.metrics import psnr
from aekit.plots.evaluation import plot_distance_by_hamming, plot_error_timeline
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
    "prior_samples": "New samples decoded from the prior",
    "denoising": "Clean | noisy | recovered",
    "anomaly_timeline": "Reconstruction error against time",
    "hamming_cosine": "True distance between code groups vs Hamming distance",
}


@dataclass
class Panel:
    """A figure with the tables and metrics its evaluation measured (they join the report)."""

    figure: Figure
    tables: list[Table] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)


@dataclass
class _Context:
    plan: ReportPlan
    all_runs: dict[str, RunResult]
    X: np.ndarray
    labels: list[str] | None
    image_shape: tuple[int, ...] | None
    sweep: dict[str, list[float]]
    held_out: Bunch | None = None  # the recipe's validation subset, with its targets

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


def _prior_samples(ctx: _Context, options: dict) -> Figure:
    run = ctx.run(options)
    prior = run.estimator.model_.latent.traits.prior
    if prior is None:
        raise ConfigError(f"{ctx.plan.source}: figures.prior_samples needs a latent with a prior (e.g. latent = \"gaussian\"); "
                          f"run {run.spec.name!r} has none. Fix: pick a VAE run or remove the figure.")
    n = int(options.get("n", 32))
    codes = prior.draw(np.random.RandomState(int(options.get("seed", 0))), n, run.code_size)
    return plot_image_grid({"samples": run.estimator.inverse_transform(codes)}, ctx.shape("prior_samples"),
                           title=f"{run.spec.name}: {n} codes drawn from the {prior.name} prior, decoded")


def _displayable(images: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, ...]]:
    """Images as drawn: clipped to [0, 1] (as an image is stored), channels-first (C, H, W) as (H, W, C)."""
    images = np.clip(np.asarray(images, dtype=np.float64), 0, 1)
    if len(shape) == 3 and shape[0] in (1, 3):
        images = images.reshape(len(images), *shape).transpose(0, 2, 3, 1)
        return images.reshape(len(images), -1), (*shape[1:], shape[0])
    return images, shape


def _denoising(ctx: _Context, options: dict) -> Panel:
    """Fresh noisy copies of the held-out set (else the training set): clean, noisy, recovered; PSNR."""
    run = ctx.run(options)
    data = ctx.held_out if ctx.held_out is not None else Bunch(data=ctx.X, labels=ctx.labels)
    where = f"the held-out {ctx.plan.validation!r} set" if ctx.held_out is not None else "the training data"
    kind, level = str(options.get("noise", "bitflip")), float(options.get("noise_level", 0.1))
    X = np.asarray(data.data, dtype=np.float32)
    noisy = corrupt(X, kind, level, np.random.default_rng(int(options.get("seed", 0))))
    recovered = np.asarray(run.estimator.reconstruct(noisy))
    n = int(options.get("max_images", 16))
    shape = ctx.shape("denoising")
    rows = {name: _displayable(images[:n], shape)[0] for name, images in
            (("clean", X), (f"noisy ({kind} {level:g})", noisy), ("recovered", recovered))}
    labels = list(data.labels[:n]) if data.get("labels") is not None else None
    figure = plot_image_grid(rows, _displayable(X[:1], shape)[1], column_labels=labels,
                             title=f"{run.spec.name}, {where.removeprefix('the ')}")
    panel = Panel(figure)
    if options.get("psnr"):
        noisy_db, recovered_db = psnr(X, np.clip(noisy, 0, 1)), psnr(X, recovered)
        records = [{"image": f"#{i}" + (f" ({labels[i]})" if labels else ""), "noisy PSNR (dB)": noisy_db[i],
                    "recovered PSNR (dB)": recovered_db[i]} for i in range(min(n, len(X)))]
        records.append({"image": f"mean over all {len(X)}", "noisy PSNR (dB)": float(noisy_db.mean()),
                        "recovered PSNR (dB)": float(recovered_db.mean())})
        panel.tables.append(Table.from_records(
            f"PSNR against the clean images: {run.spec.name}, {where}", records,
            caption="Noisy images are clipped to [0, 1] before PSNR, as an image is stored; 10 log10(1 / MSE)."))
        panel.metrics.update({"mean PSNR noisy (dB)": float(noisy_db.mean()), "mean PSNR recovered (dB)": float(recovered_db.mean())})
    return panel


def _anomaly_timeline(ctx: _Context, options: dict) -> Panel:
    """Per-sample error on the held-out series; ROC-AUC of the error for its anomalous samples."""
    from sklearn.metrics import roc_auc_score

    run, held = ctx.run(options), ctx.held_out
    if held is None or held.get("target") is None:
        raise ConfigError(f"{ctx.plan.source}: figures.anomaly_timeline needs a held-out set with 0/1 targets "
                          "(validation = \"test\" on a dataset such as lorenz). Fix: set validation or remove the figure.")
    target = np.asarray(held.target).astype(bool)
    if target.all() or not target.any():
        raise ConfigError(f"{ctx.plan.source}: figures.anomaly_timeline needs both normal and anomalous held-out samples.")
    errors = run.estimator.reconstruct(held.data) - held.data
    score = (np.asarray(errors, dtype=np.float64) ** 2).mean(axis=1)
    train_score = ((run.reconstruction - ctx.X) ** 2).mean(axis=1)
    quantile = float(options.get("threshold_quantile", 0.99))
    threshold = float(np.quantile(train_score, quantile))
    time = held.get("time", np.arange(len(score)))
    auc = float(roc_auc_score(target, score))
    flagged = score > threshold
    figure = plot_error_timeline(time, score, target, threshold, ylabel="mean squared error per step",
                                 title=f"{run.spec.name}: ROC-AUC {auc:.3f} for the anomalous window")
    table = Table.from_records("Anomalous window detection", [{
        "run": run.spec.name, "ROC-AUC": auc, "threshold": threshold,
        "threshold rule": f"{quantile:.0%} quantile of the training errors",
        "flagged in window": f"{int((flagged & target).sum())} of {int(target.sum())}",
        "flagged outside": f"{int((flagged & ~target).sum())} of {int((~target).sum())}",
    }], caption="ROC-AUC of the per-step error as a score for 'inside the permuted window' (1 = perfect, 0.5 = chance).")
    return Panel(figure, [table], {"ROC-AUC (anomalous window)": auc})


def _hamming_cosine(ctx: _Context, options: dict) -> Panel:
    """Group items by identical code; mean true cosine distance between groups at each Hamming distance."""
    from aekit.apps.hashing import hash_codes

    run = ctx.run(options)
    X = ctx.held_out.data if ctx.held_out is not None else ctx.X
    n = min(len(X), int(options.get("max_samples", 2000)))
    X = np.asarray(X[np.random.default_rng(int(options.get("seed", 0))).permutation(len(X))[:n]], dtype=np.float64)
    bits = hash_codes(run.estimator, X, threshold=None if run.estimator.model_.latent.traits.bits else 0.5)
    groups, member = np.unique(bits, axis=0, return_inverse=True)
    member = member.ravel()
    unit = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    cosine = 1.0 - unit @ unit.T  # true cosine distance between items
    onehot = np.eye(len(groups))[member]  # (n, G)
    sums = onehot.T @ cosine @ onehot
    sizes = onehot.sum(axis=0)
    pairs = np.outer(sizes, sizes) - np.diag(sizes)  # a group with itself: its distinct pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        between = sums / pairs
    hamming = (groups[:, None, :] != groups[None, :, :]).sum(axis=2)
    upper = np.triu(np.ones_like(hamming, dtype=bool))
    max_distance = int(options.get("max_distance", bits.shape[1]))
    distances, means, records = list(range(max_distance + 1)), [], []
    for d in distances:
        chosen = upper & (hamming == d) & np.isfinite(between)
        means.append(float(between[chosen].mean()) if chosen.any() else float("nan"))
        records.append({"Hamming distance": d, "group pairs": int(chosen.sum()), "mean cosine distance": means[-1]})
    baseline = float(cosine[np.triu_indices(n, 1)].mean())
    figure = plot_distance_by_hamming(distances, means, baseline,
                                      title=f"{run.spec.name}: {len(groups)} codes in use among {n} items")
    table = Table.from_records(
        f"Mean cosine distance between code groups ({n} items, {len(groups)} distinct {bits.shape[1]}-bit codes)", records,
        caption="Items with identical codes form a group; for each pair of groups the mean cosine distance between their "
                "items (distance 0: pairs inside one group), averaged over the pairs of groups at that Hamming distance.")
    return Panel(figure, [table], {"distinct codes": len(groups), "mean cosine distance, all pairs": baseline})


BUILDERS: dict[str, Callable[[_Context, dict], Figure | Panel]] = {
    "loss_curves": _loss_curves,
    "reconstructions": _reconstructions,
    "latent_map": _latent_map,
    "decoded_grid": _decoded_grid,
    "interpolation": _interpolation,
    "traversal": _traversal,
    "error_histogram": _error_histogram,
    "errors_per_label": _errors_per_label,
    "noise_sweep": _noise_sweep,
    "prior_samples": _prior_samples,
    "denoising": _denoising,
    "anomaly_timeline": _anomaly_timeline,
    "hamming_cosine": _hamming_cosine,
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
    held_out: Bunch | None = None,
    notes: list[str] | None = None,
) -> Report:
    """Assemble the report of trained runs as ``plan`` asks (tables, PCA baseline, its figures).

    ``validation`` is the held-out subset (``plan.validation``), measured in a second table;
    ``sweep`` the wrong pixels per run at each of ``plan.noise_levels``; ``held_out`` that
    subset with its targets, for the figures that evaluate on it; ``notes`` go under the title
    (e.g. that a stand-in dataset was used).
    """
    image_shape = getattr(data, "image_shape", None)
    report = Report(
        plan.title,
        parameters=plan.parameters,
        dataset={"name": plan.data, "samples": X.shape[0], "features": X.shape[1],
                 "image shape": image_shape or "—", "description": getattr(data, "DESCR", "")},
        notes=[*(notes or []), *([plan.description] if plan.description else [])],
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
    for title, panel, caption in _draw_panels(plan, runs, X, labels, image_shape, sweep, held_out):
        report.add_figure(title, panel.figure, caption)
        for table in panel.tables:
            report.add_table(table)
        report.metrics.update(panel.metrics)
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
    panels = _draw_panels(plan, runs, X, labels, image_shape, sweep)
    return {name: (title, panel.figure) for name, (title, panel, _) in zip(plan.figures, panels)}


def _draw_panels(plan, runs, X, labels, image_shape, sweep=None, held_out=None) -> list[tuple[str, Panel, str]]:
    """(title, Panel, caption) of every figure the plan lists; the caption says what the original did."""
    ctx = _Context(plan, runs, X, labels, tuple(image_shape) if image_shape else None, sweep or {}, held_out)
    out = []
    for name, options in plan.figures.items():
        builder = options.get("figure", name)
        drawn = BUILDERS[builder](ctx, options)
        panel = drawn if isinstance(drawn, Panel) else Panel(drawn)
        caption = f"The original: {options['original']}" if options.get("original") else ""
        out.append((options.get("title", FIGURE_TITLES[builder]), panel, caption))
    return out


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
