"""Format version 2: numeric fitted arrays as tensors in model.safetensors; version 1 files still load."""

import json
import shutil

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

import aekit
from aekit import AnomalyDetector, AutoencoderEstimator, ModelFileError
from aekit.apps.hashing import fit_rotation, hash_codes

from .format1_fixture import DETECTORS, FOLDER, data, detector_outputs, hashing_outputs


def _array_fields(estimator):
    return [f for f in type(estimator).FITTED_STATE if f.array]


def _networks(estimator):
    return getattr(estimator, "members_", None) or [estimator]


def _folders(path, estimator):
    config = json.loads((path / "config.json").read_text())
    return [path / folder for folder in config.get("members", ["."])]


def _assert_same_arrays(again, fitted):
    """Every array field of every network is equal, with the same dtype (or None on both)."""
    for mine, theirs in zip(_networks(again), _networks(fitted), strict=True):
        for field in _array_fields(fitted):
            want, got = getattr(theirs, field.name, None), getattr(mine, field.name, None)
            if want is None:
                assert got is None, field.name
            else:
                assert got.dtype == want.dtype and got.shape == want.shape, field.name
                np.testing.assert_array_equal(got, want, err_msg=field.name)


def _table():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    return pd.DataFrame({"x": rng.normal(size=80), "y": rng.normal(size=80), "kind": rng.choice(["a", "b", "c"], size=80)})


CASES = {
    "hashing": lambda: fit_rotation(AutoencoderEstimator(hidden_sizes=(8,), latent_dim=4, max_iter=3, random_state=0).fit(data()), data()),
    "detector-3-members": lambda: AnomalyDetector(max_iter=3, hidden_sizes=(8,), random_state=0).fit(data()),
    "mahalanobis": lambda: AnomalyDetector(code_score="mahalanobis", max_iter=3, hidden_sizes=(8,), random_state=0).fit(data()),
    "table-detector": lambda: AnomalyDetector(max_iter=3, hidden_sizes=(8,), random_state=0).fit(_table()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_array_state_round_trips_exactly_as_tensors(case, tmp_path):
    fitted = CASES[case]()
    path = aekit.save(fitted, tmp_path / "m")
    again = aekit.load(path)
    _assert_same_arrays(again, fitted)
    stored = 0
    for folder, network in zip(_folders(path, fitted), _networks(fitted), strict=True):
        config = json.loads((folder / "config.json").read_text())
        assert config["format_version"] == 2
        tensors = load_file(str(folder / "model.safetensors"))
        for field in _array_fields(network):
            value = getattr(network, field.name, None)
            if value is None:
                assert config["fitted"].get(field.file_key) is None  # absent (optional) or JSON null
            else:
                name = f"fitted.{field.file_key}"
                assert config["fitted"][field.file_key] == {"tensor": name}
                assert tensors[name].numpy().dtype == np.asarray(value).dtype  # float32 stays float32, float64 float64
                stored += 1
    assert stored >= 2
    X = _table() if case == "table-detector" else data()
    np.testing.assert_array_equal(again.transform(X), fitted.transform(X))
    if isinstance(fitted, AnomalyDetector):
        np.testing.assert_array_equal(again.score_samples(X), fitted.score_samples(X))
    else:
        np.testing.assert_array_equal(hash_codes(again, X), hash_codes(fitted, X))


def test_the_detectors_state_has_the_declared_dtypes():
    det = CASES["detector-3-members"]()
    assert det.shift_.dtype == np.float32 and det.code_reference_.dtype == np.float64 and det.member_scale_.dtype == np.float64


def test_a_detector_with_many_reference_codes_keeps_config_json_small(tmp_path):
    """A cardio-sized detector (1,831 rows x 21): its reference codes were ~900 KB of JSON numbers."""
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(1831, 5)) @ rng.normal(size=(5, 21))).astype(np.float32)
    det = AnomalyDetector(hidden_sizes=(8,), max_iter=1, random_state=0).fit(X)
    assert min(len(m.code_reference_) for m in det.members_) > 1000
    as_json = sum(len(json.dumps(dump)) for dump in map(aekit.io.dump_fitted, det.members_))
    path = aekit.save(det, tmp_path / "det")
    sizes = [(folder / "config.json").stat().st_size for folder in _folders(path, det)]
    assert len(sizes) == 3 and max(sizes) < 4096 and as_json > 100 * max(sizes)
    _assert_same_arrays(aekit.load(path), det)


@pytest.fixture(scope="module")
def detector():
    return AnomalyDetector(max_iter=3, hidden_sizes=(8,), random_state=0).fit(data())


def test_a_missing_fitted_tensor_is_a_clear_error(tmp_path, detector):
    path = aekit.save(detector, tmp_path / "det")
    tensors = load_file(str(path / "members" / "2" / "model.safetensors"))
    del tensors["fitted.code_reference_"]
    save_file(tensors, str(path / "members" / "2" / "model.safetensors"))
    with pytest.raises(
        ModelFileError,
        match=r"members/2/config\.json stores the fitted 'code_reference_' as the tensor 'fitted\.code_reference_', but "
        r".*members/2/model\.safetensors has no such tensor \(its fitted tensors: \['fitted\.error_scale_', .*\]\)\. "
        r"Fix: keep the three files of one save together, or save the model again\.",
    ):
        aekit.load(path)


def test_the_weights_check_still_catches_another_network(tmp_path, detector):
    path = aekit.save(detector, tmp_path / "det")
    other = aekit.save(AnomalyDetector(n_members=1, max_iter=1, hidden_sizes=(9,), random_state=0).fit(data()), tmp_path / "other")
    (path / "model.safetensors").write_bytes((other / "model.safetensors").read_bytes())
    with pytest.raises(ModelFileError, match=r"model\.safetensors does not match .*config\.json: tensors differ in name or shape") as caught:
        aekit.load(path)
    assert "fitted." not in str(caught.value)  # the fitted arrays are set aside before the comparison


@pytest.mark.parametrize("name", list(DETECTORS))
def test_a_format1_detector_loads_and_scores_as_when_saved(name, tmp_path):
    """Files written by main's code before version 2 (tests/format1_fixture.py): arrays as JSON lists.

    Bit for bit on the machine that wrote the fixture; the tolerance allows another CPU's float32 rounding."""
    assert json.loads((FOLDER / name / "config.json").read_text())["format_version"] == 1
    want = json.loads((FOLDER / "outputs.json").read_text())[name]
    again = aekit.load(FOLDER / name)
    got = detector_outputs(again)
    assert got["predict"] == want["predict"]
    np.testing.assert_allclose(got["score_samples"], want["score_samples"], rtol=1e-6)
    np.testing.assert_allclose(got["threshold_"], want["threshold_"], rtol=0)
    config = json.loads((FOLDER / name / "config.json").read_text())
    np.testing.assert_array_equal(again.code_precision_ if name == "mahalanobis" else again.code_reference_,
                                  config["fitted"]["code_precision_" if name == "mahalanobis" else "code_reference_"])
    shutil.copytree(FOLDER / name, tmp_path / "old")  # saved again, it is version 2 and scores the same
    resaved = aekit.load(aekit.save(again, tmp_path / "old"))
    assert json.loads((tmp_path / "old" / "config.json").read_text())["format_version"] == 2
    _assert_same_arrays(resaved, again)
    np.testing.assert_array_equal(resaved.score_samples(data()), again.score_samples(data()))


def test_a_format1_hashing_model_loads_and_hashes_as_when_saved():
    want = json.loads((FOLDER / "outputs.json").read_text())["hashing"]
    got = hashing_outputs(aekit.load(FOLDER / "hashing"))
    np.testing.assert_allclose(got["transform"], want["transform"], rtol=1e-6)
    assert got["bits"] == want["bits"]


@pytest.mark.parametrize("version", [1, 2])
def test_the_explorer_and_aekit_detect_use_a_reloaded_detector(version, tmp_path, detector):
    from typer.testing import CliRunner

    from aekit.cli import app
    from aekit.web.explorer import Explorer

    path = FOLDER / "detector" if version == 1 else aekit.save(detector, tmp_path / "det")
    again = aekit.load(path)
    explorer = Explorer(again, data())
    np.testing.assert_array_equal(explorer.errors, -again.score_samples(data()).astype(np.float64))
    assert len(explorer.sample(0)["feature_errors"]) == data().shape[1]
    np.save(tmp_path / "d.npy", data())
    result = CliRunner().invoke(app, ["detect", str(tmp_path / "d.npy"), "-m", str(path), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    scores = np.loadtxt(tmp_path / "s.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(scores[:, 1], -again.score_samples(data()), rtol=1e-5)  # the CSV has 6 significant digits
    np.testing.assert_array_equal(scores[:, 2], again.predict(data()))
