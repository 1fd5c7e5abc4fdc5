"""Peak memory of one training epoch on a .npy file of 1x, 4x and 16x a base size.

Each run is a fresh Python process that reports its own peak resident set size (``VmHWM``
of ``/proc/self/status``; ``ru_maxrss`` would also count the parent's memory at the fork),
so runs do not share allocator state. Each trains
``AutoencoderEstimator(hidden_sizes=(64,), latent_dim=16, max_iter=1)`` for one epoch:
"streamed" from ``MemmapSource`` (chunks of ``--chunk-size`` rows), "in memory" from the
whole array loaded first, for contrast. Usage::

    python benchmarks/streaming_memory.py [--base-rows 10000] [--features 784]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = """
import resource, sys
import numpy as np
from aekit.train import MemmapSource
from aekit.estimators import AutoencoderEstimator

path, mode, chunk_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = MemmapSource(path, chunk_size=chunk_size) if mode == "streamed" else np.load(path)
estimator = AutoencoderEstimator(hidden_sizes=(64,), latent_dim=16, max_iter=1, random_state=0)
estimator.fit(data)  # one epoch
try:  # peak RSS of this process image; ru_maxrss would include the parent's RSS at fork
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    print(int(status.split()[0]))  # KiB
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux, bytes on macOS
"""


def write_npy(path: Path, rows: int, features: int, block: int = 8192) -> None:
    """A float32 (rows, features) file of uniform noise, written block by block."""
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, features))
    rng = np.random.default_rng(0)
    for start in range(0, rows, block):
        stop = min(start + block, rows)
        out[start:stop] = rng.random((stop - start, features), dtype=np.float32)
    out.flush()
    del out


def peak_rss_mib(path: Path, mode: str, chunk_size: int) -> float:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode, str(chunk_size)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(result.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-rows", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--chunk-size", type=int, default=4096)
    args = parser.parse_args()
    print(f"{'size':>5} {'rows':>8} {'file MiB':>9} {'streamed peak MiB':>18} {'in-memory peak MiB':>19}")
    with tempfile.TemporaryDirectory() as folder:
        for factor in (1, 4, 16):
            rows = args.base_rows * factor
            path = Path(folder) / f"x{factor}.npy"
            write_npy(path, rows, args.features)
            file_mib = path.stat().st_size / 2**20
            streamed = peak_rss_mib(path, "streamed", args.chunk_size)
            in_memory = peak_rss_mib(path, "in-memory", args.chunk_size)
            print(f"{factor:>4}x {rows:>8} {file_mib:>9.0f} {streamed:>18.0f} {in_memory:>19.0f}")
            path.unlink()


if __name__ == "__main__":
    main()
