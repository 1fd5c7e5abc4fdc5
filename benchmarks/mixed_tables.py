"""Mixed-type tables: per-column reconstruction and anomaly ROC-AUC against IsolationForest.

Two tables: Palmer penguins (344 rows; species, island, sex categorical, four numeric
measurements and year; missing cells; from the ``palmerpenguins`` package, offline) and a
generated one (2,000 rows; two numeric columns with a tenth missing, a 3-way string category
that follows x, an integer-coded category that follows y, a boolean that follows x + y, and an
independent integer count).

Per seed, each table is split 60/40. An AnomalyDetector (defaults, 100 epochs) trains on the
60 %. On the clean 40 %:

- reconstruction: numeric columns' RMSE / std (1.0 is predicting the mean), categorical and
  boolean accuracy (beside the most frequent value's share);
- imputation: 10 % of the present cells of the test rows are blanked, and the reconstruction's
  value for them is compared with the truth, with the same measures;
- anomalies: 10 % of the test rows get one categorical value swapped for another category of
  the same column (column and category drawn at random); ROC-AUC of ``-score_samples`` beside
  IsolationForest (200 trees) on one-hot features (numeric cells imputed with the training
  median, a missing category an all-zero block).

Prints a Markdown table of the mean (std) over seeds.

    .venv/bin/python benchmarks/mixed_tables.py --seeds 3

``--cardinality K`` instead compares the two encodings of a high-cardinality column on a
generated table of shops (12 K rows): ``zip`` has K codes, each in one of 10 regions and with
its own price level; ``region`` and ``price`` (numeric) follow the zip, ``open_late`` is an
independent boolean. The same AnomalyDetector (defaults) trains with the zip one-hot
(``embed_above=K``) and embedded (the default ``embed_above=100``); printed per encoding: the
network's input width, its parameters, fit seconds, zip/region accuracy and price RMSE / std
on the test rows (a zip not seen in training is blanked there, as the unseen-category policy
asks), and the ROC-AUC on swapped categories as above.

    .venv/bin/python benchmarks/mixed_tables.py --cardinality 1000 --seeds 3
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets thread counts before numpy/torch load)

import argparse
import time

import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from aekit import AnomalyDetector
from aekit.tables import column_quality


def penguins() -> pd.DataFrame:
    import palmerpenguins

    return palmerpenguins.load_penguins()


def generated(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n), rng.normal(size=n)
    table = pd.DataFrame({
        "x": x * 10 + 100,
        "y": y + 0.1 * rng.normal(size=n),
        "colour": np.where(x > 0.5, "red", np.where(x < -0.5, "blue", "green")).astype(object),
        "grade": pd.Series(np.digitize(y, [-1, 0, 1])).astype("category"),
        "flag": (x + y + 0.3 * rng.normal(size=n)) > 0,
        "count": rng.integers(0, 5, size=n),
    })
    for column in ("x", "y"):
        table.loc[rng.choice(n, n // 10, replace=False), column] = np.nan
    return table


def shops(n: int = 6000, n_zips: int = 1000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    zips = rng.integers(0, n_zips, n)
    level = rng.normal(size=n_zips)  # each zip's own price level
    table = pd.DataFrame({
        "zip": [f"z{z:05d}" for z in zips],
        "region": [f"r{z * 10 // n_zips}" for z in zips],
        "price": level[zips] + 0.1 * rng.normal(size=n),
        "open_late": rng.random(n) < 0.3,
    })
    table.loc[rng.choice(n, n // 50, replace=False), "zip"] = None
    return table


TABLES = {"penguins": penguins, "generated": generated}
ORDER = [
    "recon numeric", "recon categorical", "recon categorical mode", "recon boolean", "recon boolean mode",
    "impute numeric", "impute categorical", "impute boolean", "AUC aekit", "AUC IsolationForest", "fit seconds",
]


def one_hot(train: pd.DataFrame, test: pd.DataFrame, kinds: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """One-hot categorical/boolean columns, numeric ones imputed with the training median."""
    out = []
    for frame in (train, test):
        parts = []
        for name, kind in kinds.items():
            if kind == "numeric":
                parts.append(frame[[name]].astype(float).fillna(train[name].median()).to_numpy())
            else:
                levels = sorted(train[name].dropna().unique(), key=str)
                parts.append(np.stack([(frame[name] == level).fillna(False).to_numpy(float) for level in levels], 1))
        out.append(np.hstack(parts))
    return out[0], out[1]


def swap_categories(table: pd.DataFrame, columns: list[str], levels: dict, rows: np.ndarray, rng) -> pd.DataFrame:
    odd = table.copy()
    for i in rows:
        name = columns[rng.integers(len(columns))]
        current = odd.iloc[i][name]
        options = [v for v in levels[name] if v != current]
        odd.iloc[i, odd.columns.get_loc(name)] = options[rng.integers(len(options))]
    return odd


def blank_cells(table: pd.DataFrame, rng, fraction: float = 0.1) -> tuple[pd.DataFrame, np.ndarray]:
    present = table.notna().to_numpy()
    hide = present & (rng.random(present.shape) < fraction)
    blanked = table.copy()
    for j, name in enumerate(table.columns):
        if hide[:, j].any():
            if str(blanked[name].dtype) == "bool":
                blanked[name] = blanked[name].astype(object)
            blanked.loc[hide[:, j], name] = None
    return blanked, hide


def summarise(quality, kinds) -> dict[str, float]:
    by_kind: dict[str, list[float]] = {}
    for q in quality:
        value = q.value / q.baseline if q.metric == "rmse" else q.value
        by_kind.setdefault(q.kind, []).append(value)
        if q.metric == "accuracy":
            by_kind.setdefault(q.kind + " mode", []).append(q.baseline)
    return {k: float(np.mean(v)) for k, v in by_kind.items()}


def run(name: str, seed: int, epochs: int) -> dict[str, float]:
    table = TABLES[name]()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(table))
    n_train = int(0.6 * len(table))
    train, test = table.iloc[np.sort(order[:n_train])], table.iloc[np.sort(order[n_train:])].reset_index(drop=True)
    started = time.perf_counter()
    det = AnomalyDetector(max_iter=epochs, random_state=seed).fit(train)
    seconds = time.perf_counter() - started
    kinds = {c.name: c.kind for c in det.table_.columns_}
    result = {f"recon {k}": v for k, v in summarise(column_quality(det.table_, test, det.reconstruct(test)), kinds).items()}

    blanked, hide = blank_cells(test, rng)
    imputed = det.reconstruct(blanked)
    for kind in ("numeric", "categorical", "boolean"):
        scores = []
        for j, col in enumerate(test.columns):
            if kinds[col] != kind or not hide[:, j].any():
                continue
            truth, guess = test[col][hide[:, j]], imputed[col][hide[:, j]]
            if kind == "numeric":
                scores.append(np.sqrt(np.mean((truth.astype(float) - guess.astype(float)) ** 2)) / train[col].std(ddof=0))
            else:
                scores.append(float((truth.astype(object).to_numpy() == guess.astype(object).to_numpy()).mean()))
        if scores:
            result[f"impute {kind}"] = float(np.mean(scores))

    categorical = [c for c, k in kinds.items() if k == "categorical"]
    levels = {c: sorted(train[c].dropna().unique(), key=str) for c in categorical}
    n_odd = max(1, len(test) // 10)
    rows = rng.choice(len(test), n_odd, replace=False)
    labelled = swap_categories(test, categorical, levels, rows, rng)
    y = np.zeros(len(test), int)
    y[rows] = 1
    result["AUC aekit"] = roc_auc_score(y, -det.score_samples(labelled))
    X_train, X_test = one_hot(train, labelled, kinds)
    forest = IsolationForest(n_estimators=200, random_state=seed).fit(X_train)
    result["AUC IsolationForest"] = roc_auc_score(y, -forest.score_samples(X_test))
    result["fit seconds"] = seconds
    return result


def run_cardinality(n_zips: int, seed: int, epochs: int) -> dict[str, dict[str, float]]:
    """encoding -> measures, for one seed of the shops table."""
    table = shops(n=12 * n_zips, n_zips=n_zips, seed=seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(table))
    n_train = int(0.6 * len(table))
    train, test = table.iloc[np.sort(order[:n_train])], table.iloc[np.sort(order[n_train:])].reset_index(drop=True)
    test.loc[~test["zip"].isin(train["zip"]), "zip"] = None  # unseen codes are refused (the policy): blank them
    n_odd = len(test) // 10
    rows = rng.choice(len(test), n_odd, replace=False)
    levels = {c: sorted(train[c].dropna().unique(), key=str) for c in ("zip", "region")}
    labelled = swap_categories(test, ["zip", "region"], levels, rows, rng)
    y = np.zeros(len(test), int)
    y[rows] = 1
    out = {}
    for label, embed_above in (("one-hot", n_zips), ("embedded", 100)):
        started = time.perf_counter()
        det = AnomalyDetector(max_iter=epochs, embed_above=embed_above, random_state=seed).fit(train)
        seconds = time.perf_counter() - started
        quality = {q.name: q for q in column_quality(det.table_, test, det.reconstruct(test))}
        first = next(m for m in det.model_.modules() if isinstance(m, torch.nn.Linear))
        out[label] = {
            "network input width": float(first.in_features),
            "encoded MB per 10,000 rows": det.table_.n_encoded_ * 4 * 10_000 / 1e6,
            "parameters": float(sum(p.numel() for p in det.model_.parameters())),
            "fit seconds": seconds,
            "zip accuracy": quality["zip"].value,
            "region accuracy": quality["region"].value,
            "price RMSE / std": quality["price"].value / quality["price"].baseline,
            "AUC swapped category": roc_auc_score(y, -det.score_samples(labelled)),
        }
    return out


def print_cardinality(n_zips: int, seeds: int, epochs: int) -> None:
    results = [run_cardinality(n_zips, seed, epochs) for seed in range(seeds)]
    labels = list(results[0])
    print(f"| measure ({n_zips} zips) | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for key in results[0][labels[0]]:
        cells = [f"{np.mean([r[l][key] for r in results]):.3f} ({np.std([r[l][key] for r in results]):.3f})" for l in labels]
        print(f"| {key} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cardinality", type=int, default=0, help="compare one-hot and embedded for a column of this many categories")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.cardinality:
        with threadpool_limits(args.threads):
            print_cardinality(args.cardinality, args.seeds, args.epochs)
        return
    with threadpool_limits(args.threads):
        results = {name: [run(name, seed, args.epochs) for seed in range(args.seeds)] for name in TABLES}
    found = {k for rs in results.values() for r in rs for k in r}
    keys = [k for k in ORDER if k in found] + sorted(found - set(ORDER))
    print("| measure | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for key in keys:
        cells = []
        for rs in results.values():
            values = [r[key] for r in rs if key in r]
            cells.append(f"{np.mean(values):.3f} ({np.std(values):.3f})" if values else "-")
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
