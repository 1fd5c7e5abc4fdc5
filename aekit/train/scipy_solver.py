"""Full-batch training with scipy.optimize.minimize: Powell, Nelder-Mead, CG, BFGS, L-BFGS-B.

The classic autoencoder experiments trained with these. The model's parameters become views
into one flat float64 buffer (and their gradients views into another), so one objective
evaluation is a copy of scipy's vector into the buffer, a forward and, for gradient methods,
a backward pass: no modules or parameters are rebuilt per call. float64 keeps the line
searches' finite-precision trouble away; the model returns to float32 afterwards.

Gradient methods record the history per iteration. Powell and Nelder-Mead need thousands of
evaluations per iteration on a network's parameter count, so for them the history records
the best loss so far every ``max_fun // 500`` evaluations (unit "evaluation").

Corruption is drawn once per run, so the objective scipy sees is deterministic (the classic
setting: a fixed set of noisy copies). Stochastic latents and dropout are refused upstream.

Checkpointing (gradient methods only) runs ``minimize`` in segments of ``checkpoint_every``
iterations, each started from the last accepted iterate, and writes a checkpoint between
segments. scipy keeps its own state (L-BFGS-B's curvature pairs, BFGS's inverse Hessian, CG's
search direction, the line search's previous step) out of reach, so a segment starts with that
state fresh: a checkpointed run is a restarted method (as restarted CG and L-BFGS are), and
resuming one is bit for bit the uninterrupted checkpointed run. It is not the same trajectory
as one run without checkpoints, whose solver state is never reset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.optimize
import torch

from aekit.losses import Objective
from aekit.models import Autoencoder
from aekit.noise import Corruption
from aekit.train.batches import InMemorySource
from aekit.train.checkpoint import Checkpointer, SavedState, rng_state
from aekit.train.config import SCIPY_SOLVERS, TrainConfig
from aekit.train.epochs import TrainingRun
from aekit.train.history import History

__all__ = ["fit_full_batch"]


class FlatParameters:
    """Make every parameter (and its .grad) a view into one flat buffer, and undo it."""

    def __init__(self, model: torch.nn.Module, dtype: torch.dtype = torch.float64):
        self.params = list(model.parameters())
        self.values = torch.cat([p.detach().reshape(-1).to(dtype) for p in self.params])
        self.grads = torch.zeros_like(self.values)
        offset = 0
        for p in self.params:
            n = p.numel()
            p.data = self.values[offset : offset + n].view_as(p)
            p.grad = self.grads[offset : offset + n].view_as(p)
            offset += n

    def release(self, dtype: torch.dtype) -> None:
        """Give each parameter its own storage again, in ``dtype``, with no gradient."""
        for p in self.params:
            p.data = p.data.to(dtype).clone()
            p.grad = None


def fit_full_batch(
    model: Autoencoder,
    objective: Objective,
    train: InMemorySource,
    config: TrainConfig,
    *,
    noise: Corruption | None = None,
    callbacks: Sequence[Any] | None = None,
    checkpoints: Checkpointer | None = None,
    resume_from: SavedState | None = None,
) -> History:
    """Minimise the objective over the whole training set with ``scipy.optimize.minimize``.

    With ``checkpoints`` (gradient methods), in segments of ``checkpoint_every`` iterations
    with a checkpoint between them; ``resume_from`` continues from one's accepted iterate.
    """
    method, uses_gradient = SCIPY_SOLVERS[config.solver]
    dtype = next(model.parameters()).dtype
    inputs = train.inputs if noise is None else noise(train.inputs)  # drawn once per run
    x_in, target = inputs.to(torch.float64), train.target.to(torch.float64)
    flat = FlatParameters(model)
    model.train()
    run = TrainingRun(config.solver, "iteration" if uses_gradient else "evaluation", config.max_iter, callbacks)
    evaluations = 0
    if resume_from is not None:
        run.resume(History.from_dict(resume_from.state["history"]))
        evaluations = int(resume_from.state["loop"]["evaluations"])
        flat.values.copy_(resume_from.tensors["theta"].to(flat.values.device))
    last: dict[str, Any] = {}
    best: dict[str, Any] = {"loss": math.inf}
    stride = max(1, config.max_fun // 500)

    def record(loss: float, terms: dict[str, float]) -> None:
        if run.end_epoch(loss, terms, evaluations=evaluations):
            raise StopIteration

    def evaluate(theta: np.ndarray, with_gradient: bool) -> float:
        nonlocal evaluations
        evaluations += 1
        flat.values.copy_(torch.from_numpy(theta))
        with torch.set_grad_enabled(with_gradient):
            value = objective(model, x_in, target, objective.forward(model, x_in))
            if with_gradient:
                flat.grads.zero_()
                value.total.backward()
        loss = value.total.item()
        last.update(theta=theta.copy(), loss=loss, terms={k: v.item() for k, v in value.terms.items()})
        if not uses_gradient:
            if loss < best["loss"]:
                best.update(loss=loss, terms=last["terms"], theta=last["theta"])
            if evaluations % stride == 0:
                record(best["loss"], best["terms"])
        return loss if math.isfinite(loss) else math.inf

    def fun(theta: np.ndarray):
        loss = evaluate(theta, uses_gradient)
        if uses_gradient:
            return loss, flat.grads.cpu().numpy().copy()
        return loss

    def on_iteration(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        if not uses_gradient:
            return
        theta = intermediate_result.x
        if not np.array_equal(theta, last.get("theta")):
            evaluate(theta, False)  # the terms at the accepted point
        record(last["loss"], last["terms"])

    message = ""
    limits = {"maxiter": config.max_iter}
    if method == "L-BFGS-B":
        limits["maxfun"] = config.max_fun
    elif method in ("Powell", "Nelder-Mead"):
        limits["maxfev"] = config.max_fun
    segment = checkpoints.settings.every if checkpoints is not None and uses_gradient else None
    if resume_from is not None and segment:  # the segments are part of the run: keep the checkpointed run's
        segment = int(resume_from.state["loop"].get("segment", segment))
    try:
        try:
            theta = flat.values.cpu().numpy().copy()
            while True:
                done = len(run.history)
                if segment:
                    limits["maxiter"] = min(segment, config.max_iter - done)
                    if "maxfun" in limits:
                        limits["maxfun"] = max(1, config.max_fun - evaluations)
                result = scipy.optimize.minimize(
                    fun, theta, method=method, jac=uses_gradient or None, callback=on_iteration, options=limits,
                )
                theta = np.asarray(result.x, dtype=np.float64)
                message = str(result.message)
                finished = len(run.history) >= config.max_iter or evaluations >= config.max_fun
                if not segment or result.status != 1 or finished:  # status 1: this segment's iteration limit
                    break
                checkpoints.save(
                    len(run.history), {"theta": torch.from_numpy(theta), **rng_state({})},
                    {"history": run.history.to_dict(), "loop": {"evaluations": evaluations, "segment": segment}},
                )  # fmt: skip
            final = theta
            if not uses_gradient and (not run.history.evaluations or run.history.evaluations[-1] != evaluations):
                record(best["loss"], best["terms"])  # the end point
        except StopIteration:  # a callback asked to stop from inside a derivative-free objective
            final = best["theta"]
        flat.values.copy_(torch.from_numpy(final))
    finally:
        flat.release(dtype)
    return run.finish(message)  # unless a callback stopped it
