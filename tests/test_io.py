import json

import numpy as np
import pytest

import aekit
from aekit import AutoencoderEstimator, ModelFileError


@pytest.fixture(scope="module")
def fitted(font):
    return AutoencoderEstimator(hidden_sizes=(12,), latent_dim=2, loss="bce", max_iter=5, validation_fraction=0.2, random_state=0).fit(font.data)


def test_round_trip_gives_identical_outputs(tmp_path, fitted, font):
    path = aekit.save(fitted, tmp_path / "model")
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "history.json", "model.safetensors"]
    loaded = aekit.load(path)
    for method in ("transform", "reconstruct", "score_samples"):
        np.testing.assert_array_equal(getattr(loaded, method)(font.data), getattr(fitted, method)(font.data))
    assert loaded.get_params() == fitted.get_params()
    assert loaded.history_.loss == fitted.history_.loss and loaded.history_.val_loss == fitted.history_.val_loss
    assert loaded.device_ == "cpu"


def test_a_saved_model_has_the_modes_of_a_plain_folder_and_files(tmp_path, fitted):
    """mkdtemp's 0700 staging folder and safetensors' 0600 file would make a shared model unreadable."""
    import os
    import stat

    umask = os.umask(0o022)
    try:
        path = aekit.save(fitted, tmp_path / "model")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert {stat.S_IMODE(f.stat().st_mode) for f in path.iterdir()} == {0o644}


def test_no_pickle_in_the_saved_files(tmp_path, fitted):
    path = aekit.save(fitted, tmp_path / "model")
    config = json.loads((path / "config.json").read_text())
    assert config["format"] == "aekit-model" and config["params"]["hidden_sizes"] == [12]
    raw = (path / "model.safetensors").read_bytes()
    assert b"\x80\x04" not in raw[:16]  # no pickle protocol header


def test_save_replaces_an_existing_model_atomically(tmp_path, fitted, font, monkeypatch):
    path = aekit.save(fitted, tmp_path / "model")
    before = (path / "model.safetensors").read_bytes()

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(aekit.io, "save_file", broken_save)
    other = AutoencoderEstimator(hidden_sizes=(12,), latent_dim=2, max_iter=1, random_state=1).fit(font.data)
    with pytest.raises(OSError, match="disk full"):
        aekit.save(other, path)
    assert (path / "model.safetensors").read_bytes() == before  # the old model is intact
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no half-written leftovers


def test_save_needs_a_fitted_estimator(tmp_path):
    with pytest.raises(ModelFileError, match=r"save\(\) needs a fitted estimator.*Fix: call fit\(X\) first"):
        aekit.save(AutoencoderEstimator(), tmp_path / "m")


def test_missing_directory_or_file(tmp_path, fitted):
    with pytest.raises(ModelFileError, match=r"No saved model at .*nothing-here: the directory does not exist"):
        aekit.load(tmp_path / "nothing-here")
    path = aekit.save(fitted, tmp_path / "model")
    (path / "history.json").unlink()
    with pytest.raises(ModelFileError, match=r"is missing history\.json; a saved model holds config\.json, model\.safetensors, history\.json\. Fix"):
        aekit.load(path)


def test_truncated_weights(tmp_path, fitted):
    path = aekit.save(fitted, tmp_path / "model")
    data = (path / "model.safetensors").read_bytes()
    (path / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"model\.safetensors cannot be read .*truncated or corrupt\. Fix: save the model again"):
        aekit.load(path)


def test_truncated_config(tmp_path, fitted):
    path = aekit.save(fitted, tmp_path / "model")
    text = (path / "config.json").read_text()
    (path / "config.json").write_text(text[:40])
    with pytest.raises(ModelFileError, match=r"config\.json is not valid JSON .*truncated or corrupt"):
        aekit.load(path)


def test_weights_that_do_not_match_the_config(tmp_path, fitted, font):
    path = aekit.save(fitted, tmp_path / "model")
    bigger = AutoencoderEstimator(hidden_sizes=(13,), latent_dim=2, max_iter=1, random_state=0).fit(font.data)
    other = aekit.save(bigger, tmp_path / "other")
    (path / "model.safetensors").write_bytes((other / "model.safetensors").read_bytes())
    with pytest.raises(ModelFileError, match=r"model\.safetensors does not match .*config\.json: tensors differ in name or shape"):
        aekit.load(path)


def test_not_an_aekit_model(tmp_path, fitted):
    path = aekit.save(fitted, tmp_path / "model")
    config = json.loads((path / "config.json").read_text())
    config["format_version"] = 99
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        ModelFileError,
        match=r"is not an aekit model of format version 1 or 2 \(format='aekit-model', version=99\)\. Fix: load it with the aekit that saved it",
    ):
        aekit.load(path)
