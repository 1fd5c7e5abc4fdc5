"""The mini-batch training loop: modules compute, the objective judges, the loop drives.

The loop never asks what kind of autoencoder it drives. Per step it corrupts the inputs (when
asked), runs forward, objective, backward and the optimiser step, and keeps the detached loss
terms on the device: no host synchronisation until the epoch ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from aekit.errors import TrainingDivergedError
from aekit.losses import Objective
from aekit.models import Autoencoder
from aekit.noise import Corruption
from aekit.train.batches import BatchSource
from aekit.train.config import TrainConfig
from aekit.train.epochs import TrainingRun
from aekit.train.history import History
from aekit.train.optimizers import make_optimizer

__all__ = ["fit_minibatch", "evaluate"]


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def evaluate(model: Autoencoder, objective: Objective, source: BatchSource, batch_size: int, epoch: int | None = None) -> float:
    """The objective's mean total over ``source`` in eval mode (no dropout, no corruption)."""
    was_training = model.training
    model.eval()
    total, n = None, 0
    with torch.no_grad():
        for xb, yb in source.batches(batch_size, None):
            value = objective(model, xb, yb, objective.forward(model, xb), epoch).total * len(xb)
            total = value if total is None else total + value
            n += len(xb)
    model.train(was_training)
    return float(total) / n


def fit_minibatch(
    model: Autoencoder,
    objective: Objective,
    train: BatchSource,
    config: TrainConfig,
    *,
    validation: BatchSource | None = None,
    noise: Corruption | None = None,
    callbacks: Sequence[Any] | None = None,
    generator: torch.Generator | None = None,
) -> History:
    """Train ``model`` in place with a torch optimiser; return the per-epoch history.

    Raises TrainingDivergedError when an epoch's loss is not finite; the model then holds the
    weights of the last finite epoch and the error carries the history as ``.history``.
    """
    optimizer = make_optimizer(model.parameters(), config)
    device = next(model.parameters()).device
    run = TrainingRun(config.solver, "epoch", config.max_iter, callbacks)
    history = run.history
    last_good = _snapshot(model)
    best_state, best, stale = last_good, math.inf, 0
    for epoch in range(config.max_iter):
        model.train()
        if config.learning_rate_schedule != "constant":
            for group in optimizer.param_groups:
                group["lr"] = config.learning_rate_at(epoch)
        steps, sizes, names = [], [], None
        for xb, yb in train.batches(config.batch_size, generator if config.shuffle else None):
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)  # no-op in memory
            x_in = noise(xb) if noise is not None else xb
            value = objective(model, x_in, yb, objective.forward(model, x_in), epoch)
            optimizer.zero_grad(set_to_none=True)
            value.total.backward()
            optimizer.step()
            # kept, not summed: weighing and summing them once per epoch saves three ops a step
            steps += (value.total.detach(), *(t.detach() for t in value.terms.values()))
            sizes.append(len(xb))
            names = names or list(value.terms)
        per_step = torch.stack(steps).view(len(sizes), -1)  # (steps, 1 + terms)
        weights = torch.tensor(sizes, dtype=per_step.dtype, device=per_step.device)
        means = ((weights @ per_step) / sum(sizes)).tolist()  # the epoch's one host sync
        loss = means[0]
        if not math.isfinite(loss):
            model.load_state_dict(last_good)
            run.stop("diverged")
            error = TrainingDivergedError(
                f"The training loss became {loss} in epoch {epoch + 1}; the model keeps the weights "
                f"of epoch {epoch} (the last with a finite loss). Fix: lower learning_rate "
                f"(now {config.learning_rate}), scale the inputs, or add weight_decay."
            )
            error.history = history
            raise error
        val_loss = evaluate(model, objective, validation, max(config.batch_size, 1024), epoch) if validation is not None else None
        terms = dict(zip(names, means[1:]))
        last_good = _snapshot(model)

        monitored = loss if val_loss is None else val_loss
        if monitored < best - config.tol:
            best, stale, history.best_index = monitored, 0, epoch
            if config.early_stopping:
                best_state = last_good
        else:
            stale += 1
        if run.end_epoch(loss, terms, val_loss=val_loss, learning_rate=optimizer.param_groups[0]["lr"]):
            break
        if config.early_stopping and stale >= config.n_iter_no_change:
            run.stop("early_stopping")
            break
    if config.early_stopping:
        model.load_state_dict(best_state)  # the best epoch's weights, as scikit-learn's MLP does
    return run.finish("max_iter")
