"""Anomaly detection on the ODDS sets: aekit's detectors beside PyOD's and IsolationForest.

Each set is split 60/40 (stratified) per seed; every detector trains unsupervised on the 60 %
(outliers included, as in PyOD's benchmark) and is scored on the 40 % by ROC-AUC and PR-AUC
(average precision). Prints a Markdown table of mean (std) over seeds.

PyOD is not a dependency of aekit: run this from a separate environment, e.g.

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install torch==2.13.0 pyod==3.6.7 tqdm -e .
    /tmp/bench-venv/bin/python benchmarks/anomaly.py --data ../shared/data/odds

``--defaults`` is issue 15's protocol: every detector with its defaults on every set (no fewer
epochs for the big sets), ``--seeds`` seeds everywhere (from ``--first-seed``); "aekit AE" is then
also scored two more ways from the same fitted detector: by the reconstruction part of its score
alone ("error part": ``explain``'s per-feature contributions summed, i.e. the score less the
code's distance; with the default three members, their reconstruction parts averaged as the
score averages them) and by the plain reconstruction error of the detector's own (middle)
network ("plain error": what ``error_scaling="none", code_score="none", n_members=1`` would
score with that network); the table gains seconds per set. "aekit AE, Mahalanobis code" is the same network (same seed) scored with
``code_score="mahalanobis"``, the default before ``"neighbors"``::

    python benchmarks/anomaly.py --defaults --only "aekit AE" "aekit AE, Mahalanobis code" IsolationForest
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import scipy.io
import torch
from threadpoolctl import threadpool_limits
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split

from aekit import AnomalyDetector

FIVE = ["cardio", "mnist", "pendigits", "satellite", "shuttle"]  # the sets issue 15 quotes PyOD's VAE on
SETS = ["arrhythmia", "cardio", "ionosphere", "letter", "mnist", "pendigits", "pima", "satellite", "shuttle"]
# Big sets get one seed and fewer epochs so that the whole run stays near ten minutes on 2 cores:
# set -> (aekit epochs, PyOD VAE epochs); defaults are 100 and 30 (PyOD AutoEncoder keeps its 10).
BIG = {"mnist": (30, 10), "pendigits": (40, 10), "satellite": (40, 10), "shuttle": (10, 3)}


def load(data: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    mat = scipy.io.loadmat(data / f"{name}.mat")
    return mat["X"].astype(np.float64), mat["y"].ravel().astype(int)


MAHALANOBIS = "aekit AE, Mahalanobis code"  # the same network (same seed), scored as issue 15's first default
AEKIT_AND_BASELINE = ["aekit AE", MAHALANOBIS, "aekit VAE", "IsolationForest"]  # needs no PyOD


ERROR_PART = "aekit AE, error part"  # the same fitted "aekit AE", scored as code_score="none" scores
PLAIN = "aekit AE, plain error"  # ... and as error_scaling="none", code_score="none" scores


def detectors(name: str, seed: int, only: list[str] | None = None, defaults: bool = False) -> dict[str, object]:
    """name -> an unfitted detector; each gives anomaly scores (higher = more anomalous) via `scores`."""
    epochs, vae_epochs = (100, 30) if defaults else BIG.get(name, (100, 30))
    makers = {
        "aekit AE": lambda: AnomalyDetector(max_iter=epochs, random_state=seed),
        MAHALANOBIS: lambda: AnomalyDetector(code_score="mahalanobis", max_iter=epochs, random_state=seed),
        "aekit VAE": lambda: AnomalyDetector(latent="gaussian", max_iter=epochs, random_state=seed),
        "PyOD AutoEncoder": lambda: _pyod("auto_encoder", "AutoEncoder")(random_state=seed, verbose=0),
        "PyOD VAE": lambda: _pyod("vae", "VAE")(epoch_num=vae_epochs, random_state=seed, verbose=0),
        "IsolationForest": lambda: IsolationForest(random_state=seed),
    }
    return {label: make() for label, make in makers.items() if only is None or label in only}


def _pyod(module: str, name: str):
    import importlib

    return getattr(importlib.import_module(f"pyod.models.{module}"), name)


def scores(detector: object, X: np.ndarray) -> np.ndarray:
    if hasattr(detector, "score_samples") and not hasattr(detector, "decision_scores_"):
        return -detector.score_samples(X)  # scikit-learn convention: higher = more normal
    return detector.decision_function(X)  # PyOD convention: higher = more anomalous


def run(
    data: Path, sets: list[str], seeds: int, only: list[str] | None = None, defaults: bool = False, first_seed: int = 0
) -> dict[str, dict[str, list[tuple[float, float, float]]]]:
    results: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
    for name in sets:
        X, y = load(data, name)
        n_seeds = 1 if name in BIG and not defaults else seeds
        for seed in range(first_seed, first_seed + n_seeds):
            X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
            for label, detector in detectors(name, seed, only, defaults).items():
                started = time.perf_counter()
                detector.fit(X_train)
                s = scores(detector, X_test)
                elapsed = time.perf_counter() - started
                per = results.setdefault(name, {})
                per.setdefault(label, []).append((roc_auc_score(y_test, s), average_precision_score(y_test, s), elapsed))
                if defaults and label == "aekit AE":
                    error_part = detector.explain(X_test).contributions.sum(1)  # the score less the code's distance
                    plain = detector.reconstruction_error(X_test)
                    for column, s in ((ERROR_PART, error_part), (PLAIN, plain)):
                        per.setdefault(column, []).append((roc_auc_score(y_test, s), average_precision_score(y_test, s), elapsed))
                print(f"  {name} seed {seed} {label}: ROC-AUC {per[label][-1][0]:.3f}, {elapsed:.1f} s", flush=True)
    return results


def table(results: dict[str, dict[str, list[tuple[float, float, float]]]]) -> str:
    labels = list(next(iter(results.values())))
    lines = [
        "| set (n x d, outliers) | seeds | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    for metric, column in (("ROC-AUC", 0), ("PR-AUC", 1)):
        lines.append(f"| **{metric}** | | " + " | ".join("" for _ in labels) + " |")
        for name, per in results.items():
            cells = []
            for label in labels:
                v = np.array([r[column] for r in per[label]])
                cells.append(f"{v.mean():.3f}" + (f" ({v.std():.3f})" if len(v) > 1 else ""))
            lines.append(f"| {name} | {len(per[labels[0]])} | " + " | ".join(cells) + " |")
    lines.append(f"| **seconds per fit (mean)** | | " + " | ".join("" for _ in labels) + " |")
    for name, per in results.items():
        lines.append(f"| {name} | {len(per[labels[0]])} | " + " | ".join(f"{np.mean([r[2] for r in per[label]]):.1f}" for label in labels) + " |")
    lines.append("| **mean ROC-AUC** | | " + " | ".join(
        f"{np.mean([np.mean([r[0] for r in per[label]]) for per in results.values()]):.3f}" for label in labels) + " |")
    five = [per for name, per in results.items() if name in FIVE]
    if five:
        lines.append(f"| **mean ROC-AUC, {len(five)} of issue 15's five** | | " + " | ".join(
            f"{np.mean([np.mean([r[0] for r in per[label]]) for per in five]):.3f}" for label in labels) + " |")
    lines.append("| **total seconds** | | " + " | ".join(
        f"{sum(r[2] for per in results.values() for r in per[label]):.0f}" for label in labels) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("AEKIT_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--data", type=Path, default=shared / "odds")
    parser.add_argument("--sets", nargs="*", default=SETS)
    parser.add_argument("--seeds", type=int, default=3, help="seeds for the small sets (big sets: 1)")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1 (fresh splits)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--defaults", action="store_true", help="every detector with its defaults, --seeds seeds on every set")
    parser.add_argument(
        "--only", nargs="*", default=None,
        help=f"detectors to run (default all); e.g. --only {' '.join(repr(x) for x in AEKIT_AND_BASELINE)} needs no PyOD",
    )  # fmt: skip
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)
    started = time.perf_counter()
    results = run(args.data, args.sets, args.seeds, args.only, args.defaults, args.first_seed)
    print(table(results))
    print(f"\nwall time {time.perf_counter() - started:.0f} s, torch {torch.__version__}, {args.threads} thread(s)")


if __name__ == "__main__":
    main()
