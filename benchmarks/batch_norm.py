"""batch_norm=True beyond the font: held-out reconstruction on digits and an MNIST subset.

Checks that training with batch normalisation (folded into the weights when the fit ends) is
not a font-only trick: the same networks with and without it, Adam, BCE, mini-batches, three
seeds, test loss per image (summed BCE over pixels) after a fixed number of epochs. One torch
thread; seconds are upper bounds on a shared machine.

    python benchmarks/batch_norm.py [--seeds 3] [--only digits|mnist]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from _data import shared_data
from aekit import AutoencoderEstimator
from aekit.datasets import load_digits, load_mnist

# name -> (network, training settings); lr 1e-3 is Adam's usual step, 0.01 a large one
SETUPS = {
    "digits": dict(hidden_sizes=(32, 16), latent_dim=2, batch_size=64, max_iter=100),
    "mnist": dict(hidden_sizes=(256, 64), latent_dim=8, batch_size=128, max_iter=10),
}
VARIANTS = {
    "glorot, lr 1e-3": dict(learning_rate=1e-3),
    "data init, lr 1e-3": dict(learning_rate=1e-3, weight_init="data"),
    "data init, batch norm, lr 1e-3": dict(learning_rate=1e-3, weight_init="data", batch_norm=True),
    "glorot, lr 0.01": dict(learning_rate=0.01),
    "data init, lr 0.01": dict(learning_rate=0.01, weight_init="data"),
    "data init, batch norm, lr 0.01": dict(learning_rate=0.01, weight_init="data", batch_norm=True),
}


def data(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "digits":
        X = load_digits().data
        order = np.random.default_rng(0).permutation(len(X))
        return X[order[:1400]], X[order[1400:]]
    train = load_mnist("train", data_dir=shared_data("mnist"), download=False).data
    test = load_mnist("test", data_dir=shared_data("mnist"), download=False).data
    return train[:10000], test[:2000]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", choices=list(SETUPS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)
    print("| data | network | variant | test BCE per image, seeds 0.." f"{args.seeds - 1} | mean | seconds per fit |")
    print("|---|---|---|---|---|---|")
    for name, setup in SETUPS.items():
        if args.only and name != args.only:
            continue
        train, test = data(name)
        network = f"{train.shape[1]}-{'-'.join(map(str, setup['hidden_sizes']))}-{setup['latent_dim']} relu"
        for label, settings in VARIANTS.items():
            losses, start = [], time.perf_counter()
            for seed in range(args.seeds):
                est = AutoencoderEstimator(activation="relu", loss="bce", random_state=seed, **setup, **settings)
                losses.append(float(est.fit(train).reconstruction_error(test).mean()))
            seconds = (time.perf_counter() - start) / args.seeds
            cells = ", ".join(f"{v:.2f}" for v in losses)
            print(f"| {name} | {network} | {label} | {cells} | {np.mean(losses):.2f} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
