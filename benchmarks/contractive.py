"""Does a stochastic contractive penalty train the same autoencoder as the exact one?

``contractive_estimator="hutchinson"`` and ``"columns"`` replace ||J_f(x)||_F^2 by unbiased
one-probe estimates (their speed is in ``benchmarks/speed.py``). Unbiased gradients do not
by themselves promise the same model after a fixed number of steps: the noise could slow
training. Here one contractive autoencoder (784-256-32, ReLU, sigmoid code, weight 0.1, Adam,
batch 128) is trained on MNIST with each estimator from the same initial weights, and the
results are scored exactly on held-out images: the mean exact ||J||_F^2, the per-pixel
reconstruction MSE, and the fit time. A plain autoencoder is the reference without the term.

    python benchmarks/contractive.py [--data ../shared/data/mnist] [--train 10000] [--epochs 20]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

from _data import shared_data
from aekit import AutoencoderEstimator
from aekit.datasets import load_mnist
from aekit.contractive import contractive_penalty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data("mnist"))
    parser.add_argument("--train", type=int, default=10000)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--weight", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)
    X = load_mnist(subset="train", data_dir=args.data).data[: args.train]
    X_test = load_mnist(subset="test", data_dir=args.data).data[: args.test]
    x_test = torch.as_tensor(X_test, dtype=torch.float32)

    print(f"MNIST {len(X)} training / {len(X_test)} test images, 784-256-32-256-784, {args.epochs} epochs, seed {args.seed}")
    print(f"{'estimator':>10} {'test ||J||_F^2':>14} {'test MSE/pixel':>14} {'fit seconds':>11}")
    for name in ("none", "exact", "hutchinson", "columns"):
        estimator = AutoencoderEstimator(
            hidden_sizes=(256,), latent_dim=32, latent_activation="sigmoid", batch_size=128, max_iter=args.epochs,
            contractive_weight=0.0 if name == "none" else args.weight,
            contractive_estimator="exact" if name == "none" else name, random_state=args.seed,
        ).fit(X)  # fmt: skip
        model = estimator.model_.eval()
        with torch.no_grad():  # the dense encoder's exact norm needs no autograd
            mse = float(((estimator.reconstruct(X_test) - X_test) ** 2).mean())
            norm = float(contractive_penalty(model, x_test, model(x_test)))
        print(f"{name:>10} {norm:>14.3f} {mse:>14.5f} {estimator.fit_seconds_:>11.1f}")


if __name__ == "__main__":
    main()
