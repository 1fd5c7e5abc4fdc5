"""The HTML report: self-contained, every figure an inline PNG, tables and the PCA baseline."""

import base64
import doctest
import re

import numpy as np
import pytest

import aekit.recipes.report
from aekit.errors import DataError
from aekit.plots import plot_loss_curves, plot_series
from aekit.recipes.report import Report, Table, format_cell, pca_comparison

IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def test_docstring_examples():
    assert doctest.testmod(aekit.recipes.report).failed == 0


@pytest.fixture(scope="module")
def report() -> Report:
    X = (np.random.default_rng(0).random((16, 6)) > 0.5).astype(float)
    out = Report("font <2-D>", parameters={"latent_dim": 2, "hidden_sizes": (20, 10)},
                 dataset={"name": "font", "shape": X.shape}, metrics={"sse": 12.5}, timings={"fit": 1.25})
    out.baseline = pca_comparison(X, {"autoencoder": X}, code_size=2)
    out.add_table(Table.from_records("optimisers", [{"solver": "adam", "sse": 1.0}, {"solver": "cg", "sse": 2.5}]))
    out.add_figure("loss", plot_loss_curves([1.0, 0.5]), caption="training loss")
    out.add_figure("sweep", plot_series([1, 2], {"a": [1, 2]}))
    return out


def test_every_figure_is_an_inline_png(report, tmp_path):
    html = report.write(tmp_path / "run" / "report.html").read_text()
    images = IMG.findall(html)
    assert len(images) == 2
    for payload in images:
        png = base64.b64decode(payload)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_self_contained(report):
    html = report.render()
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "<link" not in html


def test_sections_and_escaping(report):
    html = report.render()
    assert "<title>font &lt;2-D&gt; — aekit report</title>" in html
    assert "<td>20, 10</td>" in html  # tuples listed
    assert "PCA (2 components)" in html and "Autoencoder vs PCA" in html
    assert "<caption>optimisers</caption>" in html
    assert "Figure 1. loss.</strong> training loss" in html


def test_missing_baseline_is_said():
    assert "No PCA baseline was computed" in Report("bare").render()


def test_pca_comparison_rows():
    X = np.eye(4)
    table = pca_comparison(X, {"perfect": X}, code_size=1)
    assert table.columns == [
        "model", "code size", "SSE", "MSE per feature", "SSE per sample", "mean wrong pixels", "max wrong pixels"
    ]  # fmt: skip
    perfect, pca = table.rows
    assert perfect[2] == 0.0 and pca[2] > 0
    assert pca[4] == pytest.approx(pca[2] / len(X))  # SSE per sample: the paper-style per-image error


def test_pca_comparison_on_held_out_data_with_a_title():
    rng = np.random.default_rng(0)
    X, X_eval = rng.random((20, 5)), rng.random((7, 5))
    table = pca_comparison(X, {"mean": np.tile(X.mean(0), (7, 1))}, code_size=2, X_eval=X_eval, title="held out")
    assert table.title == "held out"
    model, pca = table.rows
    assert model[4] == pytest.approx(((X_eval - X.mean(0)) ** 2).sum(1).mean())
    assert pca[4] < model[4]  # PCA-2 fitted on X beats the mean on X_eval


@pytest.mark.parametrize(("value", "text"), [(3, "3"), (2.0, "2"), (0.123456, "0.1235"), (1e-7, "1e-07"),
                                             (np.float32(1.5), "1.5"), (None, ""), (True, "True"), ([1, 2.5], "1, 2.5")])
def test_cell_format(value, text):
    assert format_cell(value) == text


def test_table_rows_must_fit_columns():
    with pytest.raises(DataError, match=r"Table 't': row 0 has 1 cells for 2 columns"):
        Table("t", ["a", "b"], [[1]])


def test_figure_bytes_must_be_png():
    with pytest.raises(DataError, match=r"Figure 'x': the bytes given are not a PNG image"):
        Report("r").add_figure("x", b"GIF89a")


def test_pca_comparison_one_pca_row_per_code_size():
    X = np.random.default_rng(1).random((10, 5))
    table = pca_comparison(X, {"a": X, "b": X}, code_size={"a": 1, "b": 3})
    assert [row[:2] for row in table.rows] == [["a", 1], ["b", 3], ["PCA (1 components)", 1], ["PCA (3 components)", 3]]


def test_pca_baseline_caps_an_overcomplete_code():
    X = np.random.default_rng(2).random((4, 6))
    table = pca_comparison(X, {"overcomplete": X}, code_size=10)
    assert table.rows[1][:2] == ["PCA (4 components: all there are)", 4]
