"""Data-parallel throughput: one process against two under torchrun (issue 12).

784-512-784 on MNIST at a global batch of 1000, one thread per process. Each measurement is a
fresh launch (``python benchmarks/distributed.py --worker`` for one process, ``python -m
torch.distributed.run --nproc_per_node=2 ... --worker`` for two), alternating; the worker times
``fit`` after a warm-up and rank 0 prints samples/s, so start-up and import are not counted.
A one-process run with two threads is timed too: it is what the second core would otherwise
do. Usage::

    AEKIT_DATA=../shared/data python benchmarks/distributed.py            # 10000 images, 2 epochs, 3 rounds
    AEKIT_DATA=../shared/data python benchmarks/distributed.py --device cuda --nproc 1
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _worker(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(args.threads)
    from checkpoint_overhead import mnist_images

    from aekit import AutoencoderEstimator

    X = mnist_images(args.samples)

    def fit(n: int, epochs: int, **extra) -> float:
        estimator = AutoencoderEstimator(
            hidden_sizes=(), latent_dim=512, latent_activation="relu", output_activation="sigmoid", batch_size=1000,
            max_iter=epochs, random_state=0, device=args.device,
        )  # fmt: skip
        start = time.perf_counter()
        estimator.fit(X[:n], **extra)
        if args.device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    fit(2000, 1)  # warm-up: the process group, DDP's buckets, the allocator
    seconds = fit(len(X), args.epochs)
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps({"samples_per_s": len(X) * args.epochs / seconds, "seconds": seconds}), flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(nproc: int, threads: int, args: argparse.Namespace) -> float:
    worker = [str(Path(__file__).resolve()), "--worker", "--samples", str(args.samples), "--epochs", str(args.epochs),
              "--threads", str(threads), "--device", args.device]  # fmt: skip
    if nproc == 1:
        command = [sys.executable, *worker]
    else:
        command = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}", "--master_addr=127.0.0.1",
                   f"--master_port={_free_port()}", *worker]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    return json.loads(line)["samples_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--nproc", type=int, default=2, help="processes of the data-parallel side")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args)
        return
    print(f"command: python benchmarks/distributed.py {' '.join(sys.argv[1:])}")
    print(f"784-512-784, global batch 1000, {args.samples} MNIST images, {args.epochs} epochs, device {args.device}, median of {args.rounds} rounds")
    sides = {"1 process, 1 thread": (1, 1), f"{args.nproc} processes (DDP), 1 thread each": (args.nproc, 1)}
    if args.device == "cpu":
        sides["1 process, 2 threads"] = (1, 2)
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for r in range(args.rounds):
        for name, (nproc, threads) in sides.items():
            rates[name].append(_launch(nproc, threads, args))
        print(f"  round {r + 1}: " + ", ".join(f"{name} {v[-1]:,.0f}/s" for name, v in rates.items()))
    base = statistics.median(rates["1 process, 1 thread"])
    print("| side | samples/s (median) | vs 1 process |")
    print("|---|---|---|")
    for name, values in rates.items():
        print(f"| {name} | {statistics.median(values):,.0f} | {statistics.median(values) / base:.2f}x |")


if __name__ == "__main__":
    main()
