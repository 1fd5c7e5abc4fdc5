"""Find dataset files locally, or download them from mirrors, verify them and cache them.

Where files live, first match wins: a ``data_dir`` argument (the folder holding the files, or
its ``<dataset>/`` sub-folder), else ``$AEKIT_DATA/<dataset>/``, else the per-user cache
``$XDG_CACHE_HOME/aekit/<dataset>/`` (``~/.cache/aekit`` by default). A download goes to a
temporary file beside its destination, is verified, and only then renamed into place, so an
interrupted or corrupt download never sits in the cache.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aekit.errors import DatasetError

__all__ = ["DownloadError", "RemoteFile", "dataset_dir", "default_data_home", "fetch_files", "read_gzip"]

ENV_VAR = "AEKIT_DATA"
_CHUNK = 1 << 20
_TIMEOUT_S = 60


class DownloadError(DatasetError):
    """Every mirror failed; ``offline`` when none could even be reached."""

    def __init__(self, message: str, offline: bool):
        super().__init__(message)
        self.offline = offline


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset and the digest that identifies it.

    ``content=True`` hashes the decompressed bytes of a gzip file, so a copy re-compressed by
    another tool (same data, different gzip bytes) is accepted; ``False`` hashes the file as is.
    """

    name: str
    digest: str
    algorithm: str = "sha256"
    content: bool = True


def default_data_home() -> Path:
    """The root that holds one folder per dataset: ``$AEKIT_DATA``, else the user cache.

    Examples
    --------
    >>> from aekit.datasets.download import default_data_home
    >>> default_data_home()  # doctest: +SKIP
    PosixPath('/home/me/.cache/aekit')
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "aekit"


def dataset_dir(dataset: str, data_dir: str | os.PathLike | None = None) -> Path:
    """The folder where ``dataset``'s files are looked for and downloaded to.

    Examples
    --------
    >>> from aekit.datasets.download import dataset_dir
    >>> dataset_dir("mnist", data_dir="/nowhere").as_posix()
    '/nowhere'
    """
    if data_dir is None:
        return default_data_home() / dataset
    root = Path(data_dir).expanduser()
    return root / dataset if (root / dataset).is_dir() else root


def read_gzip(path: Path) -> bytes:
    """The decompressed bytes of ``path``; a DatasetError for a truncated or corrupt file."""
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DatasetError(
            f"{path} is not a complete gzip file ({exc}). Expected the original gzip "
            "download; delete the file and load again to download a fresh copy, or replace it."
        ) from exc


def _digest(data: bytes | Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    if isinstance(data, Path):
        with open(data, "rb") as f:
            while block := f.read(_CHUNK):
                h.update(block)
    else:
        h.update(data)
    return h.hexdigest()


def verify(path: Path, file: RemoteFile) -> bytes | None:
    """Check ``path`` against ``file``'s digest; return the decompressed bytes when hashed."""
    content = read_gzip(path) if file.content else None
    got = _digest(content if content is not None else path, file.algorithm)
    if got != file.digest:
        what = "decompressed content" if file.content else "file"
        raise DatasetError(
            f"{path} fails its checksum: expected {file.algorithm} {file.digest} of the {what}, "
            f"got {got}. The file is corrupt or is another dataset's; delete it and load again "
            "to download a fresh copy, or put the right file there."
        )
    return content


def _progress(total: int | None, description: str):
    """A rich progress bar on a terminal, else None (no output when stderr is not a tty)."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    progress = Progress(*columns, console=Console(stderr=True), transient=True)
    progress.start()
    progress.add_task(description, total=total)
    return progress


def _download(url: str, destination: Path) -> None:
    with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
        length = response.headers.get("Content-Length")
        progress = _progress(int(length) if length else None, destination.name)
        try:
            with open(destination, "wb") as out:
                while block := response.read(_CHUNK):
                    out.write(block)
                    if progress is not None:
                        progress.advance(progress.task_ids[0], len(block))
        finally:
            if progress is not None:
                progress.stop()


def download_verified(file: RemoteFile, mirrors: Sequence[str], folder: Path) -> Path:
    """Download ``file`` from the first mirror that serves a verified copy into ``folder``.

    Returns the final path; raises DatasetError listing what every mirror answered. A bad
    download is deleted, never renamed into place.
    """
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / file.name
    failures, offline = [], True
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + file.name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".part", dir=folder)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _download(url, tmp)
            verify(tmp, file)
            os.replace(tmp, final)
            return final
        except (OSError, DatasetError) as exc:  # URLError is an OSError
            failures.append(f"{url}: {exc}")
            unreachable = isinstance(exc, TimeoutError) or (
                isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError)
            )
            offline = offline and unreachable
        finally:
            tmp.unlink(missing_ok=True)
    if created and not any(folder.iterdir()):
        folder.rmdir()  # leave no empty folder behind a failed download
    raise DownloadError(
        f"could not download {file.name}; every mirror failed:\n  " + "\n  ".join(failures),
        offline=offline,
    )


def fetch_files(
    dataset: str,
    files: Sequence[RemoteFile],
    mirrors: Sequence[str],
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> dict[str, bytes]:
    """Return each file's verified, decompressed content, downloading the missing ones.

    Examples
    --------
    >>> import gzip, hashlib, tempfile, pathlib
    >>> from aekit.datasets.download import RemoteFile, fetch_files
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.gz").write_bytes(gzip.compress(b"hello"))
    >>> file = RemoteFile("a.gz", hashlib.sha256(b"hello").hexdigest())
    >>> fetch_files("demo", [file], mirrors=[], data_dir=folder)
    {'a.gz': b'hello'}
    """
    folder = dataset_dir(dataset, data_dir)
    missing = [f for f in files if not (folder / f.name).is_file()]
    if missing and not download:
        raise DatasetError(_missing_message(dataset, missing, mirrors, folder, "download=False"))
    for i, file in enumerate(missing):
        try:
            download_verified(file, mirrors, folder)
        except DownloadError as exc:
            if i == 0 and exc.offline:
                raise DatasetError(
                    _missing_message(dataset, missing, mirrors, folder, "no mirror answered")
                ) from exc
            raise
        except OSError as exc:  # the folder cannot be created or written
            raise DatasetError(
                _missing_message(dataset, missing, mirrors, folder, f"{folder}: {exc}")
            ) from exc
    contents = {}
    for file in files:
        path = folder / file.name
        content = verify(path, file)
        contents[file.name] = content if content is not None else read_gzip(path)
    return contents


def _missing_message(
    dataset: str, missing: Sequence[RemoteFile], mirrors: Sequence[str], folder: Path, why: str
) -> str:
    names = ", ".join(f.name for f in missing)
    return (
        f"{dataset}: expected the files {names} in {folder}, but they are missing and could "
        f"not be downloaded ({why}). Download them from {mirrors[0] if mirrors else 'the source'} "
        f"and put them in {folder}, or pass data_dir= (the folder holding them), or set "
        f"{ENV_VAR} to a folder with a '{dataset}/' sub-folder holding them."
    )
