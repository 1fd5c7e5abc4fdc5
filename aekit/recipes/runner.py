"""Run a recipe: train its runs, evaluate them, and write ``<out>/<name>/report.html``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.errors import AekitError, ConfigError
from aekit.estimators.build import IMAGE_ARCHITECTURES
from aekit.metrics import reconstruction_error
from aekit.noise import flip_bits
from aekit.recipes.figures import build_report
from aekit.recipes.report import ReportPlan
from aekit.recipes.results import RecipeResult, RunResult, noisy_error
from aekit.recipes.spec import Recipe, RunSpec, load_recipe
from aekit.train.config import SCIPY_SOLVERS
from aekit.train.distributed import is_main_process

__all__ = ["run_recipe", "train_run"]

SMOKE_DEFAULTS: dict[str, object] = {"max_iter": 3, "samples": 64}


def _training_set(spec: RunSpec, X: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    if not spec.noisy_copies:
        return X, None
    rng = np.random.default_rng(seed)
    noisy = [flip_bits(X, rate, rng) for rate in spec.noise_levels for _ in range(spec.noisy_copies)]
    return np.concatenate(noisy), np.concatenate([X] * len(noisy))


def train_run(
    spec: RunSpec,
    X: np.ndarray,
    *,
    overrides: dict[str, object] | None = None,
    callbacks: Sequence[object] | None = None,
    where: str = "recipe",
    validation_data: np.ndarray | None = None,
    checkpoints: dict[str, object] | None = None,
) -> RunResult:
    """Build the run's estimator, fit it (on noisy copies if the run asks for them) and measure it.

    ``checkpoints`` are ``fit``'s checkpoint arguments (``checkpoint_dir``, ``checkpoint_every``,
    ``resume``, ...), passed through.
    """
    from aekit import AutoencoderEstimator

    params = {**spec.params, **(overrides or {})}
    try:
        estimator = AutoencoderEstimator(**params)
        X_train, target = _training_set(spec, X, int(params.get("random_state", 0) or 0))
        start = time.perf_counter()
        estimator.fit(X_train, target=target, callbacks=list(callbacks or []), validation_data=validation_data, **(checkpoints or {}))
        seconds = time.perf_counter() - start
    except TypeError as error:
        raise ConfigError(f"{where}: run {spec.name!r}: {error}") from None
    except AekitError as error:
        raise type(error)(f"{where}: run {spec.name!r}: {error}") from None
    return _measured(spec, estimator, seconds, X)


def _measured(spec: RunSpec, estimator, seconds: float, X: np.ndarray) -> RunResult:
    reconstruction = np.asarray(estimator.reconstruct(X), dtype=np.float64)
    return RunResult(spec, estimator, seconds, reconstruction, reconstruction_error(X, reconstruction))


def _image_input(spec: RunSpec, data: Bunch) -> dict[str, object]:
    """``input_shape`` from the data's image shape for a conv run that does not set it.

    A recipe can then run on CIFAR-10 (3, 32, 32) or its MNIST stand-in (1, 28, 28) alike.
    """
    shape = getattr(data, "image_shape", None)
    if spec.params.get("architecture") not in IMAGE_ARCHITECTURES or "input_shape" in spec.params or not shape:
        return {}
    return {"input_shape": tuple(shape) if len(shape) == 3 else (1, *shape)}


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "run"


def run_recipe(
    recipe: Recipe | str | Path,
    out_dir: str | Path = "runs",
    *,
    smoke: bool = False,
    callbacks_for: Callable[[str], Sequence[object]] | None = None,
    data: Bunch | None = None,
    checkpoint_every: int | None = None,
    resume: bool = False,
    data_dir: str | Path | None = None,
) -> RecipeResult:
    """Train every run of ``recipe``, evaluate, draw its figures and write its report.

    Parameters
    ----------
    recipe : Recipe or path
        A parsed recipe or the path of its TOML file.
    out_dir : path
        The report goes to ``<out_dir>/<recipe name>/report.html``, the models beside it.
    smoke : bool
        Apply the recipe's ``[smoke]`` overrides (default: 3 iterations, 64 samples) for a
        quick end-to-end check; the report says so.
    callbacks_for : callable, optional
        ``run name -> callbacks`` for each fit, e.g. a progress bar.
    data : Bunch, optional
        Use this dataset instead of loading ``recipe.data``.
    checkpoint_every : int, optional
        Checkpoint each run every this many epochs into ``<out_dir>/<name>/checkpoints/<run>/``.
    resume : bool
        Continue an interrupted recipe: runs whose model was saved are loaded, not trained
        again, and the others resume from their newest good checkpoint (checkpointing every
        epoch unless ``checkpoint_every`` says otherwise). Runs with a derivative-free solver
        (powell, nelder-mead) cannot be checkpointed and train from the start.
    data_dir : path, optional
        The folder holding the recipe's dataset (``aekit run NAME --data DIR``); without it a
        recipe whose data cannot be found runs on its ``fallback`` and the report says so.

    Returns
    -------
    RecipeResult

    Examples
    --------
    >>> from aekit.recipes import run_recipe
    >>> result = run_recipe(find_recipe("font-2d"), smoke=True)  # doctest: +SKIP
    >>> result.report_path  # doctest: +SKIP
    PosixPath('runs/font-2d/report.html')
    """
    from aekit.datasets import first_samples
    from aekit.io import save
    from aekit.recipes.data import RecipeData, load_recipe_data

    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    start = time.perf_counter()
    overrides = {**SMOKE_DEFAULTS, **recipe.smoke} if smoke else {}
    samples = overrides.pop("samples", None)
    if data is None:  # the recipe's data (from data_dir when given), else its stand-in
        loaded = load_recipe_data(recipe, smoke=smoke, data_dir=data_dir, samples=samples)
    else:
        loaded = RecipeData(first_samples(data, samples), None, recipe.data)
    data, held_out = loaded.train, loaded.held_out
    X, labels = data.data, data.labels
    validation = held_out.data if held_out is not None else None  # its loss is drawn beside the training loss
    directory = Path(out_dir) / recipe.name
    runs = {}
    for spec in recipe.runs:
        callbacks = callbacks_for(spec.name) if callbacks_for else None
        model_dir = directory / "models" / _slug(spec.name)
        if resume and (model_dir / "config.json").is_file():  # finished before the interruption
            runs[spec.name] = _finished_run(spec, model_dir, X)
            continue
        run_overrides = {**_image_input(spec, data), **overrides}
        checkpoints = None
        solver = str({**spec.params, **run_overrides}.get("solver", "adam")).lower()
        if (checkpoint_every is not None or resume) and SCIPY_SOLVERS.get(solver, ("", True))[1]:  # derivative-free: cannot
            checkpoints = {"checkpoint_dir": directory / "checkpoints" / _slug(spec.name), "resume": resume,
                           "checkpoint_every": checkpoint_every}  # fmt: skip
        runs[spec.name] = train_run(
            spec, X, overrides=run_overrides, callbacks=callbacks, where=str(recipe.path), validation_data=validation,
            checkpoints=checkpoints,
        )  # fmt: skip
        if is_main_process():
            save(runs[spec.name].estimator, model_dir)
    sweep = noise_sweep(recipe, runs, X)
    result = RecipeResult(recipe, directory, directory / "report.html", runs, 0.0, sweep, validation)
    report = build_report(ReportPlan.from_recipe(recipe), runs, X, labels, data, smoke=smoke, validation=validation,
                          sweep=sweep, held_out=held_out, notes=loaded.notes)
    if loaded.name != recipe.data:
        report.dataset["name"] = f"{loaded.name} (stand-in for {recipe.data})"
    result.seconds = time.perf_counter() - start
    report.timings["total"] = result.seconds
    if is_main_process():
        report.write(result.report_path)
    return result


def _finished_run(spec: RunSpec, model_dir: Path, X: np.ndarray) -> RunResult:
    """A run whose model an interrupted recipe already saved, measured again."""
    from aekit.io import load

    estimator = load(model_dir)
    return _measured(spec, estimator, float(estimator.fit_seconds_), X)


def noise_sweep(recipe: Recipe, runs: dict[str, RunResult], X: np.ndarray) -> dict[str, list[float]]:
    """Mean wrong pixels per sample at each test noise level, averaged over ``repeats`` draws."""
    levels = recipe.noise_sweep.get("levels")
    if not levels:
        return {}
    repeats = int(recipe.noise_sweep.get("repeats", 5))
    chosen = recipe.figures.get("noise_sweep", {}).get("runs") or list(runs)
    out = {}
    for name in chosen:
        means = []
        for rate in levels:
            errors = [noisy_error(runs[name], X, rate, seed) for seed in range(repeats)]
            if errors[0].wrong_pixels is None:
                raise ConfigError(f"{recipe.path}: key 'noise_sweep': bit flips need binary (0/1) data. Fix: remove [noise_sweep] for this data.")
            means.append(float(np.mean([e.wrong_pixels.mean() for e in errors])))
        out[name] = means
    return out
