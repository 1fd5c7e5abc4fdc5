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

from aekit.errors import ConfigError, TrainingDivergedError
from aekit.losses import Objective
from aekit.models import Autoencoder
from aekit.noise import Corruption
from aekit.train.batches import BatchSource
from aekit.train.checkpoint import Checkpointer, SavedState, load_optimizer_state, optimizer_state, rng_state, set_rng_state
from aekit.train.config import TrainConfig
from aekit.train.distributed import Distributed
from aekit.train.epochs import TrainingRun
from aekit.train.history import History
from aekit.train.optimizers import make_optimizer
from aekit.train.resample import resample_dead_units

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


class _Forward(torch.nn.Module):
    """The objective's forward pass as a module, so DistributedDataParallel can wrap it."""

    def __init__(self, model: Autoencoder, objective: Objective):
        super().__init__()
        self.model, self.objective = model, objective

    def forward(self, x: torch.Tensor):
        return self.objective.forward(self.model, x)


def _rng_streams(train: BatchSource, generator: torch.Generator | None) -> dict[str, torch.Generator | None]:
    return {"batch_order": generator, "source": getattr(train, "_generator", None)}


def _checkpoint(
    checkpoints: Checkpointer, epoch: int, model, optimizer, generators, history: History, loop: dict, best_state, distributed
) -> None:
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    optim_tensors, optim_meta = optimizer_state(optimizer)
    tensors.update(optim_tensors)
    if best_state is not None:
        tensors.update({f"best.{k}": v for k, v in best_state.items()})
    tensors.update(rng_state(generators))
    if distributed is not None:  # each rank's noise stream, gathered to rank 0
        import torch.distributed as dist

        states = [None] * distributed.world_size
        dist.all_gather_object(states, torch.get_rng_state())
        tensors.update({f"rng.torch.rank{r}": s for r, s in enumerate(states)})
    checkpoints.save(epoch, tensors, {"history": history.to_dict(), "loop": loop, "optimizer": optim_meta})


def _restore(saved: SavedState, model, optimizer, generators, distributed) -> dict:
    tensors = saved.tensors
    model.load_state_dict({k[len("model.") :]: v for k, v in tensors.items() if k.startswith("model.")})
    load_optimizer_state(optimizer, tensors, saved.state["optimizer"])
    set_rng_state(tensors, generators)
    if distributed is not None and f"rng.torch.rank{distributed.rank}" in tensors:
        torch.set_rng_state(tensors[f"rng.torch.rank{distributed.rank}"])
    return saved.state["loop"]


def _diverged_message(loss: float, epoch: int, config: TrainConfig, checkpoints: Checkpointer | None) -> str:
    message = (
        f"The training loss became {loss} in epoch {epoch + 1}; the model keeps the weights "
        f"of epoch {epoch} (the last with a finite loss). Fix: lower learning_rate "
        f"(now {config.learning_rate}), scale the inputs, or add weight_decay."
    )
    files = checkpoints.files() if checkpoints is not None else []
    if files:
        smaller = f"{config.learning_rate / 10:g}"
        settings = checkpoints.settings
        message += (
            f" The last good checkpoint is kept: {files[-1]}. Resume from it with a smaller step: "
            f"estimator.set_params(learning_rate={smaller}).fit(X, checkpoint_dir={str(settings.directory)!r}, resume=True)."
        )
    return message


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
    checkpoints: Checkpointer | None = None,
    resume_from: SavedState | None = None,
    distributed: Distributed | None = None,
) -> History:
    """Train ``model`` in place with a torch optimiser; return the per-epoch history.

    Raises TrainingDivergedError when an epoch's loss is not finite; the model then holds the
    weights of the last finite epoch and the error carries the history as ``.history``.

    ``checkpoints`` writes the run's whole state when due (:mod:`aekit.train.checkpoint`);
    ``resume_from`` continues a run from one, bit for bit. ``distributed`` (under torchrun)
    trains with DistributedDataParallel on this rank's slice of every global batch.
    """
    if distributed is not None and config.dead_unit_resample:
        raise ConfigError(
            f"dead_unit_resample={config.dead_unit_resample} cannot run under torchrun: each process would draw its "
            "own fresh weights. Fix: drop dead_unit_resample (0), or train in one process."
        )
    optimizer = make_optimizer(model.parameters(), config)
    device = next(model.parameters()).device
    run = TrainingRun(config.solver, "epoch", config.max_iter, callbacks)
    generators = _rng_streams(train, generator)
    loop = {"next_epoch": 0, "best": math.inf, "stale": 0}
    if resume_from is not None:
        loop = _restore(resume_from, model, optimizer, generators, distributed)
        run.resume(History.from_dict(resume_from.state["history"]))
        for group in optimizer.param_groups:  # a resumed run may take a smaller step
            group["lr"] = config.learning_rate
    history = run.history
    last_good = _snapshot(model)
    best_state = last_good
    if resume_from is not None and config.early_stopping:
        best_state = {k[len("best.") :]: v.to(device) for k, v in resume_from.tensors.items() if k.startswith("best.")} or last_good
    best, stale = float(loop["best"]), int(loop["stale"])
    forward = lambda x: objective.forward(model, x)  # noqa: E731
    if distributed is not None:
        from torch.nn.parallel import DistributedDataParallel

        device_ids = [device.index] if device.type == "cuda" else None
        forward = DistributedDataParallel(_Forward(model, objective), device_ids=device_ids)
    for epoch in range(int(loop["next_epoch"]), config.max_iter):
        model.train()
        if config.learning_rate_schedule != "constant":
            for group in optimizer.param_groups:
                group["lr"] = config.learning_rate_at(epoch)
        steps, sizes, names = [], [], None
        for xb, yb in train.batches(config.batch_size, generator if config.shuffle else None):
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)  # no-op in memory
            x_in = noise(xb) if noise is not None else xb
            value = objective(model, x_in, yb, forward(x_in), epoch)
            optimizer.zero_grad(set_to_none=True)
            if distributed is None:
                value.total.backward()
            else:  # DDP averages over ranks: weigh by this rank's share of the global batch
                (value.total * (train.local_size * distributed.world_size / train.global_size)).backward()
            optimizer.step()
            # kept, not summed: weighing and summing them once per epoch saves three ops a step
            steps += (value.total.detach(), *(t.detach() for t in value.terms.values()))
            sizes.append(len(xb) if distributed is None else train.local_size)
            names = names or list(value.terms)
        per_step = torch.stack(steps).view(len(sizes), -1)  # (steps, 1 + terms)
        weights = torch.tensor(sizes, dtype=per_step.dtype, device=per_step.device)
        sums = weights @ per_step
        count = sum(sizes)
        if distributed is not None:  # the epoch's loss over all ranks' samples
            import torch.distributed as dist

            both = torch.cat([sums, torch.tensor([float(count)], dtype=sums.dtype, device=sums.device)])
            dist.all_reduce(both)
            sums, count = both[:-1], both[-1].item()
        means = (sums / count).tolist()  # the epoch's one host sync
        loss = means[0]
        if not math.isfinite(loss):
            model.load_state_dict(last_good)
            run.stop("diverged")
            error = TrainingDivergedError(_diverged_message(loss, epoch, config, checkpoints))
            error.history = history
            raise error
        val_loss = evaluate(model, objective, validation, max(config.batch_size, 1024), epoch) if validation is not None else None
        terms = dict(zip(names, means[1:]))
        if config.dead_unit_resample and (epoch + 1) % config.dead_unit_resample == 0 and epoch + 1 < config.max_iter:
            inputs, _ = next(iter(train.batches(min(train.n_samples, 1024), None)))
            resample_dead_units(model, inputs.to(device), optimizer)  # leaves the output, so the loss, as it was
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
        if checkpoints is not None and checkpoints.due(epoch + 1):
            loop = {"next_epoch": epoch + 1, "best": best, "stale": stale}
            _checkpoint(checkpoints, epoch + 1, model, optimizer, generators, history, loop,
                        best_state if config.early_stopping else None, distributed)  # fmt: skip
    if config.early_stopping:
        model.load_state_dict(best_state)  # the best epoch's weights, as scikit-learn's MLP does
    return run.finish("max_iter")
