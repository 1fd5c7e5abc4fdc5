"""Data-parallel training on PyTorch's own engine: DistributedDataParallel under ``torchrun``.

``torchrun --nproc_per_node=N -m aekit train ...`` (or a script calling ``fit``) starts N
processes with ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT`` set; ``fit`` then
joins the process group (gloo on CPU, nccl on GPU, chosen from the device), wraps the model in
``DistributedDataParallel`` and lets each rank read its own slice of every global batch of the
epoch's permutation (the same global order as one process: every rank draws the permutation
from the same seeded generator). DDP averages the gradients; each rank scales its loss by its
share of the global batch, so the averaged gradient is the global batch's mean gradient even
when the last batch does not split evenly. Only rank 0 writes checkpoints, models and figures.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from aekit.train.batches import BatchSource, InMemorySource

__all__ = ["Distributed", "ShardedSource", "distributed_context", "is_main_process", "launched_by_torchrun"]


def launched_by_torchrun() -> bool:
    """Whether this process is one of several that torchrun (or a launcher like it) started."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def is_main_process() -> bool:
    """True on rank 0 (and in a plain one-process run): the process that writes files."""
    return int(os.environ.get("RANK", "0")) == 0


@dataclass(frozen=True)
class Distributed:
    """This process's place in a data-parallel run."""

    rank: int
    world_size: int
    device: torch.device

    @property
    def main(self) -> bool:
        return self.rank == 0


def distributed_context(device: torch.device) -> Distributed | None:
    """Join the torchrun process group (once) and return this rank's context; None outside torchrun.

    The backend is nccl for a CUDA device (each rank on GPU ``LOCAL_RANK``), gloo otherwise.
    """
    if not launched_by_torchrun():
        return None
    import torch.distributed as dist

    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        # the group aekit opened is closed at exit: a process leaving with a live gloo group could
        # abort in its threads' teardown ("terminate called without an active exception", seen
        # once in the two-rank resume test)
        atexit.register(_close_group)
    return Distributed(dist.get_rank(), dist.get_world_size(), device)


def _close_group() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def _share(n: int, rank: int, world: int) -> tuple[int, int]:
    """Rows [lo, hi) of a global batch of ``n`` rows that ``rank`` of ``world`` takes."""
    base, extra = divmod(n, world)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (rank < extra)


class ShardedSource:
    """Rank ``rank``'s slice of every global batch another source yields (same global order).

    ``global_size`` is the size of the global batch the last yielded slice came from and
    ``local_size`` the slice's rows. A rank whose slice is empty (a last global batch with
    fewer rows than ranks) still yields one row, the batch's first, with ``local_size`` 0: it
    must take part in DDP's all-reduce, and the loop weighs that row by 0. In memory only the
    slice's rows are gathered; other sources (memory-mapped files) are read in the same global
    order and sliced.

    Examples
    --------
    >>> import torch
    >>> source = InMemorySource(torch.arange(10.0).reshape(5, 2))
    >>> shard = ShardedSource(source, rank=1, world_size=2)
    >>> [(x[:, 0].tolist(), shard.local_size) for x, _ in shard.batches(4, None)]
    [([4.0, 6.0], 2), ([8.0], 0)]
    """

    def __init__(self, source: BatchSource, rank: int, world_size: int):
        self.source, self.rank, self.world_size = source, rank, world_size
        self.n_samples = source.n_samples
        for name in ("n_features", "sample_shape", "_generator"):
            if hasattr(source, name):
                setattr(self, name, getattr(source, name))
        self.global_size = self.local_size = 0

    def batches(self, batch_size: int, generator: torch.Generator | None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        source = self.source
        if type(source) is InMemorySource:
            n = source.n_samples
            order = None if generator is None else torch.randperm(n, generator=generator).to(source.inputs.device)
            for start in range(0, n, batch_size):
                self.global_size = min(batch_size, n - start)
                lo, hi = self._slice(self.global_size)
                if order is None:
                    idx = torch.arange(start + lo, start + hi, device=source.inputs.device)
                else:
                    idx = order[start + lo : start + hi]
                xb = torch.index_select(source.inputs, 0, idx)
                yield xb, xb if source.target is source.inputs else torch.index_select(source.target, 0, idx)
            return
        for xb, yb in source.batches(batch_size, generator):
            self.global_size = len(xb)
            lo, hi = self._slice(len(xb))
            yield xb[lo:hi], yb[lo:hi]

    def _slice(self, n: int) -> tuple[int, int]:
        lo, hi = _share(n, self.rank, self.world_size)
        self.local_size = hi - lo
        return (0, 1) if hi == lo else (lo, hi)
