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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
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
