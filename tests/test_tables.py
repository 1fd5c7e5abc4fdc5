"""Mixed-type tables: the encoder, the per-column loss, and AnomalyDetector on a DataFrame."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import aekit
from aekit import AnomalyDetector, ConfigError, DataError
from aekit.models import AEOutput
from aekit.tables import TableEncoder, column_quality, is_mixed_table

pd = pytest.importorskip("pandas")
palmerpenguins = pytest.importorskip("palmerpenguins")


def _generated(n: int = 400, seed: int = 0):
    """A table whose categories follow its numbers: colour from x, size code from y, flag from x + y."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n), rng.normal(size=n)
    table = pd.DataFrame({
        "x": x * 10 + 100,
        "y": y,
        "colour": np.where(x > 0.5, "red", np.where(x < -0.5, "blue", "green")).astype(object),
        "size": pd.Series(np.where(y > 0, 2, 1)).astype("category"),   # integer codes, as a category
        "flag": (x + y) > 0,
        "count": rng.integers(0, 5, size=n),
    })
    table.loc[rng.choice(n, 20, replace=False), "x"] = np.nan
    table.loc[rng.choice(n, 20, replace=False), "colour"] = None
    return table


@pytest.fixture(scope="module")
def penguins():
    return palmerpenguins.load_penguins()


@pytest.fixture(scope="module")
def penguin_detector(penguins):
    return AnomalyDetector(max_iter=60, random_state=0).fit(penguins)


def test_the_encoder_learns_each_column_kind(penguins):
    enc = TableEncoder().fit(penguins)
    kinds = {c.name: c.kind for c in enc.columns_}
    assert kinds == {
        "species": "categorical", "island": "categorical", "sex": "categorical", "bill_length_mm": "numeric",
        "bill_depth_mm": "numeric", "flipper_length_mm": "numeric", "body_mass_g": "numeric", "year": "numeric",
    }
    mass = next(c for c in enc.columns_ if c.name == "body_mass_g")
    assert mass.mean == pytest.approx(penguins["body_mass_g"].mean())
    assert mass.std == pytest.approx(penguins["body_mass_g"].std(ddof=0))
    X = enc.transform(penguins)
    assert X.shape == (344, enc.n_encoded_) and np.isfinite(X).all()
    sex = next(c for c in enc.columns_ if c.name == "sex")
    missing_sex = penguins["sex"].isna().to_numpy()
    assert (X[missing_sex, sex.start : sex.start + sex.width] == 0).all()  # a missing category: all-zero block
    assert (X[~missing_sex, sex.start : sex.start + sex.width].sum(1) == 1).all()


def test_the_loss_has_one_head_per_column_and_masks_missing_cells():
    table = pd.DataFrame({"v": [1.0, np.nan], "c": ["a", "b"], "f": [True, None]}, dtype=object)
    table["v"] = table["v"].astype(float)
    enc = TableEncoder().fit(table)
    target = torch.from_numpy(enc.transform(table))
    logits = torch.tensor([[0.5, 0.0, 2.0, 0.0, 1.0, 0.0], [9.0, 9.0, 0.0, 0.0, 9.0, 9.0]])
    per_column = enc.objective({}).per_element_error(AEOutput(logits, logits, logits[:, :1]), target)
    z = 0.0  # v's one present cell is its mean (its std of 0 is taken as 1)
    expected = torch.tensor([
        [(0.5 - z) ** 2, -torch.log_softmax(torch.tensor([2.0, 0.0]), 0)[0], torch.nn.functional.softplus(torch.tensor(-1.0))],
        [0.0, -torch.log_softmax(torch.tensor([0.0, 0.0]), 0)[1], 0.0],  # v and f missing in row 2: masked out
    ])
    assert torch.allclose(per_column, expected)


def test_a_detector_on_penguins_reconstructs_a_table(penguins, penguin_detector):
    rec = penguin_detector.reconstruct(penguins)
    assert list(rec.columns) == list(penguins.columns)
    assert (rec.dtypes == penguins.dtypes).all()
    assert not rec.isna().any().any()  # missing cells are imputed
    quality = {q.name: q for q in column_quality(penguin_detector.table_, penguins, rec)}
    assert quality["species"].value > 0.9 > quality["species"].baseline
    assert quality["sex"].value > quality["sex"].baseline + 0.2
    for name in ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"):
        assert quality[name].value < 0.6 * quality[name].baseline  # rmse well below the column's std


def test_explain_names_the_column_whose_category_was_swapped(penguins, penguin_detector):
    gentoo = penguins[(penguins["species"] == "Gentoo") & penguins.notna().all(axis=1)].head(5).copy()
    odd = gentoo.copy()
    odd["species"] = "Adelie"  # Gentoo measurements labelled Adelie
    assert (penguin_detector.score_samples(odd) < penguin_detector.score_samples(gentoo)).all()
    explanation = penguin_detector.explain(odd)
    assert explanation.feature_names == list(penguins.columns)
    assert [explanation.top(i, 1)[0][0] for i in range(5)].count("species") >= 4
    np.testing.assert_allclose(explanation.contributions.sum(1) + explanation.code, -penguin_detector.score_samples(odd), rtol=1e-5)


def test_a_table_detector_saves_and_loads(penguins, penguin_detector, tmp_path):
    again = aekit.load(aekit.save(penguin_detector, tmp_path / "det"))
    np.testing.assert_array_equal(again.score_samples(penguins), penguin_detector.score_samples(penguins))
    assert again.reconstruct(penguins).equals(penguin_detector.reconstruct(penguins))
    assert "table_" in (tmp_path / "det" / "config.json").read_text()


def test_generated_tables_keep_their_dtypes_and_categories():
    table = _generated()
    det = AnomalyDetector(max_iter=40, random_state=0).fit(table)
    rec = det.reconstruct(table)
    assert [str(t) for t in rec.dtypes] == [str(t) for t in table.dtypes]
    assert set(rec["size"].cat.categories) == {1, 2} and set(rec["colour"]) <= {"red", "green", "blue"}
    quality = {q.name: q for q in column_quality(det.table_, table, rec)}
    assert quality["colour"].value > quality["colour"].baseline
    assert quality["flag"].value > quality["flag"].baseline


def test_numeric_dataframes_stay_on_the_plain_path():
    numeric = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    assert not is_mixed_table(numeric) and is_mixed_table(numeric.assign(c=["x", "y"]))
    assert not is_mixed_table(np.zeros((2, 2)))


# ------------------------------------------------------------------ errors name the column


def test_a_column_of_an_unknown_type_is_named():
    table = pd.DataFrame({"x": [1.0, 2.0], "when": pd.to_datetime(["2020-01-01", "2021-01-01"])})
    with pytest.raises(DataError, match=r"Column 'when' has dtype datetime64.*does not understand.*Fix"):
        TableEncoder().fit(table)


def test_an_all_missing_column_is_named():
    table = pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"], "empty": [np.nan, np.nan]})
    with pytest.raises(DataError, match=r"Column 'empty' has no values \(all 2 cells are missing\).*Fix: drop"):
        AnomalyDetector(max_iter=1).fit(table)


def test_an_unseen_category_is_refused_naming_the_column_and_value(penguins, penguin_detector):
    odd = penguins.head(2).copy()
    odd["island"] = ["Dream", "Atlantis"]
    with pytest.raises(DataError, match=r"Column 'island' holds categories not seen in fit: \['Atlantis'\].*Policy: unseen"):
        penguin_detector.score_samples(odd)


def test_columns_that_differ_from_fit_are_named(penguins, penguin_detector):
    with pytest.raises(DataError, match=r"columns differ from those seen in fit: it lacks \['year'\] and has extra \['month'\]"):
        penguin_detector.score_samples(penguins.rename(columns={"year": "month"}))
    with pytest.raises(DataError, match=r"orders them differently"):
        penguin_detector.score_samples(penguins[penguins.columns[::-1]])


def test_too_many_categories_and_a_numpy_array_are_refused(penguins, penguin_detector):
    wide = pd.DataFrame({"id": [f"row{i}" for i in range(30)], "x": np.arange(30.0)})
    with pytest.raises(DataError, match=r"Column 'id' has 30 distinct values, above max_categories=10"):
        TableEncoder(max_categories=10).fit(wide)
    with pytest.raises(DataError, match=r"takes a pandas DataFrame in transform; got ndarray"):
        penguin_detector.score_samples(np.zeros((2, 8)))


def test_a_table_with_another_loss_is_refused(penguins):
    with pytest.raises(ConfigError, match=r"one loss per column.*got loss='bce'.*Fix: drop loss"):
        AnomalyDetector(loss="bce", max_iter=1).fit(penguins)


def test_a_table_autoencoder_trains_saves_and_reconstructs(penguins, tmp_path):
    from aekit import TableAutoencoder

    ae = TableAutoencoder(hidden_sizes=(16,), latent_dim=3, max_iter=40, random_state=0).fit(penguins)
    assert ae.transform(penguins).shape == (344, 3)
    rec = ae.reconstruct(penguins)
    assert list(rec.columns) == list(penguins.columns) and not rec.isna().any().any()
    quality = {q.name: q for q in column_quality(ae.table_, penguins, rec)}
    assert quality["species"].value > quality["species"].baseline + 0.2
    decoded = ae.inverse_transform(ae.transform(penguins))
    pd.testing.assert_frame_equal(decoded, rec)  # decode(encode(x)) is reconstruct(x)
    again = aekit.load(aekit.save(ae, tmp_path / "ae"))
    assert type(again) is TableAutoencoder
    np.testing.assert_array_equal(again.reconstruction_error(penguins), ae.reconstruction_error(penguins))
    with pytest.raises(ConfigError, match=r"loss must stay \"mse\".*got loss='correntropy'"):
        TableAutoencoder(loss="correntropy").fit(penguins)


def test_aekit_train_on_a_mixed_csv_reports_each_column(penguins, tmp_path):
    from typer.testing import CliRunner

    from aekit.cli import app

    penguins.to_csv(tmp_path / "penguins.csv", index=False)
    runner = CliRunner()
    run = tmp_path / "run"
    done = runner.invoke(app, ["train", "--data", str(tmp_path / "penguins.csv"), "--max-iter", "20", "-o", str(run), "-q"])
    assert done.exit_code == 0, done.output
    assert "reconstruction per column" in done.output and "species" in done.output and "accuracy" in done.output
    info = runner.invoke(app, ["info", str(run)])
    assert info.exit_code == 0 and "body mass g rmse" in info.output
    assert runner.invoke(app, ["export", str(run), "--part", "encoder"]).exit_code == 0
    report = runner.invoke(app, ["report", str(run)])
    assert report.exit_code == 0, report.output
    html = (run / "report.html").read_text()
    assert "Reconstruction per column" in html and "species" in html and "body_mass_g" in html
    assert html.count("data:image/png;base64,") == 1  # the loss curve


def test_the_docs_example_runs(tmp_path, monkeypatch):
    import re
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "tables.md"
    (block,) = re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, str(doc), "exec"), namespace)
    assert namespace["codes"].shape == (344, 3) and namespace["why"].contributions.shape == (3, 8)
    assert len(namespace["quality"]) == 8 and not namespace["table"].isna().any().any()


def test_reconstruct_keeps_each_row_with_its_index(penguins, penguin_detector):
    shuffled = penguins.sample(frac=1.0, random_state=0)  # an index that is not 0..n-1
    rec = penguin_detector.reconstruct(shuffled)
    assert (rec.index == shuffled.index).all()
    pd.testing.assert_frame_equal(rec.sort_index(), penguin_detector.reconstruct(penguins))
    decoded = penguin_detector.inverse_transform(penguin_detector.transform(shuffled))
    assert list(decoded.columns) == list(penguins.columns) and len(decoded) == len(penguins)


def test_a_table_detector_scores_by_its_per_column_losses_alone(penguins, penguin_detector):
    """code_score="auto" adds no code distance for a table: the score is the columns' losses."""
    assert penguin_detector.code_precision_ is None
    why = penguin_detector.explain(penguins.head(5))
    assert np.allclose(why.contributions.sum(1), -penguin_detector.score_samples(penguins.head(5)))
    forced = AnomalyDetector(code_score="mahalanobis", max_iter=5, random_state=0).fit(penguins)
    assert forced.code_precision_ is not None
