"""What checkpointing every epoch costs: 784-512-784 on MNIST at batch 128 (issue 12).

Fits with and without ``checkpoint_dir=..., checkpoint_every=1`` alternate (A, B, A, B, ...)
so the load of a shared machine falls on both alike; the medians of the fit times are
compared. A subset of MNIST keeps the run short: a shorter epoch makes the fixed cost of a
checkpoint a larger share, so the measured overhead is an upper bound for full MNIST epochs.
The cost of one checkpoint write (safetensors bytes, SHA-256, write, fsync, rename) is also
timed on its own. Usage::

    python benchmarks/checkpoint_overhead.py                  # 10000 images, 3 epochs, 5 pairs
    python benchmarks/checkpoint_overhead.py --samples 60000  # full epochs
"""

from __future__ import annotations

import argparse
import os
import sys

import _threads  # noqa: E402,F401  (before numpy/torch: sets the BLAS/OpenMP threads from --threads)

import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from aekit import AutoencoderEstimator  # noqa: E402
from aekit.datasets import load_mnist  # noqa: E402
from aekit.train.checkpoint import Checkpointer, Checkpointing  # noqa: E402


def data_dir() -> Path:
    """MNIST's folder: $AEKIT_DATA/mnist, else ../shared/data/mnist beside the repository."""
    root = os.environ.get("AEKIT_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    return Path(root) / "mnist"


def mnist_images(n: int) -> np.ndarray:
    images = np.ascontiguousarray(load_mnist(data_dir=data_dir(), download=False).data[:n], dtype=np.float32)
    return images / 255.0 if images.max() > 1 else images


def fit_seconds(X: np.ndarray, epochs: int, checkpoint_dir: str | None) -> float:
    estimator = AutoencoderEstimator(
        hidden_sizes=(), latent_dim=512, latent_activation="relu", output_activation="sigmoid", batch_size=128,
        max_iter=epochs, random_state=0,
    )  # fmt: skip
    start = time.perf_counter()
    extra = {"checkpoint_dir": checkpoint_dir, "checkpoint_every": 1} if checkpoint_dir else {}
    estimator.fit(X, **extra)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X = mnist_images(args.samples)
    print(f"command: python benchmarks/checkpoint_overhead.py {' '.join(sys.argv[1:])}")
    print(f"784-512-784, batch 128, {len(X)} MNIST images, {args.epochs} epochs per fit, {args.threads} thread(s), {args.pairs} pairs")
    fit_seconds(X[:1000], 1, None)  # warm-up
    without, with_ = [], []
    with tempfile.TemporaryDirectory(dir=".") as folder:  # the disk the runs would write to
        for i in range(args.pairs):
            without.append(fit_seconds(X, args.epochs, None))
            with_.append(fit_seconds(X, args.epochs, f"{folder}/run{i}"))
            print(f"  pair {i + 1}: without {without[-1]:.2f} s, with {with_[-1]:.2f} s")
        checkpointer = Checkpointer(Checkpointing(Path(folder) / "alone", every=1))
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.Linear(512, 784))
        tensors = {f"{k}.{part}": v.detach().clone() for k, v in model.state_dict().items() for part in ("w", "m", "v")}
        size = sum(t.numel() * 4 for t in tensors.values())
        writes = []
        for epoch in range(1, 8):
            start = time.perf_counter()
            checkpointer.save(epoch, tensors, {"history": {"loss": [1.0] * epoch}})
            writes.append(time.perf_counter() - start)
    a, b = statistics.median(without), statistics.median(with_)
    print(f"median fit: without {a:.3f} s, with a checkpoint every epoch {b:.3f} s: {100 * (b / a - 1):+.1f}%")
    print(f"one checkpoint write ({size / 1e6:.1f} MB: weights and Adam's two moments): median {1000 * statistics.median(writes):.0f} ms")
    print(f"per epoch: {a / args.epochs:.2f} s of training; a full 60000-image epoch is ~{60000 / len(X):.0f}x longer")


if __name__ == "__main__":
    main()
