"""Checkpoints: everything that decides the rest of a run, written atomically, read back safely.

One checkpoint is one ``checkpoint-NNNNNN.safetensors`` file (NNNNNN: the epochs, or scipy
iterations, completed). Its tensors are the weights, the optimiser state, the best weights of
early stopping and every RNG stream (torch CPU and CUDA, the batch-order generator, a batch
source's own generator); its safetensors metadata holds the rest as JSON (epoch, history,
early-stopping counters, the estimator's parameters, the data's shape) and a SHA-256 of all of
it. Nothing is pickled and nothing is executed on load.

A write goes to a temporary file in the same directory, is fsynced and then renamed over the
final name (``os.replace``, atomic on POSIX), so a kill at any moment leaves either the old set
of checkpoints or the new one; the last ``keep`` are kept. Reading tries the newest first; a
file that is truncated, fails its checksum or belongs to another model is skipped with a
:class:`CheckpointWarning` naming it, and an error says so when no file is good.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from aekit.errors import ModelFileError

__all__ = ["CheckpointError", "CheckpointWarning", "Checkpointer", "Checkpointing", "SavedState", "rng_state", "set_rng_state"]

FORMAT = "aekit-checkpoint"
FORMAT_VERSION = 1
_NAME = re.compile(r"^checkpoint-(\d{6,})\.safetensors$")
# Test hook: seconds to sleep half-way through writing a checkpoint (lets a test kill mid-write).
PAUSE_ENV = "AEKIT_TEST_CHECKPOINT_WRITE_PAUSE"


class CheckpointError(ModelFileError):
    """No checkpoint in a directory can be read, or one does not belong to this run."""


class CheckpointWarning(UserWarning):
    """A checkpoint was skipped (truncated, corrupt, or another model's); an older one is used."""


@dataclass(frozen=True)
class Checkpointing:
    """When and where to checkpoint a fit (``fit(checkpoint_dir=..., checkpoint_every=...)``).

    ``every``: a checkpoint after every ``every`` epochs (scipy: iterations); ``seconds``:
    after the first epoch ending ``seconds`` or more after the last checkpoint; both may be
    given. ``keep``: how many of the newest files stay. ``resume``: start from the newest good
    checkpoint in ``directory`` (a fresh start when it holds none). ``identity``: what must
    match for a checkpoint to belong to this run (a flat JSON dict: the parameters, the data's
    shape); ``flexible`` names the keys that may differ on resume (e.g. a smaller learning rate
    after a divergence).
    """

    directory: Path
    every: int | None = None
    seconds: float | None = None
    keep: int = 3
    resume: bool = False
    identity: dict[str, Any] = field(default_factory=dict)
    flexible: tuple[str, ...] = ("params.learning_rate", "params.max_iter")


@dataclass
class SavedState:
    """One checkpoint read back: its completed epochs, tensors and JSON state."""

    path: Path
    epoch: int
    tensors: dict[str, torch.Tensor]
    state: dict[str, Any]


def _digest(tensors: dict[str, torch.Tensor], state_json: str) -> str:
    h = hashlib.sha256(state_json.encode())
    for name in sorted(tensors):
        t = tensors[name]
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)};".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy())
    return h.hexdigest()


def rng_state(generators: dict[str, torch.Generator | None]) -> dict[str, torch.Tensor]:
    """Every RNG stream as uint8 tensors: torch's CPU and CUDA streams and ``generators``."""
    out = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            out[f"rng.cuda.{i}"] = s
    for name, g in generators.items():
        if g is not None:
            out[f"rng.{name}"] = g.get_state().cpu()
    return out


def set_rng_state(tensors: dict[str, torch.Tensor], generators: dict[str, torch.Generator | None]) -> None:
    """Restore what :func:`rng_state` saved."""
    torch.set_rng_state(tensors["rng.torch"])
    cuda = sorted((k for k in tensors if k.startswith("rng.cuda.")), key=lambda k: int(k.rsplit(".", 1)[1]))
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensors[k] for k in cuda])
    for name, g in generators.items():
        if g is not None and f"rng.{name}" in tensors:
            g.set_state(tensors[f"rng.{name}"])


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Checkpointer:
    """Writes a run's checkpoints when due, and reads back the newest good one.

    Examples
    --------
    >>> import tempfile, torch
    >>> from pathlib import Path
    >>> ck = Checkpointer(Checkpointing(Path(tempfile.mkdtemp()), every=1, keep=2))
    >>> for epoch in (1, 2, 3):
    ...     _ = ck.save(epoch, {"w": torch.full((2,), float(epoch))}, {"note": "x"})
    >>> [p.name for p in ck.files()]
    ['checkpoint-000002.safetensors', 'checkpoint-000003.safetensors']
    >>> state = ck.load()
    >>> state.epoch, state.tensors["w"].tolist()
    (3, [3.0, 3.0])
    """

    def __init__(self, settings: Checkpointing, *, writer: bool = True):
        self.settings = settings
        self.directory = Path(settings.directory)
        self.writer = writer  # only rank 0 writes under torchrun
        self._last = time.perf_counter()
        self.run_state: dict[str, Any] = {}  # written into every checkpoint (the estimator's seed)

    def due(self, completed: int) -> bool:
        """Whether a checkpoint is due after ``completed`` epochs (iterations)."""
        every, seconds = self.settings.every, self.settings.seconds
        if every and completed % every == 0:
            return True
        return bool(seconds is not None and time.perf_counter() - self._last >= seconds)

    def files(self) -> list[Path]:
        """The checkpoint files, oldest first."""
        if not self.directory.is_dir():
            return []
        found = [(int(m.group(1)), p) for p in self.directory.iterdir() if (m := _NAME.match(p.name))]
        return [p for _, p in sorted(found)]

    def start_fresh(self) -> None:
        """A run that does not resume: earlier checkpoints in the directory are removed, with a warning.

        Left there, an earlier, longer run's files would sort after this run's and be resumed from.
        """
        old = self.files()
        if old and self.writer:
            for path in old:
                path.unlink(missing_ok=True)
            warnings.warn(
                f"checkpoint_dir={str(self.directory)!r} held {len(old)} checkpoints of an earlier run; they were removed "
                "because this fit starts from the beginning (pass resume=True to continue that run instead).",
                CheckpointWarning, stacklevel=3,
            )  # fmt: skip

    def save(self, epoch: int, tensors: dict[str, torch.Tensor], state: dict[str, Any]) -> Path | None:
        """Write the checkpoint of ``epoch`` completed epochs atomically; prune to the last ``keep``."""
        self._last = time.perf_counter()
        if not self.writer:
            return None
        self.directory.mkdir(parents=True, exist_ok=True)
        tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
        state = {**self.run_state, **state, "epoch": epoch, "identity": self.settings.identity}
        state_json = json.dumps(state)
        metadata = {"format": FORMAT, "format_version": str(FORMAT_VERSION), "state": state_json, "sha256": _digest(tensors, state_json)}
        blob = save(tensors, metadata=metadata)
        final = self.directory / f"checkpoint-{epoch:06d}.safetensors"
        temporary = self.directory / f".{final.name}.{os.getpid()}.tmp"
        pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
        try:
            with open(temporary, "wb") as f:
                half = len(blob) // 2
                f.write(blob[:half])
                if pause:
                    f.flush()
                    time.sleep(pause)
                f.write(blob[half:])
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_directory(self.directory)
        self._prune()
        return final

    def _prune(self) -> None:
        files = self.files()
        for old in files[: max(0, len(files) - self.settings.keep)]:
            old.unlink(missing_ok=True)
        for stale in self.directory.glob(".checkpoint-*.tmp"):  # left by a killed writer
            stale.unlink(missing_ok=True)

    def read(self, path: Path) -> SavedState:
        """One checkpoint file, verified; raises CheckpointError saying what is wrong with it."""
        try:
            tensors = load_file(str(path))
            with open(path, "rb") as f:
                header_size = int.from_bytes(f.read(8), "little")
                metadata = json.loads(f.read(header_size)).get("__metadata__", {})
        except (OSError, SafetensorError, ValueError) as exc:
            raise CheckpointError(f"{path} cannot be read ({exc}); it is truncated or not a checkpoint") from None
        if metadata.get("format") != FORMAT or metadata.get("format_version") != str(FORMAT_VERSION):
            raise CheckpointError(f"{path} is not an aekit checkpoint of format version {FORMAT_VERSION}")
        state_json = metadata.get("state", "")
        if metadata.get("sha256") != _digest(tensors, state_json):
            raise CheckpointError(f"{path} fails its SHA-256 checksum; the file is corrupt")
        state = json.loads(state_json)
        mine, theirs = self.settings.identity, state.get("identity", {})
        differs = sorted(k for k in set(mine) | set(theirs) if k not in self.settings.flexible and mine.get(k) != theirs.get(k))
        if mine and differs:  # a Checkpointer without an identity reads any checkpoint (inspection)
            shown = ", ".join(f"{k} (checkpoint {theirs.get(k)!r}, this run {mine.get(k)!r})" for k in differs[:3])
            raise CheckpointError(f"{path} is from another model or data: {shown}")
        return SavedState(path, int(state["epoch"]), tensors, state)

    def load(self) -> SavedState | None:
        """The newest good checkpoint; None when there is none; CheckpointError when none is good."""
        files = self.files()
        problems = []
        for path in reversed(files):
            try:
                return self.read(path)
            except CheckpointError as error:
                problems.append(str(error))
                older = "an older checkpoint is tried" if path != files[0] else "no older checkpoint is left"
                warnings.warn(f"skipping checkpoint {path}: {error}; {older}.", CheckpointWarning, stacklevel=2)
        if problems:
            raise CheckpointError(
                f"checkpoint_dir={str(self.directory)!r}: none of its {len(files)} checkpoints can be used "
                f"({'; '.join(problems)}). Fix: point checkpoint_dir at this run's checkpoints, or delete the "
                "directory (or pass resume=False) to train from the start."
            )
        return None


def optimizer_state(optimizer: Any) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """An optimiser's ``state_dict()`` split into tensors and JSON."""
    sd = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    meta: dict[str, Any] = {"param_groups": sd["param_groups"], "state": {}}
    for index, entry in sd["state"].items():
        for key, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{index}.{key}"] = value
            else:
                meta["state"].setdefault(str(index), {})[key] = value
    return tensors, meta


def load_optimizer_state(optimizer: Any, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    """Restore what :func:`optimizer_state` saved (then set the learning rate yourself)."""
    state: dict[int, dict[str, Any]] = {int(i): dict(values) for i, values in meta["state"].items()}
    for name, value in tensors.items():
        if name.startswith("optimizer."):
            _, index, key = name.split(".", 2)
            state.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
