"""ONNX export: agreement with torch on 1,000 rows, export time, and scoring time.

For dense, VAE, binary-latent and convolutional AnomalyDetectors (the fixtures of
tests/test_export.py), every part is exported and run through onnxruntime on 1,000 new rows;
prints the largest absolute difference from the estimator's own method, the export time,
and the time to score 10,000 rows with ``score_samples`` (torch) and with onnxruntime.

    .venv/bin/python benchmarks/onnx_export.py
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets thread counts before numpy/torch load)

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_export import KINDS, METHOD  # noqa: E402

from aekit.export import PARTS, export_onnx  # noqa: E402


def best_of(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    torch.set_num_threads(1)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    print("| model | part | max abs diff (1,000 rows) | largest output | export s |")
    print("|---|---|---|---|---|")
    timing = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, (make, data) in KINDS.items():
            estimator = make().fit(data(300))
            rows = data(1000, seed=1)
            for part in PARTS:
                inputs = estimator.transform(rows) if part == "decoder" else rows
                started = time.perf_counter()
                path = export_onnx(estimator, Path(folder) / f"{kind}-{part}.onnx", part=part)
                seconds = time.perf_counter() - started
                session = ort.InferenceSession(str(path), options)
                (got,) = session.run(None, {session.get_inputs()[0].name: inputs})
                want = getattr(estimator, METHOD[part])(inputs)
                print(f"| {kind} | {part} | {np.abs(got - want).max():.2g} | {np.abs(want).max():.3g} | {seconds:.2f} |")
                if part == "anomaly-score":
                    big = data(10000, seed=2)
                    timing.append((kind, best_of(lambda: estimator.score_samples(big)),
                                   best_of(lambda: session.run(None, {"x": big}))))
    print("\n| model | score 10,000 rows: torch (score_samples) ms | onnxruntime ms |")
    print("|---|---|---|")
    for kind, torch_s, ort_s in timing:
        print(f"| {kind} | {1000 * torch_s:.1f} | {1000 * ort_s:.1f} |")


if __name__ == "__main__":
    main()
