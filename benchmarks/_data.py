"""Where the benchmarks find the shared real datasets: ``$AEKIT_DATA``, else ``../shared/data``
beside the repository root (never an absolute machine path)."""

import os
from pathlib import Path


def shared_data(name: str = "") -> Path:
    """``$AEKIT_DATA/name``, or ``<repository>/../shared/data/name`` when AEKIT_DATA is unset."""
    root = os.environ.get("AEKIT_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    return base / name if name else base
