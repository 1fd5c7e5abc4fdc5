"""Semantic hashing on MNIST: mAP@k of aekit's codes beside random-projection LSH and PCA-ITQ.

A database of training images is hashed; test images are the queries; a retrieved image is
relevant when it shows the same digit. Prints a Markdown table of mAP@k per number of bits.
By default: the two baselines, aekit hash's default code (stochastic binary neurons) and the
previous one (straight-through binary); ``--all`` adds every other variant tried in issue 15.

    AEKIT_DATA=../shared/data .venv/bin/python benchmarks/hashing.py --all
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from aekit import AutoencoderEstimator
from aekit.apps.hashing import fit_itq, fit_rotation, hamming_search, hash_codes, mean_average_precision, pack_bits
from aekit.datasets.idx import read_idx
from _data import shared_data


def lsh_bits(train: np.ndarray, X_db: np.ndarray, X_q: np.ndarray, bits: int, seed: int):
    """Random-hyperplane LSH (Charikar 2002): signs of Gaussian projections of centred data."""
    W = np.random.default_rng(seed).normal(size=(train.shape[1], bits))
    mean = train.mean(0)
    return (X_db - mean) @ W > 0, (X_q - mean) @ W > 0


def itq_bits(train: np.ndarray, X_db: np.ndarray, X_q: np.ndarray, bits: int, seed: int):
    """PCA-ITQ (Gong & Lazebnik 2011, 50 iterations): aekit's fit_itq on the pixels."""
    itq = fit_itq(train, n_bits=bits, random_state=seed)
    return itq.bits(X_db), itq.bits(X_q)


HIDDEN = [256]


def _ae(train, bits, seed, epochs, **params):
    params = {"hidden_sizes": tuple(HIDDEN), "loss": "bce", "batch_size": 128, **params}
    return AutoencoderEstimator(latent_dim=bits, max_iter=epochs, random_state=seed, **params).fit(train)


def aekit_binary(train, X_db, X_q, bits, seed, epochs, **params):
    # The binary head batch-normalises its pre-activations, so bits stay balanced with either
    # loss (before that, bce collapsed every image onto one code).
    ae = _ae(train, bits, seed, epochs, **{"latent": "binary", **params})
    return hash_codes(ae, X_db), hash_codes(ae, X_q)


def aekit_thresholded(train, X_db, X_q, bits, seed, epochs, **params):
    ae = _ae(train, bits, seed, epochs, **params)
    median = np.median(ae.transform(train), axis=0)
    return hash_codes(ae, X_db, threshold=median), hash_codes(ae, X_q, threshold=median)


def aekit_itq(train, X_db, X_q, bits, seed, epochs, **params):
    ae = fit_rotation(_ae(train, bits, seed, epochs, **params), train, random_state=seed)
    return hash_codes(ae, X_db), hash_codes(ae, X_q)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data("mnist"))
    parser.add_argument("--database", type=int, default=10000, help="training images hashed (and trained on)")
    parser.add_argument("--queries", type=int, default=1000, help="test images used as queries")
    parser.add_argument("--k", type=int, default=1000, help="mAP@k")
    parser.add_argument("--epochs", type=int, default=100, help="training epochs of every autoencoder (aekit hash's default)")
    parser.add_argument("--bits", type=int, nargs="*", default=[16, 32, 64])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, default=512, help="width of the autoencoders' hidden layer (aekit hash's default)")
    parser.add_argument("--all", action="store_true", help="every variant tried, not only the baselines, aekit's default and the old one")
    parser.add_argument("--only", nargs="*", default=None, help="run only the methods whose name contains one of these words")
    args = parser.parse_args()
    HIDDEN[:] = [args.hidden]
    torch.set_num_threads(1)
    threadpool_limits(1)  # numpy's BLAS too: the machine's cores are shared
    started = time.perf_counter()
    X_db = read_idx(args.data / "train-images-idx3-ubyte.gz")[: args.database].reshape(args.database, -1) / 255.0
    y_db = read_idx(args.data / "train-labels-idx1-ubyte.gz")[: args.database]
    X_q = read_idx(args.data / "t10k-images-idx3-ubyte.gz")[: args.queries].reshape(args.queries, -1) / 255.0
    y_q = read_idx(args.data / "t10k-labels-idx1-ubyte.gz")[: args.queries]
    X_db, X_q = X_db.astype(np.float32), X_q.astype(np.float32)

    e = args.epochs
    methods = {
        "LSH (random projections)": lambda b: lsh_bits(X_db, X_db, X_q, b, args.seed),
        "PCA-ITQ": lambda b: itq_bits(X_db, X_db, X_q, b, args.seed),
        "aekit AE, stochastic binary latent (bce), aekit hash's default": lambda b: aekit_binary(
            X_db, X_db, X_q, b, args.seed, e, latent="stochastic_binary"),
        "aekit AE, binary latent (bce)": lambda b: aekit_binary(X_db, X_db, X_q, b, args.seed, e),
    }
    if args.all:
        methods |= {
            "aekit AE, binary latent (mse)": lambda b: aekit_binary(X_db, X_db, X_q, b, args.seed, e, loss="mse"),
            "aekit AE, median-thresholded code (bce)": lambda b: aekit_thresholded(X_db, X_db, X_q, b, args.seed, e),
            "aekit AE, real code + ITQ (bce)": lambda b: aekit_itq(X_db, X_db, X_q, b, args.seed, e),
        }
    if args.only:
        methods = {k: v for k, v in methods.items() if any(w.lower() in k.lower() for w in args.only)}
    rows = {}
    for name, method in methods.items():
        for bits in args.bits:
            t = time.perf_counter()
            db_bits, q_bits = method(bits)
            result = hamming_search(pack_bits(q_bits), pack_bits(db_bits), k=args.k)
            rows.setdefault(name, []).append((mean_average_precision(y_q, y_db, result.indices), time.perf_counter() - t))
    print("| method | " + " | ".join(f"mAP@{args.k}, {b} bits" for b in args.bits) + " | seconds (all bit sizes) |")
    print("|---|" + "---|" * (len(args.bits) + 1))
    for name, cells in rows.items():
        print(f"| {name} | " + " | ".join(f"{m:.3f}" for m, _ in cells) + f" | {sum(s for _, s in cells):.0f} |")
    print(f"\ndatabase {args.database} training images, {args.queries} test queries, aekit 784-{args.hidden}-bits-"
          f"{args.hidden}-784, {args.epochs} epochs, seed {args.seed}; "
          f"wall time {time.perf_counter() - started:.0f} s, torch {torch.__version__}, 1 thread")


if __name__ == "__main__":
    main()
