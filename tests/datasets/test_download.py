import gzip
import hashlib
import sys
import urllib.error

import pytest

from aekit.datasets import download
from aekit.datasets.download import RemoteFile, dataset_dir, default_data_home, fetch_files
from aekit.errors import DatasetError

CONTENT = b"tiny dataset content"


def remote(name="a.gz", content=CONTENT, **kw):
    return RemoteFile(name, hashlib.sha256(content).hexdigest(), **kw)


def mirror_with(tmp_path, files: dict[str, bytes], name="mirror"):
    folder = tmp_path / name
    folder.mkdir()
    for filename, content in files.items():
        (folder / filename).write_bytes(gzip.compress(content))
    return folder.as_uri() + "/"


def test_data_home_env_then_user_cache(monkeypatch, tmp_path, no_env):
    assert default_data_home() == no_env
    assert dataset_dir("mnist") == no_env / "mnist"
    monkeypatch.setenv("AEKIT_DATA", str(tmp_path / "data"))
    assert dataset_dir("mnist") == tmp_path / "data" / "mnist"


def test_data_dir_is_the_folder_or_its_dataset_subfolder(tmp_path):
    assert dataset_dir("mnist", tmp_path) == tmp_path
    (tmp_path / "mnist").mkdir()
    assert dataset_dir("mnist", tmp_path) == tmp_path / "mnist"


def test_local_file_is_verified_on_its_decompressed_content(tmp_path):
    (tmp_path / "a.gz").write_bytes(gzip.compress(CONTENT, compresslevel=1))
    assert fetch_files("demo", [remote()], mirrors=[], data_dir=tmp_path) == {"a.gz": CONTENT}


def test_md5_of_the_gzip_file(tmp_path):
    packed = gzip.compress(CONTENT)
    (tmp_path / "a.gz").write_bytes(packed)
    file = RemoteFile("a.gz", hashlib.md5(packed).hexdigest(), algorithm="md5", content=False)
    assert fetch_files("demo", [file], mirrors=[], data_dir=tmp_path) == {"a.gz": CONTENT}


def test_download_from_the_second_mirror_into_the_cache(tmp_path, no_env):
    mirrors = [(tmp_path / "absent").as_uri() + "/", mirror_with(tmp_path, {"a.gz": CONTENT})]
    assert fetch_files("demo", [remote()], mirrors) == {"a.gz": CONTENT}
    assert sorted(p.name for p in (no_env / "demo").iterdir()) == ["a.gz"]


def test_progress_bar_only_on_a_terminal(tmp_path, no_env, monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    fetch_files("demo", [remote()], [mirror_with(tmp_path, {"a.gz": CONTENT})])
    assert (no_env / "demo" / "a.gz").is_file()


def test_checksum_mismatch_on_download_keeps_nothing(tmp_path, no_env):
    mirror = mirror_with(tmp_path, {"a.gz": b"other content"})
    with pytest.raises(DatasetError, match=r"(?s)could not download a.gz.*fails its checksum"):
        fetch_files("demo", [remote()], [mirror])
    assert not (no_env / "demo").exists()  # neither the file nor a .part, nor the folder


def test_offline_names_every_expected_file_and_the_folder(no_env, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(download.urllib.request, "urlopen", offline)
    files = [remote("a.gz"), remote("b.gz")]
    with pytest.raises(
        DatasetError,
        match=r"demo: expected the files a.gz, b.gz in .*demo, but they are missing .*"
        r"no mirror answered.*https://example.org/.*pass data_dir=.*AEKIT_DATA",
    ):
        fetch_files("demo", files, ["https://example.org/"])


def test_no_download_when_told_not_to(tmp_path):
    with pytest.raises(DatasetError, match=r"expected the files a.gz .*\(download=False\)"):
        fetch_files("demo", [remote()], ["https://example.org/"], tmp_path, download=False)


def test_http_error_is_reported_per_mirror(no_env, monkeypatch):
    def not_found(url, **kwargs):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(download.urllib.request, "urlopen", not_found)
    with pytest.raises(DatasetError, match=r"every mirror failed:\n  https://example.org/a.gz: HTTP"):
        fetch_files("demo", [remote()], ["https://example.org/"])


def test_local_checksum_mismatch(tmp_path):
    (tmp_path / "a.gz").write_bytes(gzip.compress(b"not it"))
    with pytest.raises(DatasetError, match=r"a.gz fails its checksum: expected sha256 .* got "):
        fetch_files("demo", [remote()], [], tmp_path)


@pytest.mark.parametrize(
    "damage", [lambda b: b[: len(b) // 2], lambda b: b[:12] + bytes(len(b) - 12), lambda b: b"x"]
)
def test_truncated_or_corrupt_gzip(tmp_path, damage):
    (tmp_path / "a.gz").write_bytes(damage(gzip.compress(CONTENT * 50)))
    with pytest.raises(DatasetError, match=r"a.gz is not a complete gzip file .*delete the file"):
        fetch_files("demo", [remote()], [], tmp_path)
