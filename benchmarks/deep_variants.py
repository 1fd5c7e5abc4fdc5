"""Variants of the deep MNIST autoencoder (784-1000-500-250-30): what moves the test error.

``benchmarks/quality.py`` runs the chosen recipe against Hinton & Salakhutdinov's 3.00; this
script runs one variant per call, so that each row of the "Deep autoencoder" table in
docs/benchmarks.md can be rerun: hidden activation, loss, input noise, weight decay, and
greedy layer-wise pre-training (``aekit.estimators.stacked.pretrain_stacked``) before fine-tuning. It
prints the test SSE (mean over the 10,000 test images of the squared error summed over 784
pixels) every ``--every`` epochs, then the final train and test SSE. Usage::

    python benchmarks/deep_variants.py --activation tanh
    python benchmarks/deep_variants.py --activation relu --noise gaussian --noise-level 0.1
    python benchmarks/deep_variants.py --activation relu --solver adamw --weight-decay 0.3
    python benchmarks/deep_variants.py --activation tanh --pretrain 5 --epochs 45
"""

from __future__ import annotations

import argparse
import os

import _threads  # noqa: E402,F401  (before numpy/torch: sets the BLAS/OpenMP threads from --threads)
from _data import shared_data  # noqa: E402

import time  # noqa: E402

import torch  # noqa: E402

from aekit import AutoencoderEstimator  # noqa: E402
from aekit.datasets import load_mnist  # noqa: E402
from aekit.metrics import reconstruction_error  # noqa: E402
from aekit.estimators.stacked import pretrain_stacked  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir", default=str(shared_data("mnist")))
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--loss", default="bce")
    parser.add_argument("--solver", default="adam")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--noise", default=None)
    parser.add_argument("--noise-level", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=50, help="(fine-tuning) epochs of the cosine schedule")
    parser.add_argument("--pretrain", type=int, default=0, help="epochs of layer-wise pre-training per layer (0: none)")
    parser.add_argument("--every", type=int, default=10, help="print the test SSE every this many epochs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train = load_mnist("train", data_dir=args.data_dir, download=False).data
    test = load_mnist("test", data_dir=args.data_dir, download=False).data
    params = dict(
        activation=args.activation, loss=args.loss, solver=args.solver, learning_rate=args.learning_rate,
        learning_rate_schedule="cosine", weight_decay=args.weight_decay, noise=args.noise, noise_level=args.noise_level,
        batch_size=args.batch_size, max_iter=args.epochs, random_state=0,
    )  # fmt: skip
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}; {vars(args)}", flush=True)

    start = time.perf_counter()
    if args.pretrain:  # pretrain_stacked builds and fits the deep model itself: no per-epoch test error
        estimator = pretrain_stacked(train, (1000, 500, 250), 30, pretrain_iter=args.pretrain, **params).estimator
    else:
        estimator = AutoencoderEstimator(hidden_sizes=(1000, 500, 250), latent_dim=30, **params)
        estimator.fit(train, callbacks=[TestError(estimator, test, args.every, args.epochs)])
    total = time.perf_counter() - start
    print(f"train SSE {sse(estimator, train):.3f}, test SSE {sse(estimator, test):.3f}; "
          f"fit {estimator.fit_seconds_:.0f} s (fine-tuning), {total:.0f} s in all")  # fmt: skip


class TestError:
    """Prints the test SSE every ``every`` epochs and after the last one."""

    def __init__(self, estimator: AutoencoderEstimator, test, every: int, epochs: int):
        self.estimator, self.test, self.every, self.epochs = estimator, test, every, epochs

    def on_epoch_end(self, index: int, logs: dict) -> None:
        if (index + 1) % self.every == 0 or index + 1 == self.epochs:
            error = sse(self.estimator, self.test)
            print(f"  epoch {index + 1}: loss {logs['loss']:.3f}, test SSE {error:.3f}, {logs['seconds']:.0f} s", flush=True)


def sse(estimator: AutoencoderEstimator, x) -> float:
    return float(reconstruction_error(x, estimator.reconstruct(x)).per_sample.mean())


if __name__ == "__main__":
    main()
