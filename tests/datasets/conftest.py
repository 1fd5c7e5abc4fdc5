import gzip
import struct

import numpy as np
import pytest

_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def encode_idx(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """The IDX encoding of ``array`` (big-endian header, values in row-major order)."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=_IDX_DTYPES[type_code]).tobytes()


@pytest.fixture
def idx_bytes():
    return encode_idx


@pytest.fixture
def gz():
    return gzip.compress


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No AEKIT_DATA, and a private per-user cache; returns the cache root."""
    monkeypatch.delenv("AEKIT_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "aekit"
