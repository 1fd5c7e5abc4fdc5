"""What a recipe run produces: each trained run with its errors, the recipe's result, and the
evaluations the report and the runner share (errors on bit-flipped inputs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aekit.metrics import ReconstructionError, reconstruction_error
from aekit.noise import flip_bits
from aekit.recipes.spec import Recipe, RunSpec

__all__ = ["RunResult", "RecipeResult", "noisy_error"]


@dataclass
class RunResult:
    """One trained run: the estimator, its fit time and its reconstruction error on the clean data."""

    spec: RunSpec
    estimator: object
    seconds: float
    reconstruction: np.ndarray
    error: ReconstructionError

    @property
    def history(self) -> object:
        """The estimator's training history."""
        return self.estimator.history_

    @property
    def code_size(self) -> int:
        """Width of the code, read from the fitted model's codes."""
        return int(self.estimator.transform(self.reconstruction[:1]).shape[1])


@dataclass
class RecipeResult:
    """What :func:`aekit.recipes.run_recipe` produced."""

    recipe: Recipe
    directory: Path
    report_path: Path
    runs: dict[str, RunResult]
    seconds: float
    sweep: dict[str, list[float]] = field(default_factory=dict)
    validation: np.ndarray | None = None  # the recipe's held-out subset (``validation = "test"``), if any


def noisy_error(run: RunResult, X: np.ndarray, rate: float, seed: int = 0) -> ReconstructionError:
    """Error of ``run`` reconstructing the clean ``X`` from bit-flipped copies at ``rate``."""
    noisy = flip_bits(X, rate, np.random.default_rng(seed))
    return reconstruction_error(X, run.estimator.reconstruct(noisy))
