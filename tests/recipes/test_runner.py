"""A recipe end to end on a smoke budget: every listed figure lands in the report as a real PNG."""

import base64
import html
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from aekit.cli import app
from aekit.errors import ConfigError, DatasetError
from aekit.recipes import flip_bits, load_recipe, run_recipe

IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"')
RECIPES = Path(__file__).parents[2] / "aekit" / "recipes" / "library"

TINY = """
name = "tiny"
title = "Tiny recipe"
data = "font"
[model]
hidden_sizes = [4]
latent_dim = 2
loss = "bce"
solver = "l-bfgs-b"
max_iter = 2
random_state = 0
[[runs]]
name = "plain"
[[runs]]
name = "denoising"
noisy_copies = 1
noise_levels = [0.1]
[noise_sweep]
levels = [0.1, 0.3]
repeats = 1
[figures.loss_curves]
[figures.reconstructions]
noise_level = 0.2
[figures.latent_map]
[figures.decoded_grid]
n = 4
[figures.interpolation]
between = ["a", "b"]
n = 4
[figures.traversal]
n = 4
[figures.error_histogram]
[figures.errors_per_label]
runs = ["plain"]
[figures.noise_sweep]
"""


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recipe")
    (folder / "tiny.toml").write_text(TINY)
    return run_recipe(folder / "tiny.toml", folder / "runs", smoke=True)


def test_report_embeds_every_listed_figure(tiny_result):
    html = tiny_result.report_path.read_text()
    images = IMG.findall(html)
    assert len(images) == len(tiny_result.recipe.figures) == 9
    for payload, _ in images:
        png = base64.b64decode(payload)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    assert "Interpolation between two codes" in [alt for _, alt in images]


def test_report_tables(tiny_result):
    html = tiny_result.report_path.read_text()
    assert "Smoke run" in html and "PCA (2 components)" in html and "best run (lowest SSE)" in html
    assert "<caption>Runs</caption>" in html and "Mean wrong pixels per sample vs test bit-flip rate" in html


def test_models_saved_and_denoising_trained_on_copies(tiny_result):
    models = tiny_result.directory / "models"
    assert sorted(p.name for p in models.iterdir()) == ["denoising", "plain"]
    assert tiny_result.runs["denoising"].estimator.n_features_in_ == 35
    assert set(tiny_result.sweep) == {"plain", "denoising"} and len(tiny_result.sweep["plain"]) == 2


def test_cli_run(tmp_path):
    (tmp_path / "tiny.toml").write_text('name = "tiny"\ndata = "font"\n[model]\nhidden_sizes = [4]\nsolver = "cg"\n'
                                        '[figures.loss_curves]\n')
    result = CliRunner().invoke(app, ["run", str(tmp_path / "tiny.toml"), "--out", str(tmp_path / "runs"), "--smoke", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "report: " in result.output and (tmp_path / "runs" / "tiny" / "report.html").is_file()


def test_bad_estimator_parameter_names_the_recipe_and_run(tmp_path):
    (tmp_path / "r.toml").write_text('name = "r"\ndata = "font"\n[model]\nsolver = "adamm"\n[[runs]]\nname = "one"\n')
    with pytest.raises(ConfigError, match=r"r\.toml: run 'one': solver='adamm' is not a known choice"):
        run_recipe(tmp_path / "r.toml", tmp_path, smoke=True)


def test_unknown_estimator_parameter(tmp_path):
    (tmp_path / "r.toml").write_text('name = "r"\ndata = "font"\n[model]\nepochs = 3\n')
    with pytest.raises(ConfigError, match=r"r\.toml: run 'model': .*unexpected keyword argument 'epochs'"):
        run_recipe(tmp_path / "r.toml", tmp_path, smoke=True)


def test_flip_bits_rate():
    flipped = flip_bits(np.zeros((100, 100)), 0.2, np.random.default_rng(0))
    assert flipped.mean() == pytest.approx(0.2, abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(RECIPES.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_recipe_smoke(path, tmp_path):
    recipe = load_recipe(path)
    try:
        result = run_recipe(recipe, tmp_path, smoke=True)
    except DatasetError as error:  # MNIST neither cached nor downloadable here: said, never faked
        assert recipe.data == "mnist" and "could not be downloaded" in str(error)
        pytest.skip(str(error))
    assert len(IMG.findall(result.report_path.read_text())) == len(recipe.figures)


def test_held_out_errors_table_when_the_recipe_names_a_validation_subset(tmp_path, monkeypatch):
    import aekit.datasets
    from aekit.datasets import load_digits

    digits = load_digits()
    subsets = {"train": digits.data[:300], "test": digits.data[300:400]}

    def fake_load_dataset(name, subset="train", **options):  # digits has no subsets: fake a test split
        assert name == "digits"
        return type(digits)(data=subsets[subset], DESCR="digits split")

    monkeypatch.setattr(aekit.datasets, "load_dataset", fake_load_dataset)
    (tmp_path / "held.toml").write_text(
        'name = "held"\ndata = "digits"\nvalidation = "test"\n[model]\nhidden_sizes = [8]\nlatent_dim = 3\n'
        "max_iter = 2\nrandom_state = 0\n[[runs]]\nname = \"a\"\n[figures.loss_curves]\n"
    )
    result = run_recipe(tmp_path / "held.toml", tmp_path / "runs")
    assert result.validation.shape == (100, 64)
    text = html.unescape(result.report_path.read_text())
    assert "Errors on the held-out 'test' set (100 samples): autoencoder vs PCA" in text
    assert text.count("PCA (3 components)") == 2 and "SSE per sample" in text  # training and held-out tables


INTERPOLATION = """
name = "ends"
data = "font"
[model]
hidden_sizes = [4]
latent_dim = 2
max_iter = 1
random_state = 0
[figures.interpolation]
between = [{a}, {b}]
n = 3
"""


def test_interpolation_ends_are_indices_labels_or_hash_indices(tmp_path):
    path = tmp_path / "ends.toml"
    path.write_text(INTERPOLATION.format(a=1, b='"#2"'))
    result = run_recipe(path, tmp_path / "runs", smoke=True)
    assert [alt for _, alt in IMG.findall(result.report_path.read_text())] == ["Interpolation between two codes"]
    path.write_text(INTERPOLATION.format(a='"a"', b='"zz"'))
    with pytest.raises(ConfigError, match=rf"{re.escape(str(path))}: key 'figures.interpolation.between': expected sample labels or indices below 32; got 'zz'\."):
        run_recipe(path, tmp_path / "runs", smoke=True)
