"""Greedy layer-wise pre-training on MNIST: classifier accuracy on the codes, with and without.

A stacked denoising autoencoder 784-256-64-16 (masking noise 0.2, Adam) is trained twice with
the same fine-tuning budget: once from random weights, once after pre-training each layer as
a shallow denoising autoencoder on the codes below it (Vincent et al. 2010). A logistic
regression is then fit on the 16-D codes; raw pixels and PCA-16 are the references.

    python benchmarks/pretraining.py --data ../shared/data/mnist [--train 10000] [--test 2000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

from _data import shared_data
from aekit import AutoencoderEstimator
from aekit.apps.features import compare_features
from aekit.datasets import load_mnist
from aekit.estimators.stacked import pretrain_stacked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data("mnist"))
    parser.add_argument("--train", type=int, default=10000)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--pretrain-epochs", type=int, default=5)
    parser.add_argument("--finetune-epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)
    train = load_mnist(subset="train", data_dir=args.data)
    test = load_mnist(subset="test", data_dir=args.data)
    X, y = train.data[: args.train], train.target[: args.train]
    X_test, y_test = test.data[: args.test], test.target[: args.test]
    params = dict(activation="relu", loss="bce", noise="masking", noise_level=0.2, batch_size=128,
                  max_iter=args.finetune_epochs, random_state=args.seed)

    rows = []
    start = time.perf_counter()
    plain = AutoencoderEstimator(hidden_sizes=(256, 64), latent_dim=16, **params).fit(X)
    rows.append(("no pre-training", compare_features(plain, X, y, X_test, y_test), time.perf_counter() - start,
                 plain.reconstruction_error(X_test).mean()))
    start = time.perf_counter()
    stacked = pretrain_stacked(X, (256, 64), 16, pretrain_iter=args.pretrain_epochs, **params).estimator
    rows.append(("greedy pre-training", compare_features(stacked, X, y, X_test, y_test), time.perf_counter() - start,
                 stacked.reconstruction_error(X_test).mean()))

    print(f"MNIST: {args.train} training, {args.test} test images; 784-256-64-16 denoising AE, "
          f"{args.pretrain_epochs} pre-training epochs per layer, {args.finetune_epochs} fine-tuning epochs\n")
    print("| model | test accuracy on 16-D codes | raw pixels | PCA-16 | test bce per image | seconds |")
    print("|---|---|---|---|---|---|")
    for name, result, seconds, bce in rows:
        print(f"| {name} | {result.code:.3f} | {result.raw:.3f} | {result.pca:.3f} | {bce:.1f} | {seconds:.0f} |")


if __name__ == "__main__":
    main()
