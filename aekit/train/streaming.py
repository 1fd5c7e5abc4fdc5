"""Training data larger than memory: a ``.npy`` file streamed in shuffled chunks.

Only one chunk of rows is in memory at a time, in one buffer reused for the whole epoch. Each
chunk is memory-mapped on its own and unmapped once copied, so the process's resident memory
stays at about one chunk however big the file (a single mapping of the whole file would keep
every page it touched resident, and a fresh buffer per chunk fragments the heap).
Shuffling is two-level: the chunks in a random order, then the rows within each chunk; rows
left over at the end of a chunk carry into the next so every batch but the last is full.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from aekit.errors import DatasetError

__all__ = ["MemmapSource"]


def _npy_layout(path: Path) -> tuple[tuple[int, ...], np.dtype, int]:
    """Shape, dtype and byte offset of the values of a C-ordered ``.npy`` file."""
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0
            if version != (1, 0):
                read_header = np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(f)
            offset = f.tell()
    except (OSError, ValueError) as exc:
        raise DatasetError(
            f"{path} is not a readable .npy file ({exc}); expected an array saved with numpy.save."
        ) from exc
    if fortran or dtype.hasobject or dtype.kind not in "biuf":
        raise DatasetError(
            f"{path} holds a {'Fortran-ordered ' if fortran else ''}{dtype} array; streaming "
            "expects a C-ordered numeric array. Save it with np.save(path, np.ascontiguousarray(x))."
        )
    expected = offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if os.path.getsize(path) < expected:
        raise DatasetError(
            f"{path} is {os.path.getsize(path)} bytes but its header declares {shape} {dtype} "
            f"({expected} bytes); the file is truncated. Write it again."
        )
    return shape, dtype, offset


class MemmapSource:
    """A :class:`~aekit.train.batches.BatchSource` that streams a ``.npy`` file in chunks.

    Parameters
    ----------
    path_or_array : path or ndarray
        A ``.npy`` file of shape (n, ...) (rows are flattened), or an array already in memory
        or memory-mapped (``np.load(path, mmap_mode="r")``).
    chunk_size : int
        Rows read at a time; memory use is about ``chunk_size * n_features * 4`` bytes.
    device : str or torch.device
        Where the batches are put.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from aekit.train import MemmapSource
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.npy"
    >>> np.save(path, np.arange(20, dtype=np.float32).reshape(10, 2))
    >>> source = MemmapSource(path, chunk_size=4)
    >>> source.n_samples, source.n_features
    (10, 2)
    >>> [len(x) for x, _ in source.batches(3, None)]
    [3, 3, 3, 1]
    """

    def __init__(
        self,
        path_or_array: str | os.PathLike | np.ndarray,
        chunk_size: int = 65536,
        device: str | torch.device = "cpu",
    ):
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise DatasetError(f"chunk_size must be a positive integer of rows; got {chunk_size!r}.")
        if isinstance(path_or_array, np.ndarray):
            self.path, self._array = None, path_or_array
            shape, dtype = path_or_array.shape, path_or_array.dtype
            if dtype.kind not in "biuf":
                raise DatasetError(f"the array has dtype {dtype}; streaming expects numbers. Fix: save a numeric array, e.g. X.astype(np.float32).")
        else:
            self.path, self._array = Path(path_or_array), None
            shape, dtype, self._offset = _npy_layout(self.path)
        if len(shape) < 1 or shape[0] == 0:
            raise DatasetError(f"{self.path or 'the array'} has shape {shape}; expected (n, features).")
        self.n_samples = int(shape[0])
        self.n_features = int(np.prod(shape[1:], dtype=np.int64))
        self._row_shape, self._dtype = tuple(shape[1:]), dtype
        self.chunk_size = chunk_size
        self.device = torch.device(device)

    def _read(self, start: int, stop: int, order: np.ndarray, out: np.ndarray) -> None:
        """Rows ``start + order`` into ``out`` (len(order), features) float32."""
        if self._array is not None:
            block = self._array[start:stop]
        else:
            row_bytes = self.n_features * self._dtype.itemsize
            block = np.memmap(
                self.path, dtype=self._dtype, mode="r", shape=(stop - start, *self._row_shape),
                offset=self._offset + start * row_bytes,
            )  # fmt: skip
        block = block.reshape(stop - start, self.n_features)
        if block.dtype == np.float32:
            np.take(block, order, axis=0, out=out)
        else:
            out[...] = block[order]
        del block  # unmaps the chunk

    def batches(
        self, batch_size: int, generator: torch.Generator | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield (inputs, inputs) float32 batches; chunks and rows shuffled with a generator."""
        starts = torch.arange(0, self.n_samples, self.chunk_size)
        if generator is not None:
            starts = starts[torch.randperm(len(starts), generator=generator)]
        # One chunk buffer for the epoch, plus up to batch_size - 1 rows carried over from the
        # previous chunk at its front; batches are copies, so the buffer is reused safely.
        rows_max = min(self.chunk_size, self.n_samples) + batch_size
        buffer = np.empty((rows_max, self.n_features), dtype=np.float32)
        carry = 0
        for start in starts.tolist():
            stop = min(start + self.chunk_size, self.n_samples)
            if generator is None:
                order = np.arange(stop - start)
            else:
                order = torch.randperm(stop - start, generator=generator).numpy()
            self._read(start, stop, order, buffer[carry : carry + stop - start])
            rows = carry + stop - start
            full = rows - rows % batch_size
            for i in range(0, full, batch_size):
                batch = torch.from_numpy(buffer[i : i + batch_size]).to(self.device, copy=True)
                yield batch, batch
            carry = rows - full
            buffer[:carry] = buffer[full:rows]
        if carry:
            batch = torch.from_numpy(buffer[:carry]).to(self.device, copy=True)
            yield batch, batch
