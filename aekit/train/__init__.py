"""Training: one mini-batch loop, one full-batch scipy driver, behind one ``solver=`` string."""

from aekit.train.batches import BatchSource, DynamicBinarization, InMemorySource
from aekit.train.callbacks import TimeLimit
from aekit.train.config import LEARNING_RATE_SCHEDULES, MINIBATCH_SOLVERS, SCIPY_SOLVERS, SOLVERS, TrainConfig
from aekit.train.history import History
from aekit.train.loop import evaluate, fit_minibatch
from aekit.train.scipy_solver import fit_full_batch
from aekit.train.streaming import MemmapSource

__all__ = [
    "BatchSource",
    "DynamicBinarization",
    "History",
    "InMemorySource",
    "LEARNING_RATE_SCHEDULES",
    "MemmapSource",
    "MINIBATCH_SOLVERS",
    "SCIPY_SOLVERS",
    "SOLVERS",
    "TimeLimit",
    "TrainConfig",
    "evaluate",
    "fit_full_batch",
    "fit_minibatch",
]
