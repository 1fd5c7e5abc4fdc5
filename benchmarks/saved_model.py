"""Size on disk and load time of saved models (format versions 1 and 2, branch arrays17).

For each folder given (written by ``aekit.save`` or ``aekit detect --save``): its total bytes,
the bytes of its config.json files, and the median and minimum wall time of ``aekit.load`` over
``--repeats`` loads, the folders' loads alternating (A, B, A, B, ...) so the load of a shared
machine falls on each alike. One thread. Usage::

    aekit detect ../shared/data/odds/cardio.mat --save /tmp/cardio-det
    python benchmarks/saved_model.py /tmp/cardio-det-v1 /tmp/cardio-det
"""

from __future__ import annotations

import argparse
import sys

import _threads  # noqa: E402,F401  (before numpy/torch: sets the BLAS/OpenMP threads from --threads)

import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

import aekit  # noqa: E402


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args(argv)
    torch.set_num_threads(int(args.threads))
    times: dict[Path, list[float]] = {folder: [] for folder in args.folders}
    for folder in args.folders:
        aekit.load(folder)  # warm: imports, file cache
    for _ in range(args.repeats):
        for folder in args.folders:
            start = time.perf_counter()
            aekit.load(folder)
            times[folder].append(time.perf_counter() - start)
    print("| saved model | bytes | of which config.json | load, median (min) |")
    print("|---|---:|---:|---:|")
    for folder, measured in times.items():
        total = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        config = sum(f.stat().st_size for f in folder.rglob("config.json"))
        print(f"| {folder.name} | {total:,} | {config:,} | {statistics.median(measured) * 1e3:.1f} ms ({min(measured) * 1e3:.1f} ms) |")


if __name__ == "__main__":
    main(sys.argv[1:])
