"""Do the anomaly detector's defaults hold beyond the ODDS sets they were chosen on?

Sets that ship with scikit-learn (no download), made into anomaly tasks the usual way
(one class or a few classes normal, a small random share of another class the anomalies):

- breast-cancer: benign normal, 5 % malignant (569 x 30 before subsampling);
- wine: classes 0 and 1 normal, 5 % of class 2;
- digit-<c>: the 8 x 8 digit c normal, 5 % drawn from the other nine digits (one class normal,
  as ODDS builds its mnist set; 1,797 x 64 in all); c = 0, 4, 8;
- digits-but-<c>: the digits other than c normal, 5 % of the c's (the anomalies one tight
  cluster, of the normal data's kind: a hard case for a density, see docs/benchmarks.md);
- covertype is not used: it needs a download.

Per seed: the anomalies drawn, then a 60/40 stratified split, each detector trained on the 60 %
(anomalies included) and scored on the 40 % by ROC-AUC. Detectors: ``AnomalyDetector()`` (the
defaults), ``AnomalyDetector(n_members=1, reference_trim=0)`` (the single-network default of
2026-12-06) and ``IsolationForest()``. Prints a Markdown table of mean ROC-AUC over seeds.

    python benchmarks/anomaly_other_sets.py --seeds 5
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets thread counts before numpy/torch load)

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from aekit import AnomalyDetector

SHARE = 0.05  # anomalies among the rows


def task(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) with y = 1 for the anomalies: all normal rows and SHARE of the rows drawn from the anomaly class."""
    if name == "breast-cancer":
        X, c = load_breast_cancer(return_X_y=True)
        normal, odd = c == 1, c == 0  # benign normal
    elif name == "wine":
        X, c = load_wine(return_X_y=True)
        normal, odd = c != 2, c == 2
    elif name.startswith("digits-but-"):
        X, c = load_digits(return_X_y=True)
        digit = int(name.rsplit("-", 1)[1])
        normal, odd = c != digit, c == digit
    else:
        X, c = load_digits(return_X_y=True)
        digit = int(name.split("-")[1])
        normal, odd = c == digit, c != digit
    rng = np.random.default_rng(seed)
    n_odd = max(2, round(SHARE / (1 - SHARE) * normal.sum()))
    picked = rng.choice(np.flatnonzero(odd), size=min(n_odd, odd.sum()), replace=False)
    rows = np.concatenate([np.flatnonzero(normal), picked])
    return X[rows].astype(np.float32), np.r_[np.zeros(normal.sum()), np.ones(len(picked))]


DETECTORS = {
    "aekit defaults": lambda seed: AnomalyDetector(random_state=seed),
    "aekit single network (n_members=1, reference_trim=0)": lambda seed: AnomalyDetector(n_members=1, reference_trim=0, random_state=seed),
    "IsolationForest": lambda seed: IsolationForest(random_state=seed),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=["breast-cancer", "wine", "digit-0", "digit-4", "digit-8", "digits-but-0", "digits-but-4", "digits-but-8"])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    auc: dict[str, dict[str, list[float]]] = {label: {} for label in DETECTORS}
    for name in args.sets:
        for seed in range(args.seeds):
            X, y = task(name, seed)
            X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
            for label, make in DETECTORS.items():
                detector = make(seed).fit(X_train)
                score = -detector.score_samples(X_test)
                auc[label].setdefault(name, []).append(roc_auc_score(y_test, score))
        print(name, " | ".join(f"{label}: {np.mean(auc[label][name]):.3f}" for label in DETECTORS), flush=True)
    print("\n| set | " + " | ".join(DETECTORS) + " |")
    print("|---|" + "---|" * len(DETECTORS))
    for name in args.sets:
        print(f"| {name} | " + " | ".join(f"{np.mean(auc[label][name]):.3f} ({np.std(auc[label][name]):.3f})" for label in DETECTORS) + " |")
    print("| **mean** | " + " | ".join(f"**{np.mean([np.mean(v) for v in auc[label].values()]):.3f}**" for label in DETECTORS) + " |")
    print(f"\n{args.seeds} seeds, wall time {time.perf_counter() - started:.0f} s, one thread")


if __name__ == "__main__":
    main()
