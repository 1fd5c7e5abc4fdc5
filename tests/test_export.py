"""ONNX export: every part of every model kind gives, in onnxruntime, what the estimator gives."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import aekit
from aekit import AnomalyDetector, AutoencoderEstimator, ConfigError, ModelFileError, export_onnx
from aekit.export import PARTS

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

N_ROWS = 1000
TOL = 1e-5
# A detector's score runs the network in float64 (float32 for conv, which ONNX Runtime cannot run
# in float64) and adds per-feature errors in float64, in torch and in the graph alike (the output
# is float64), so scores in the hundreds match to 1e-5 absolute like every other part.
METHOD = {"encoder": "transform", "decoder": "inverse_transform", "autoencoder": "reconstruct", "anomaly-score": "score_samples"}


def _table(n: int, seed: int = 0) -> np.ndarray:
    """Rows near a 3-D plane in 8-D, on another scale per column (the detector standardises)."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, 3)) @ rng.normal(size=(3, 8)) + 0.1 * rng.normal(size=(n, 8))
    return (rows * np.arange(1, 9) + 5.0).astype(np.float32)


def _images(n: int, seed: int = 0) -> np.ndarray:
    """(n, 1, 8, 8) images in [0, 1]: a bright square at a random place."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 1, 8, 8), np.float32)
    for i, (r, c) in enumerate(rng.integers(0, 5, size=(n, 2))):
        out[i, 0, r : r + 3, c : c + 3] = 1.0
    return out


# model kind -> (estimator, data maker): dense, VAE (mean code), binary latent and conv, each a
# detector so the graphs carry the scaling too; plain estimators are the same graphs without it
KINDS = {
    "dense": (lambda: AnomalyDetector(hidden_sizes=(16,), latent_dim=3, max_iter=30, random_state=0), _table),
    "vae": (lambda: AnomalyDetector(hidden_sizes=(16,), latent_dim=3, latent="gaussian", max_iter=30, random_state=0), _table),
    "binary": (lambda: AnomalyDetector(hidden_sizes=(16,), latent_dim=6, latent="binary", max_iter=30, random_state=0), _table),
    "conv": (
        lambda: AnomalyDetector(architecture="conv", channels=(4, 8), latent_dim=4, loss="bce", max_iter=5, random_state=0),
        _images,
    ),
}


@pytest.fixture(scope="module")
def fitted():
    return {kind: make().fit(data(300)) for kind, (make, data) in KINDS.items()}


def _run(path, inputs: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path))
    (out,) = session.run(None, {session.get_inputs()[0].name: inputs})
    return out


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_onnxruntime_matches_torch_on_1000_rows(fitted, kind, part, tmp_path):
    estimator = fitted[kind]
    rows = KINDS[kind][1](N_ROWS, seed=1)
    inputs = estimator.transform(rows) if part == "decoder" else rows
    path = export_onnx(estimator, tmp_path / f"{kind}-{part}.onnx", part=part)
    got = _run(path, inputs)
    want = getattr(estimator, METHOD[part])(inputs)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= TOL
    if kind == "binary" and part == "encoder":
        assert set(np.unique(got)) <= {0.0, 1.0}  # hard bits, as transform gives


@pytest.mark.parametrize(
    "params",
    [
        {"code_score": "none"}, {"code_score": "none", "error_scaling": "none"}, {"error_scaling": "none"},
        {"code_score": "mahalanobis"},
    ],
)
def test_every_score_the_detector_can_give_exports(params, tmp_path):
    """The default score (error over each feature's median plus the code's distance to its nearest
    training codes) is KINDS'; the others, the older scores reachable by parameters, export exactly too."""
    detector = AnomalyDetector(hidden_sizes=(16,), latent_dim=3, max_iter=30, random_state=0, **params).fit(_table(300))
    code_score = params.get("code_score", "neighbors")
    assert (detector.code_precision_ is not None) == (code_score == "mahalanobis")
    assert (detector.code_reference_ is not None) == (code_score == "neighbors")
    rows = _table(N_ROWS, seed=1)
    got = _run(export_onnx(detector, tmp_path / "s.onnx", part="anomaly-score"), rows)
    assert got.dtype == np.float64
    assert np.abs(got - detector.score_samples(rows)).max() <= TOL


def test_an_ensemble_detector_exports_the_mean_of_its_members_scores(fitted, tmp_path):
    """KINDS' dense detector has three members (n_members="auto"): the score graph runs all three, the
    other parts are the middle one, the detector's own network."""
    detector = fitted["dense"]
    assert [m.spec_.latent_dim for m in detector.members_] == [2, 3, 6]
    rows = _table(N_ROWS, seed=1)
    got = _run(export_onnx(detector, tmp_path / "s.onnx", part="anomaly-score"), rows)
    assert np.abs(got - detector.score_samples(rows)).max() <= TOL
    scaled = ((rows - detector.shift_) / detector.scale_).astype(np.float32)
    middle_only = -detector._own_scores(scaled) / detector.member_scale_[1]  # in the ensemble's units
    assert np.abs(got - middle_only).max() > 0.1  # not the middle network's score alone
    encoder = _run(export_onnx(detector, tmp_path / "e.onnx", part="encoder"), rows)
    assert encoder.shape == (N_ROWS, 3)


def test_the_batch_dimension_is_dynamic(fitted, tmp_path):
    path = export_onnx(fitted["conv"], tmp_path / "dec.onnx", part="decoder")
    model = onnx.load(str(path))
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    codes = fitted["conv"].transform(_images(7))
    for n in (1, 7):
        assert _run(path, codes[:n]).shape == (n, 64)


def test_the_metadata_records_the_version_and_the_parameters(fitted, tmp_path):
    detector = fitted["dense"]
    model = onnx.load(str(export_onnx(detector, tmp_path / "s.onnx", part="anomaly-score")))
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["aekit.version"] == aekit.__version__
    assert meta["aekit.estimator"] == "AnomalyDetector"
    assert meta["aekit.part"] == "anomaly-score"
    params = json.loads(meta["aekit.params"])
    assert params["latent_dim"] == 3 and params["hidden_sizes"] == [16] and params["contamination"] == 0.1
    assert float(meta["aekit.threshold"]) == detector.threshold_
    assert json.loads(meta["aekit.input_shape"]) == [8]


def test_the_threshold_in_the_metadata_labels_rows_as_predict_does(fitted, tmp_path):
    detector = fitted["dense"]
    path = export_onnx(detector, tmp_path / "s.onnx", part="anomaly-score")
    threshold = float({p.key: p.value for p in onnx.load(str(path)).metadata_props}["aekit.threshold"])
    rows = np.vstack([_table(50, seed=2), _table(5, seed=3) * 3.0])
    labels = np.where(_run(path, rows) < -threshold, -1, 1)
    assert (labels == detector.predict(rows)).all() and (labels == -1).any()


def test_the_same_model_gives_the_same_bytes(fitted, tmp_path):
    first = export_onnx(fitted["conv"], tmp_path / "a.onnx", part="anomaly-score").read_bytes()
    again = export_onnx(fitted["conv"], tmp_path / "b.onnx", part="anomaly-score").read_bytes()
    assert first == again


def test_a_plain_estimator_exports_without_scaling(tmp_path):
    X = _table(200)
    ae = AutoencoderEstimator(hidden_sizes=(8,), latent_dim=2, max_iter=5, random_state=0).fit(X)
    got = _run(export_onnx(ae, tmp_path / "ae.onnx"), X)
    assert np.abs(got - ae.reconstruct(X)).max() <= 1e-4  # unscaled features reach ~40: float32 round-off
    assert np.abs(got - ae.reconstruct(X)).max() / np.abs(X).max() <= 1e-6


def test_an_unknown_part_is_refused_with_the_choices(fitted, tmp_path):
    with pytest.raises(ConfigError, match=r"part.*encoder.*decoder.*autoencoder.*anomaly-score|Did you mean \"encoder\""):
        export_onnx(fitted["dense"], tmp_path / "x.onnx", part="encode")


def test_an_unfitted_estimator_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match=r"needs a fitted estimator; AnomalyDetector has not been fitted.*Fix"):
        export_onnx(AnomalyDetector(), tmp_path / "x.onnx")


def test_a_model_that_cannot_be_exported_names_the_reason(fitted, tmp_path, monkeypatch):
    import torch

    def refuse(*args, **kwargs):
        raise RuntimeError("aten::frobnicate is not supported by the ONNX exporter")

    monkeypatch.setattr(torch.onnx, "export", refuse)
    with pytest.raises(ModelFileError, match=r"encoder of this AnomalyDetector cannot be exported to ONNX: RuntimeError: aten::frobnicate"):
        export_onnx(fitted["dense"], tmp_path / "x.onnx", part="encoder")
    assert not (tmp_path / "x.onnx").exists()


DOC = Path(__file__).resolve().parents[1] / "docs" / "export.md"


def test_the_docs_score_with_onnxruntime_alone(tmp_path, monkeypatch):
    """docs/export.md: the first block exports with aekit; the second runs with aekit blocked."""
    export_block, score_block = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(export_block, str(DOC), "exec"), namespace)
    script = tmp_path / "score.py"
    script.write_text("import sys\nsys.modules['aekit'] = None  # any import of aekit fails\n" + score_block)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [aekit.__version__, "(4,)", "bool"]


def test_aekit_export_writes_each_part(tmp_path):
    from typer.testing import CliRunner

    from aekit.cli import app

    ae = AutoencoderEstimator(hidden_sizes=(8,), latent_dim=2, max_iter=3, random_state=0).fit(_table(100))
    aekit.save(ae, tmp_path / "run")
    runner = CliRunner()
    done = runner.invoke(app, ["export", str(tmp_path / "run"), "--format", "onnx", "--part", "encoder"])
    assert done.exit_code == 0, done.output
    assert np.abs(_run(tmp_path / "run" / "encoder.onnx", _table(10)) - ae.transform(_table(10))).max() <= TOL
    done = runner.invoke(app, ["export", str(tmp_path / "run"), "--part", "decodr"])
    assert done.exit_code != 0 and 'Did you mean "decoder"' in done.output
    done = runner.invoke(app, ["export", str(tmp_path / "run"), "--format", "tflite"])
    assert done.exit_code != 0 and "format='tflite' is not a known choice" in done.output


def test_a_table_detector_exports_its_per_column_score(tmp_path):
    """A mixed-type table's graph takes the encoded matrix; the metadata says how to encode."""
    palmerpenguins = pytest.importorskip("palmerpenguins")
    from aekit.tables import TableEncoder

    penguins = palmerpenguins.load_penguins()
    for code_score in ("auto", "mahalanobis", "neighbors"):  # a table's default: the per-column losses alone
        detector = AnomalyDetector(code_score=code_score, max_iter=10, random_state=0).fit(penguins)
        assert (detector.code_precision_ is None and detector.code_reference_ is None) == (code_score == "auto")
        path = export_onnx(detector, tmp_path / "t.onnx", part="anomaly-score")
        meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
        encoder = TableEncoder.from_dict(json.loads(meta["aekit.table_encoder"]))
        got = _run(path, encoder.transform(penguins))
        want = detector.score_samples(penguins)
        assert np.abs(got - want).max() <= TOL
