"""Issue 15's screen of anomaly-score variants on the ODDS sets (seed 0 unless --seeds): how the
default ``AnomalyDetector`` score was chosen. Prints one line per set and the mean ROC-AUC over
all nine sets and over issue 15's five (cardio, mnist, pendigits, satellite, shuttle).

Each run fits ``--members`` autoencoders (``AnomalyDetector`` with its defaults, ``scaler="none"``
on features standardised here once, ``code_score="none"``, ``max_steps=None``), each on
``--rows`` rows drawn without replacement (0: all rows) for ``--epochs`` epochs, or fewer when
``--max-steps`` caps the mini-batch steps (batch 64). From the same fitted members it scores
five ways; with several members each member's score is first standardised (``--combine``:
"mad" = (s - median) / MAD over its training rows, "median" = s / median), then averaged:

- ``feat``: each feature's error over its median training error, summed (issue 14's default);
- ``lat1``: ``feat`` over its training median plus the code's squared Mahalanobis distance from
  the training codes over its training median (what ``code_score="mahalanobis"`` computes);
- ``latR``: as ``lat1`` with the codes' mean and covariance estimated robustly (scikit-learn's
  ``MinCovDet``, the minimum covariance determinant), so the anomalies in the training rows
  do not widen it;
- ``latK``: as ``lat1`` with the squared distance to the 10th nearest of (at most 2,048)
  whitened training codes instead of the Mahalanobis distance (a density that allows clusters);
- ``latKm``: as ``latK``, a training row counting itself among its neighbours, and the
  distance over the median *Mahalanobis* distance (both are squared distances between whitened
  codes), which stays away from 0 when codes repeat (duplicate rows, binary codes);
- ``latz``: as ``lat1``, each part standardised by its median and MAD over the training rows
  (a part whose training values spread more counts less);
- ``nll``: a Gaussian negative log-likelihood, 0.4549 * ``feat`` + Mahalanobis (0.4549 turns
  a median of squared normal residuals into their variance), no per-part medians;
- ``onman``: ``feat`` over its median plus the reconstruction's squared distance from the
  centre (standardised units) over its median;
``--trim q`` refits each member, from its weights, without the fraction q of its rows it
reconstructs worst (the contamination, so that it is not learned).

- ``codeE``: ``feat`` over its median plus the code's squared Euclidean distance from the mean
  code over its median.

    AEKIT_DATA=../shared/data python benchmarks/anomaly_screen.py --members 1 --epochs 100 --max-steps 5000
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets thread counts before numpy/torch load)

import argparse
import time

import numpy as np
import scipy.io
import torch
from sklearn.covariance import MinCovDet
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from _data import shared_data
from aekit import AnomalyDetector

SETS = ["arrhythmia", "cardio", "ionosphere", "letter", "mnist", "pendigits", "pima", "satellite", "shuttle"]
FIVE = ["cardio", "mnist", "pendigits", "satellite", "shuttle"]
VARIANTS = ("feat", "lat1", "latR", "latK", "latKm", "latz", "nll", "onman", "codeE")


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    mat = scipy.io.loadmat(shared_data("odds") / f"{name}.mat")
    return mat["X"].astype(np.float64), mat["y"].ravel().astype(int)


def splits(name: str, seeds: int):
    """Issue 15's protocol for one set: per seed, a stratified 60/40 split (X_train, X_test, y_test)."""
    X, y = load(name)
    for seed in range(seeds):
        X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
        yield seed, X_train, X_test, y_test


def record(results: dict[str, dict[str, list[float]]], name: str, totals: dict[str, np.ndarray], y_test: np.ndarray,
           seconds: float) -> None:
    """Add one split's seconds and each variant's ROC-AUC on the test rows to ``results``."""
    results["seconds"].setdefault(name, []).append(seconds)
    for variant, s in totals.items():
        results[variant].setdefault(name, []).append(roc_auc_score(y_test, s))


def print_set(results: dict[str, dict[str, list[float]]], name: str, variants, prefix: str = "") -> None:
    """One set's line: each variant's mean ROC-AUC over the seeds so far, and the mean seconds."""
    print(name, *([prefix] if prefix else []), " ".join(f"{v} {np.mean(results[v][name]):.3f}" for v in variants),
          f"{np.mean(results['seconds'][name]):.1f} s", flush=True)


def print_summary(results: dict[str, dict[str, list[float]]], variants) -> None:
    """Each variant's mean ROC-AUC over the sets it scored and over the five, and the total seconds."""
    for variant in variants:
        per = results[variant]
        if not per:
            continue
        five = [np.mean(per[n]) for n in FIVE if n in per]
        print(f"{variant}: mean ROC-AUC {np.mean([np.mean(v) for v in per.values()]):.3f} over {len(per)} sets, "
              f"{np.mean(five) if five else float('nan'):.3f} over {len(five)} of the five")
    print(f"total seconds {sum(sum(v) for v in results['seconds'].values()):.0f}")


def standardise(train: np.ndarray, test: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    if kind == "robust":
        shift = np.median(train, 0)
        q25, q75 = np.percentile(train, [25, 75], axis=0)
        scale = np.where(q75 - q25 > 1e-12, q75 - q25, train.std(0))
    else:
        shift, scale = train.mean(0), train.std(0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    return (train - shift) / scale, (test - shift) / scale


def mahalanobis(codes_train: np.ndarray, codes: np.ndarray) -> np.ndarray:
    mean = codes_train.mean(0)
    cov = np.atleast_2d(np.cov(codes_train - mean, rowvar=False))
    precision = np.linalg.pinv(cov + 1e-6 * np.trace(cov) / len(cov) * np.eye(len(cov)))
    return np.einsum("ij,jk,ik->i", codes - mean, precision, codes - mean)


def nearest_code_distance(codes_train: np.ndarray, codes: np.ndarray, train: bool, k: int = 10) -> np.ndarray:
    """Squared distance to the k-th nearest of (at most 2,048) whitened training codes."""
    from sklearn.neighbors import NearestNeighbors

    mean = codes_train.mean(0)
    cov = np.atleast_2d(np.cov(codes_train - mean, rowvar=False))
    w, v = np.linalg.eigh(cov + 1e-6 * np.trace(cov) / len(cov) * np.eye(len(cov)))
    white = lambda c: (c - mean) @ v / np.sqrt(w)  # noqa: E731
    reference = white(codes_train[np.random.default_rng(0).permutation(len(codes_train))[:2048]])
    nn = NearestNeighbors(n_neighbors=min(k + 1, len(reference))).fit(reference)
    distances = nn.kneighbors(white(codes))[0]
    return distances[:, -1 if train else -2] ** 2  # a training row finds itself first


def member_scores(det: AnomalyDetector, train: np.ndarray, test: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """variant -> (scores of the member's training rows, of the test rows); higher = more anomalous."""
    r = [-det.score_samples(x) for x in (train, test)]
    z = [det.transform(x).astype(np.float64) for x in (train, test)]
    m = [mahalanobis(z[0], zz) for zz in z]
    knn = [nearest_code_distance(z[0], zz, train=i == 0) for i, zz in enumerate(z)]
    knn_self = [nearest_code_distance(z[0], zz, train=False) for zz in z]  # a training row counts itself
    mcd = MinCovDet(random_state=0).fit(z[0])
    mr = [mcd.mahalanobis(zz) for zz in z]
    e = [((zz - z[0].mean(0)) ** 2).sum(1) for zz in z]
    o = [(det.reconstruct(x) ** 2).sum(1) for x in (train, test)]
    med = lambda parts: np.median(parts[0])  # noqa: E731
    both = lambda a, b: tuple(a[i] / med(a) + b[i] / med(b) for i in (0, 1))  # noqa: E731
    mad = lambda parts: np.median(np.abs(parts[0] - med(parts))) + 1e-12  # noqa: E731
    zsum = lambda a, b: tuple((a[i] - med(a)) / mad(a) + (b[i] - med(b)) / mad(b) for i in (0, 1))  # noqa: E731
    return {
        "feat": tuple(r), "lat1": both(r, m), "latR": both(r, mr), "latK": both(r, knn),
        "latKm": tuple(r[i] / med(r) + knn_self[i] / med(m) for i in (0, 1)), "latz": zsum(r, m), "nll": tuple(0.4549 * r[i] + m[i] for i in (0, 1)),
        "onman": both(r, o), "codeE": both(r, e),
    }


def run(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {v: {} for v in (*VARIANTS, "seconds")}
    for name in args.sets:
        for seed, X_train, X_test, y_test in splits(name, args.seeds):
            started = time.perf_counter()
            A, B = standardise(X_train, X_test, args.scaler)
            rng = np.random.default_rng(seed)
            totals = {v: np.zeros(len(B)) for v in VARIANTS}
            for _ in range(args.members):
                rows = rng.choice(len(A), min(len(A), args.rows), replace=False) if args.rows else np.arange(len(A))
                epochs = args.epochs
                if args.max_steps:
                    epochs = max(1, min(epochs, args.max_steps // -(-len(rows) // 64)))
                seed_k = int(rng.integers(2**31)) if args.members > 1 else seed
                make = lambda: AnomalyDetector(  # noqa: E731
                    max_iter=epochs, random_state=seed_k, scaler="none", code_score="none", max_steps=None,
                    latent_dim=args.latent_dim,
                )
                det = make().fit(A[rows])
                if args.trim:  # refit on the rows the first fit reconstructs best, from the first fit's weights
                    errors = -det.score_samples(A[rows])
                    rows = rows[errors <= np.quantile(errors, 1.0 - args.trim)]
                    det = make().fit(A[rows], initial_state=det.model_.state_dict())
                for variant, (s_train, s_test) in member_scores(det, A[rows], B).items():
                    if args.members == 1:
                        totals[variant] += s_test
                    elif args.combine == "mad":
                        centre = np.median(s_train)
                        totals[variant] += (s_test - centre) / (np.median(np.abs(s_train - centre)) + 1e-12)
                    else:
                        totals[variant] += s_test / np.median(s_train)
            record(results, name, totals, y_test, time.perf_counter() - started)
        print_set(results, name, VARIANTS)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=SETS)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--members", type=int, default=1)
    parser.add_argument("--rows", type=int, default=0, help="rows each member trains on (0: all)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--max-steps", type=int, default=0, help="cap on mini-batch steps per member (0: none)")
    parser.add_argument("--trim", type=float, default=0.0, help="refit without this fraction of highest-error rows")
    parser.add_argument("--combine", choices=["mad", "median"], default="median")
    parser.add_argument("--scaler", choices=["standard", "robust"], default="standard")
    parser.add_argument("--latent-dim", default="auto", type=lambda v: v if v == "auto" else int(v))
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)
    print_summary(run(args), VARIANTS)


if __name__ == "__main__":
    main()
