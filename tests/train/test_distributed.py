"""Data-parallel training: 2 processes on CPU (gloo, loopback) launched by torch.distributed.run.

The two ranks must end with identical parameters (DDP averages the gradients, every rank takes
the same step), and match a one-process run (193 rows: the last global batch has one row, so
rank 1's slice of it is empty and it takes part with a zero-weighted row) with the same global batch of 32 within 1e-6 (absolute, on weights of order 0.1-1;
observed 6e-8):
not bitwise, because each rank sums its 16 rows' gradients and DDP then adds the two
halves, where one process sums all 32 rows in one reduction; float addition is not
associative, so the last bits differ after the first step and drift slightly over 5 epochs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError
from aekit.train.distributed import ShardedSource, _share
from aekit.train.batches import InMemorySource

CHILD = Path(__file__).with_name("ddp_child.py")
TOLERANCE = 1e-6  # observed: 6e-8 (one or two units in the last place)


def _torchrun(*args, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", **(env_extra or {})}
    # --standalone: the rendezvous store binds a free loopback port itself, so two suites side by side
    # cannot race for a port picked here and released before torchrun binds it
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def _read(path: Path):
    with safe_open(str(path), "pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, json.loads(f.metadata()["history"])


def _one_process():
    X = np.random.default_rng(0).random((193, 12)).astype(np.float32)
    return AutoencoderEstimator(hidden_sizes=(16,), latent_dim=3, batch_size=32, max_iter=5, random_state=0).fit(X)


def test_two_ranks_end_identical_and_match_one_process(tmp_path):
    done = _torchrun(CHILD, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (w0, h0), (w1, h1) = _read(tmp_path / "rank0.safetensors"), _read(tmp_path / "rank1.safetensors")
    assert all(w0[k].equal(w1[k]) for k in w0)  # the ranks agree bit for bit
    assert h0 == h1
    single = _one_process()
    for name, value in single.model_.state_dict().items():
        assert torch.allclose(w0[name], value, rtol=0, atol=TOLERANCE), (name, (w0[name] - value).abs().max())
    assert np.allclose(h0["loss"], single.history_.loss, rtol=1e-5)


@pytest.mark.slow
def test_every_rank_resumes_from_rank_zeros_checkpoint(tmp_path):
    checkpoints = tmp_path / "checkpoints"
    done = _torchrun(CHILD, tmp_path, checkpoints)
    assert done.returncode == 0, done.stderr[-3000:]
    first, _ = _read(tmp_path / "rank0.safetensors")
    assert sorted(p.name for p in checkpoints.glob("checkpoint-*")) == [f"checkpoint-00000{i}.safetensors" for i in (3, 4, 5)]
    for name in ("checkpoint-000005.safetensors", "checkpoint-000004.safetensors"):
        (checkpoints / name).unlink()  # as if killed in epoch 5: both ranks resume from epoch 3
    done = _torchrun(CHILD, tmp_path, checkpoints)
    assert done.returncode == 0, done.stderr[-3000:]
    (w0, h0), (w1, _) = _read(tmp_path / "rank0.safetensors"), _read(tmp_path / "rank1.safetensors")
    assert all(w0[k].equal(w1[k]) and w0[k].equal(first[k]) for k in w0)


def test_shards_cover_each_global_batch_in_the_one_process_order():
    source = InMemorySource(torch.arange(22.0).reshape(11, 2))
    order = [x[:, 0].tolist() for x, _ in source.batches(4, torch.Generator().manual_seed(3))]
    shards = [[x[:, 0].tolist() for x, _ in ShardedSource(source, r, 3).batches(4, torch.Generator().manual_seed(3))] for r in range(3)]
    for b, batch in enumerate(order):
        assert sum((shards[r][b] for r in range(3)), []) == batch
    assert [_share(7, r, 3) for r in range(3)] == [(0, 3), (3, 5), (5, 7)]


def test_scipy_solvers_are_refused_under_torchrun(monkeypatch, font):
    import aekit.estimators.autoencoder as module
    from aekit.train.distributed import Distributed

    monkeypatch.setattr(module, "distributed_context", lambda device: Distributed(0, 2, torch.device("cpu")))
    with pytest.raises(ConfigError, match=r"solver='l-bfgs-b' cannot train under torchrun \(2 processes\).*no mini-batches.*Fix: use a mini-batch solver"):
        AutoencoderEstimator(solver="l-bfgs-b", max_iter=2).fit(font.data)


def test_memory_mapped_shards_follow_the_one_process_order(tmp_path):
    from aekit.train import MemmapSource

    path = tmp_path / "x.npy"
    np.save(path, np.arange(46, dtype=np.float32).reshape(23, 2))
    source = MemmapSource(path, chunk_size=7)
    order = [x[:, 0].tolist() for x, _ in source.batches(5, torch.Generator().manual_seed(1))]
    shards = [[x[:, 0].tolist() for x, _ in ShardedSource(source, r, 2).batches(5, torch.Generator().manual_seed(1))] for r in range(2)]
    assert [a + b for a, b in zip(*shards)] == order


@pytest.mark.slow
def test_aekit_train_under_torchrun_writes_once_and_matches_one_process(tmp_path):
    args = ["train", "--data", "font", "--hidden-sizes", "8", "--batch-size", "8", "--max-iter", "3", "--random-state", "0", "--quiet"]
    done = _torchrun("-m", "aekit", *args, "--checkpoint-every", "1", "--out", tmp_path / "ddp")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("trained 3 epochs") == 1  # rank 0 alone reports and writes
    assert sorted(p.name for p in (tmp_path / "ddp" / "checkpoints").glob("checkpoint-*")) == [
        f"checkpoint-00000{i}.safetensors" for i in (1, 2, 3)]
    one = subprocess.run([sys.executable, "-m", "aekit", *args, "--out", str(tmp_path / "one")], capture_output=True, text=True)
    assert one.returncode == 0, one.stderr
    from safetensors.torch import load_file

    a, b = load_file(str(tmp_path / "ddp" / "model.safetensors")), load_file(str(tmp_path / "one" / "model.safetensors"))
    assert all(torch.allclose(a[k], b[k], rtol=0, atol=TOLERANCE) for k in a)
