"""Solver names and the settings the training loops read."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["LEARNING_RATE_SCHEDULES", "MINIBATCH_SOLVERS", "SCIPY_SOLVERS", "SOLVERS", "TrainConfig"]

MINIBATCH_SOLVERS = ("adam", "adamw", "sgd", "rmsprop")
# aekit name -> (scipy.optimize.minimize method, whether it takes the gradient)
SCIPY_SOLVERS: dict[str, tuple[str, bool]] = {
    "powell": ("Powell", False),
    "nelder-mead": ("Nelder-Mead", False),
    "cg": ("CG", True),
    "bfgs": ("BFGS", True),
    "l-bfgs-b": ("L-BFGS-B", True),
}
SOLVERS = (*MINIBATCH_SOLVERS, *SCIPY_SOLVERS)
LEARNING_RATE_SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class TrainConfig:
    """How to train. ``max_iter`` counts epochs for mini-batch solvers, iterations for scipy."""

    solver: str = "adam"
    learning_rate: float = 1e-3
    learning_rate_schedule: str = "constant"
    batch_size: int = 32
    max_iter: int = 200
    max_fun: int = 15000
    momentum: float = 0.9
    nesterov: bool = False
    decoupled_weight_decay: float = 0.0
    early_stopping: bool = False
    n_iter_no_change: int = 10
    tol: float = 1e-4
    shuffle: bool = True
    dead_unit_resample: int = 0
    batch_norm: bool = False

    def learning_rate_at(self, epoch: int) -> float:
        """The learning rate of epoch ``epoch`` (0-based).

        "cosine" anneals from ``learning_rate`` towards 0 over ``max_iter`` epochs without restarts
        (Loshchilov & Hutter 2017): ``lr * (1 + cos(pi * epoch / max_iter)) / 2``.
        """
        if self.learning_rate_schedule == "cosine":
            return self.learning_rate * 0.5 * (1.0 + math.cos(math.pi * epoch / self.max_iter))
        return self.learning_rate

    @property
    def is_scipy(self) -> bool:
        return self.solver in SCIPY_SOLVERS
