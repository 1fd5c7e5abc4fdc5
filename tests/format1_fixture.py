"""Saved models in format version 1 (fitted arrays as JSON lists in config.json), and their outputs.

``tests/data/format1/`` was written by this module, run in a checkout of main at commit 7db21f0
(the last commit that wrote format version 1; its ``aekit/`` installed, torch 2.13.0, one thread)::

    .venv/bin/python tests/format1_fixture.py

It holds two saved models and ``outputs.json``, what they gave when they were saved:

- ``detector/``: an AnomalyDetector with the default three members (``members/0``,
  ``members/2``) and ``code_score="neighbors"`` (reference codes, feature error scale);
- ``mahalanobis/``: a one-network AnomalyDetector with ``code_score="mahalanobis"``;
- ``hashing/``: an AutoencoderEstimator with a fitted hashing rotation (``hash_mean_``,
  ``hash_projection_``).

``tests/test_io_format.py`` loads them with today's code and checks the outputs are identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).parent / "data" / "format1"
DETECTORS = {
    "detector": {"max_iter": 3, "hidden_sizes": (8,), "random_state": 0},
    "mahalanobis": {"n_members": 1, "code_score": "mahalanobis", "max_iter": 3, "hidden_sizes": (8,), "random_state": 1},
}


def data() -> np.ndarray:
    """60 rows on a 3-D plane in 6 dimensions, a few pushed off it."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(60, 3)) @ rng.normal(size=(3, 6))
    X[:3] += 3.0 * rng.normal(size=(3, 6))
    return X.astype(np.float32)


def detector_outputs(detector) -> dict:
    """What the fixture records of a detector: its scores, predictions and threshold."""
    X = data()
    return {
        "score_samples": [float(v) for v in detector.score_samples(X)],
        "predict": [int(v) for v in detector.predict(X)],
        "threshold_": float(detector.threshold_),
    }


def hashing_outputs(estimator) -> dict:
    """What the fixture records of a hashing model: its codes and bits."""
    from aekit.apps.hashing import hash_codes

    X = data()
    return {
        "transform": [[float(v) for v in row] for row in estimator.transform(X)],
        "bits": [[bool(v) for v in row] for row in hash_codes(estimator, X)],
    }


if __name__ == "__main__":
    import shutil

    import torch

    import aekit
    from aekit import AnomalyDetector, AutoencoderEstimator
    from aekit.apps.hashing import fit_rotation

    torch.set_num_threads(1)
    shutil.rmtree(FOLDER, ignore_errors=True)
    record = {}
    for name, params in DETECTORS.items():
        detector = AnomalyDetector(**params).fit(data())
        aekit.save(detector, FOLDER / name)
        record[name] = detector_outputs(detector)
    ae = fit_rotation(AutoencoderEstimator(hidden_sizes=(8,), latent_dim=4, max_iter=3, random_state=0).fit(data()), data())
    aekit.save(ae, FOLDER / "hashing")
    record["hashing"] = hashing_outputs(ae)
    (FOLDER / "outputs.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {FOLDER}")
