"""Mixed-type tables: categorical columns above ``embed_above`` categories enter through learned embeddings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import aekit
from aekit import AnomalyDetector, ConfigError, DataError, TableAutoencoder
from aekit.layers.embedding import EmbeddedInput, embedding_dim
from aekit.models import AEOutput
from aekit.tables import TableEncoder

pd = pytest.importorskip("pandas")


def _cities(n: int = 600, n_cities: int = 80, seed: int = 0):
    """A table whose 80-way ``city`` follows a numeric column, with a few missing cities."""
    rng = np.random.default_rng(seed)
    city = rng.integers(0, n_cities, n)
    table = pd.DataFrame({
        "x": city + rng.normal(0, 0.2, n),
        "city": [f"city-{c:03d}" for c in city],
        "coast": city % 2 == 0,
        "kind": np.where(city < n_cities // 2, "north", "south").astype(object),
    })
    table.loc[rng.choice(n, 12, replace=False), "city"] = None
    return table


def test_a_column_above_embed_above_is_one_index_slot_in_and_one_logit_per_category_out():
    table = _cities()
    enc = TableEncoder(embed_above=50).fit(table)
    city = next(c for c in enc.columns_ if c.name == "city")
    kind = next(c for c in enc.columns_ if c.name == "kind")
    assert city.embedded and (city.width, city.out_width, city.embed_dim) == (1, 80, embedding_dim(80))
    assert not kind.embedded and kind.width == kind.out_width == 2
    assert enc.n_encoded_ == 2 + 1 + 2 + 2 and enc.n_outputs_ == 2 + 80 + 2 + 2
    assert enc.embedded_inputs == ((city.start, 80, embedding_dim(80)),)
    X = enc.transform(table)
    missing = table["city"].isna().to_numpy()
    assert (X[missing, city.start] == -1).all()
    assert [city.categories[int(i)] for i in X[~missing, city.start][:3]] == table["city"][~missing][:3].tolist()
    # one-hot up to embed_above: the same column one-hot when the threshold is above its 80 categories
    assert not next(c for c in TableEncoder(embed_above=80).fit(table).columns_ if c.name == "city").embedded


def test_decode_reads_each_column_from_its_output_logits_and_refuses_the_input_matrix():
    table = _cities(200)
    enc = TableEncoder(embed_above=10).fit(table)
    logits = np.full((3, enc.n_outputs_), -5.0, np.float32)
    city = next(c for c in enc.columns_ if c.name == "city")
    logits[np.arange(3), city.out_start + np.array([4, 0, 7])] = 5.0
    assert enc.decode(logits)["city"].tolist() == [city.categories[i] for i in (4, 0, 7)]
    with pytest.raises(DataError, match=rf"decode takes network outputs with {enc.n_outputs_} columns \(n_outputs_\); got shape \(3, {enc.n_encoded_}\)"):
        enc.decode(enc.transform(table.head(3)))


def test_the_embedded_loss_is_the_categorys_cross_entropy_and_a_missing_index_adds_nothing():
    table = pd.DataFrame({"c": list("abcdef"), "x": np.arange(6.0)})
    enc = TableEncoder(embed_above=3).fit(table)
    target = torch.from_numpy(enc.transform(table))
    target[2, 0] = -1.0  # a missing category
    logits = torch.randn(6, enc.n_outputs_)
    loss = enc.objective({}).per_element_error(AEOutput(logits, logits, logits[:, :1]), target)
    want = torch.nn.functional.cross_entropy(logits[:, :6], torch.tensor([0, 1, 0, 3, 4, 5]), reduction="none")
    want[2] = 0.0
    assert torch.allclose(loss[:, 0], want)


def test_the_embedding_front_maps_indices_to_trained_vectors_and_a_missing_one_to_zero():
    front = EmbeddedInput(3, [(1, 5, 4)])
    x = torch.tensor([[0.5, 2.0, 1.0], [0.1, -1.0, 2.0], [0.1, 2.0, 2.0]])
    out = front(x)
    assert out.shape == (3, 2 + 4)
    assert torch.equal(out[:, :2], x[:, [0, 2]])
    assert torch.equal(out[0, 2:], out[2, 2:]) and torch.equal(out[1, 2:], torch.zeros(4))
    out.sum().backward()
    assert front.tables[0].weight.grad[5].abs().sum() == 0  # the padding row never trains


def test_a_table_autoencoder_learns_an_embedded_column_and_saves_and_loads(tmp_path):
    table = _cities()
    ae = TableAutoencoder(embed_above=50, hidden_sizes=(64,), latent_dim=4, max_iter=150, learning_rate=0.01, random_state=0).fit(table)
    first = ae.model_.encoder[0]
    assert isinstance(first, EmbeddedInput) and first.out_features == 2 + 2 + 2 + embedding_dim(80)
    rec = ae.reconstruct(table)
    present = table["city"].notna()
    accuracy = (rec["city"][present] == table["city"][present]).mean()
    assert accuracy > 0.5  # chance is about 1/80; x gives the city to within one
    assert rec["city"][~present].notna().all()  # a missing city is imputed
    aekit.save(ae, tmp_path / "m")
    again = aekit.load(tmp_path / "m")
    assert again.table_.embedded_inputs == ae.table_.embedded_inputs
    assert np.array_equal(again.transform(table), ae.transform(table))
    assert again.reconstruct(table).equals(rec)


def test_a_detector_scores_explains_and_reconstructs_a_table_with_an_embedded_column():
    table = _cities(600, n_cities=120)
    detector = AnomalyDetector(max_iter=20, random_state=0).fit(table)
    assert detector.table_.embedded_inputs  # 120 cities > the default embed_above of 100
    odd = table.head(5).copy()
    scores = detector.score_samples(odd)
    assert scores.shape == (5,) and np.isfinite(scores).all()
    explanation = detector.explain(odd)
    assert explanation.contributions.shape == (5, 4)
    assert list(detector.reconstruct(odd).columns) == list(table.columns)


def test_noise_and_a_contractive_term_are_refused_with_embedded_columns():
    table = _cities(100)
    with pytest.raises(ConfigError, match=r"noise='gaussian' acts on every input slot, but the columns \['city'\] enter as category indices"):
        TableAutoencoder(embed_above=50, noise="gaussian", max_iter=1).fit(table)
    with pytest.raises(ConfigError, match=r"contractive_weight=0.1 acts on every input slot.*raise embed_above"):
        TableAutoencoder(embed_above=50, contractive_weight=0.1, max_iter=1).fit(table)
    TableAutoencoder(embed_above=100, noise="gaussian", max_iter=1).fit(table)  # one-hot: fine


@pytest.mark.parametrize("bad", [0, -3, 2.5, "many", True])
def test_a_bad_embed_above_is_named(bad):
    with pytest.raises(DataError, match=r"embed_above must be a positive integer; got"):
        TableEncoder(embed_above=bad).fit(_cities(50))


def test_a_model_saved_before_embeddings_existed_still_loads():
    table = _cities(100)
    state = TableEncoder(embed_above=1000).fit(table).to_dict()
    del state["embed_above"]
    for column in state["columns"]:
        for key in ("out_start", "out_width", "embed_dim"):
            del column[key]
    old = TableEncoder.from_dict(state)
    assert old.n_outputs_ == old.n_encoded_ and not old.embedded_inputs
    assert np.array_equal(old.transform(table), TableEncoder(embed_above=1000).fit(table).transform(table))


def test_an_embedded_table_model_exports_to_onnx(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    table = _cities(200)
    ae = TableAutoencoder(embed_above=50, hidden_sizes=(16,), latent_dim=3, max_iter=5, random_state=0).fit(table)
    X = ae.table_.transform(table)
    for part, want in (("encoder", ae.transform(table)), ("autoencoder", None)):
        path = aekit.export_onnx(ae, tmp_path / f"{part}.onnx", part=part)
        session = ort.InferenceSession(str(path))
        got = session.run(None, {session.get_inputs()[0].name: X})[0]
        if want is None:  # the logits, one per category of the embedded column
            with torch.no_grad():
                want = ae.model_(torch.from_numpy(X)).x_hat.numpy()
            assert got.shape == (200, ae.table_.n_outputs_)
        assert np.abs(got - want).max() <= 1e-5
    detector = AnomalyDetector(embed_above=50, max_iter=5, random_state=0).fit(table)
    path = aekit.export_onnx(detector, tmp_path / "score.onnx", part="anomaly-score")
    session = ort.InferenceSession(str(path))
    got = session.run(None, {session.get_inputs()[0].name: detector.table_.transform(table)})[0]
    want = detector.score_samples(table)
    assert np.abs(got - want).max() <= 1e-5


def test_aekit_train_and_detect_take_embed_above(tmp_path):
    from typer.testing import CliRunner

    from aekit.cli import app

    _cities(300, n_cities=60).to_csv(tmp_path / "shops.csv", index=False)
    runner = CliRunner()
    done = runner.invoke(app, ["train", "--data", str(tmp_path / "shops.csv"), "--embed-above", "50", "--max-iter", "2",
                               "--out", str(tmp_path / "run"), "--quiet"])
    assert done.exit_code == 0, done.output
    assert aekit.load(tmp_path / "run").table_.embedded_inputs  # 60 cities > 50
    done = runner.invoke(app, ["detect", str(tmp_path / "shops.csv"), "--embed-above", "50", "--max-iter", "2",
                               "--out", str(tmp_path / "scores.csv"), "--save", str(tmp_path / "det")])
    assert done.exit_code == 0, done.output
    assert aekit.load(tmp_path / "det").table_.embedded_inputs
    done = runner.invoke(app, ["train", "--data", "font", "--embed-above", "5", "--out", str(tmp_path / "font")])
    assert done.exit_code != 0 and "--embed-above applies to mixed-type tables; font is not one" in done.output
