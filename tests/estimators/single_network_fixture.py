"""The single-network detector's outputs as aekit wrote them before ``n_members`` existed.

``tests/estimators/data/single_network.json`` was written by this module, run in a checkout of
main at commit 83a6794 (before the ensemble; its ``aekit/`` installed, torch 2.13.0, one thread)::

    .venv/bin/python tests/estimators/single_network_fixture.py

``test_one_member_is_the_single_network_detector`` fits the same detectors with ``n_members=1``
and compares: one member must be exactly the detector that existed before the parameter.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).parent / "data" / "single_network.json"
# name -> the detector's parameters (n_members omitted: main's code had none)
CASES = {
    "contamination": {"max_iter": 5, "random_state": 0},
    "fpr": {"contamination": 0, "threshold": "fpr", "max_iter": 5, "random_state": 1},
    "mahalanobis": {"code_score": "mahalanobis", "max_steps": 12, "max_iter": 30, "random_state": 2},
}


def data() -> np.ndarray:
    """150 rows on a 3-D plane in 8 dimensions, a few pushed off it."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(150, 3)) @ rng.normal(size=(3, 8))
    X[:5] += 3.0 * rng.normal(size=(5, 8))
    return X.astype(np.float32)


def outputs(detector) -> dict:
    """What the fixture records of a fitted detector."""
    X = data()
    holdout = detector.holdout_errors_
    return {
        "score_samples": [float(v) for v in detector.score_samples(X)],
        "threshold_": float(detector.threshold_),
        "holdout_errors_": None if holdout is None else [float(v) for v in holdout],
        "n_iter_": int(detector.n_iter_),
        "latent_dim": int(detector.spec_.latent_dim),
        "first_weights": [float(v) for v in next(iter(detector.model_.state_dict().values())).flatten()[:8]],
    }


if __name__ == "__main__":
    import torch

    from aekit import AnomalyDetector

    torch.set_num_threads(1)
    record = {name: outputs(AnomalyDetector(**params).fit(data())) for name, params in CASES.items()}
    FIXTURE.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {FIXTURE}")
