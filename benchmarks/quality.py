"""Reconstruction quality against published figures (issue 6, quality part).

1. The 5x7 font with a 2-D code (the classic assignment): epochs and seconds until all 32
   characters are reconstructed with 0 wrong pixels, checked after every epoch by a callback
   that stops the fit. Goal: at most 300 epochs and 5 s.
2. The Keras blog's "simplest possible autoencoder" (Chollet, "Building Autoencoders in
   Keras", 2016): 784-32-784, ReLU code, sigmoid output, Adam, batch 256, 50 epochs on the
   MNIST training images; per-pixel binary cross-entropy on the test images, published ~0.09.
   aekit's bce is summed over pixels per sample, so it is divided by 784 here.

The deep MNIST autoencoder and the MNIST VAE of the issue (20 and 30 minutes) are not run.
Usage::

    python benchmarks/quality.py [--threads 1] [--seeds 5] [--keras-epochs 50]
"""

from __future__ import annotations

import argparse
import os
import sys

_THREADS = "1"
for _i, _arg in enumerate(sys.argv):  # before numpy/torch are imported: BLAS reads these once
    if _arg == "--threads" and _i + 1 < len(sys.argv):
        _THREADS = sys.argv[_i + 1]
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = _THREADS

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from aekit import AutoencoderEstimator  # noqa: E402
from aekit.datasets import load_font, load_mnist  # noqa: E402
from aekit.metrics import wrong_pixels  # noqa: E402


class StopWhenPerfect:
    """Stops the fit after the first epoch whose reconstructions have no wrong pixel."""

    def __init__(self, estimator: AutoencoderEstimator, data: np.ndarray):
        self.estimator, self.data = estimator, data
        self.epochs: int | None = None

    def on_epoch_end(self, index: int, logs: dict) -> bool:
        if wrong_pixels(self.data, self.estimator.reconstruct(self.data)).max() == 0:
            self.epochs = index + 1
            return True
        return False


def font_run(seed: int, max_epochs: int) -> tuple[int | None, float, int]:
    font = load_font()
    estimator = AutoencoderEstimator(
        hidden_sizes=(20,), latent_dim=2, activation="tanh", loss="bce",
        solver="adam", learning_rate=0.05, batch_size=32, max_iter=max_epochs, random_state=seed,
    )  # fmt: skip  (the README's example)
    stop = StopWhenPerfect(estimator, font.data)
    start = time.perf_counter()
    estimator.fit(font.data, callbacks=[stop])
    seconds = time.perf_counter() - start
    return stop.epochs, seconds, int(wrong_pixels(font.data, estimator.reconstruct(font.data)).sum())


def keras_run(data_dir: str, epochs: int) -> tuple[float, float, float]:
    train = load_mnist("train", data_dir=data_dir, download=False).data  # float32 in [0, 1] already
    test = load_mnist("test", data_dir=data_dir, download=False).data
    estimator = AutoencoderEstimator(
        hidden_sizes=(), latent_dim=32, latent_activation="relu", loss="bce", solver="adam",
        learning_rate=1e-3, batch_size=256, max_iter=epochs, random_state=0,
    )  # fmt: skip
    start = time.perf_counter()
    estimator.fit(train)
    seconds = time.perf_counter() - start
    per_pixel = lambda x: float(estimator.reconstruction_error(x).mean() / x.shape[1])  # noqa: E731
    return per_pixel(train), per_pixel(test), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch/OpenMP/BLAS threads (default 1)")
    parser.add_argument("--seeds", type=int, default=5, help="font runs, random_state 0..seeds-1")
    parser.add_argument("--max-epochs", type=int, default=300, help="font: the goal's epoch budget")
    parser.add_argument("--keras-epochs", type=int, default=50)
    parser.add_argument("--data-dir", default=os.environ.get("AEKIT_DATA", "/work/shared/data") + "/mnist")
    parser.add_argument("--skip", nargs="*", default=[], choices=["font", "keras"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, threads {torch.get_num_threads()}")

    if "font" not in args.skip:
        font_run(0, 2)  # warm-up: torch._dynamo import (first Adam)
        print("\nfont 5x7, 35-20-2-20-35 tanh, bce, Adam lr 0.05, batch 32 (goal: 0 wrong pixels in <= 300 epochs, <= 5 s)")
        print(f"{'seed':>4} {'epochs to 0 wrong':>17} {'seconds':>8} {'wrong pixels at end':>19}")
        epochs, seconds = [], []
        for seed in range(args.seeds):
            n, s, wrong = font_run(seed, args.max_epochs)
            epochs.append(n if n is not None else float("inf"))
            seconds.append(s)
            print(f"{seed:>4} {n if n is not None else 'not reached':>17} {s:>8.2f} {wrong:>19}")
        print(f"median: {statistics.median(epochs)} epochs, {statistics.median(seconds):.2f} s")

    if "keras" not in args.skip:
        train, test, seconds = keras_run(args.data_dir, args.keras_epochs)
        print(f"\nKeras tutorial 784-32-784 (ReLU code, sigmoid output), Adam 1e-3, batch 256, {args.keras_epochs} epochs, 60000 images")
        print(f"{'train BCE/pixel':>15} {'test BCE/pixel':>14} {'published':>9} {'fit seconds':>11}")
        print(f"{train:>15.4f} {test:>14.4f} {'~0.09':>9} {seconds:>11.1f}")


if __name__ == "__main__":
    main()
