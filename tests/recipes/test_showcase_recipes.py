"""The TP5-VAE and ruta-showcase recipes on a smoke budget, on tiny data the tests make."""

import html
import re
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.utils import Bunch

import aekit.datasets.resolve as resolve
from aekit import AutoencoderEstimator
from aekit.errors import ConfigError, DatasetError
from aekit.layers.latent import LATENTS, NoisySigmoidLatent
from aekit.recipes import find_recipe, load_recipe, run_recipe
from tests.datasets.test_chars74k import make_sample_layout
from tests.datasets.test_cifar import write_batches

IMG = re.compile(r'<img src="data:image/png;base64,')
NEW = ["font-vae-noisy", "handwritten-vae", "showcase-visualisation", "showcase-denoising", "showcase-anomaly", "showcase-hashing"]


@pytest.fixture
def tiny_mnist(monkeypatch):
    """MNIST is not shipped: a tiny stand-in with its shape and labels, counted when loaded."""
    rng = np.random.default_rng(0)
    calls = []

    def load(subset="train", data_dir=None, download=True):
        calls.append(subset)
        n = 80 if subset == "train" else 40
        images = (rng.random((n, 28, 28)) > 0.7).astype(np.float32)
        target = np.arange(n) % 10
        return Bunch(data=images.reshape(n, -1), images=images, target=target, labels=target.astype(str),
                     image_shape=(28, 28), DESCR="tiny MNIST stand-in")

    monkeypatch.setitem(resolve._LOADERS, "mnist", load)
    return calls


def report_text(result_or_path) -> str:
    """The report's words (of a RecipeResult or a report path): tags dropped, entities unescaped, spaces collapsed."""
    path = getattr(result_or_path, "report_path", result_or_path)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", Path(path).read_text())))


def check_figures(result) -> str:
    text = report_text(result)
    assert len(IMG.findall(result.report_path.read_text())) == len(result.recipe.figures)
    for options in result.recipe.figures.values():
        if options.get("original"):
            assert "The original: " + options["original"] in text  # beside its figure
    return text


def test_every_new_recipe_ships_and_parses():
    for name in NEW:
        recipe = load_recipe(find_recipe(name))
        assert recipe.name == name and recipe.figures


def test_font_vae_noisy_smoke(tmp_path):
    result = run_recipe(find_recipe("font-vae-noisy"), tmp_path, smoke=True)
    text = check_figures(result)
    assert result.runs["VAE, 10% flips"].estimator.model_.latent.traits.prior is not None
    assert "New letters: codes drawn from N(0, I), decoded" in text


def test_handwritten_vae_reads_the_users_folder(tmp_path):
    make_sample_layout(tmp_path / "hnd")
    result = run_recipe(find_recipe("handwritten-vae"), tmp_path / "runs", smoke=True, data_dir=tmp_path / "hnd")
    text = check_figures(result)
    assert "Stand-in" not in text and "Chars74K EnglishHnd handwritten characters" in text


def test_handwritten_vae_falls_back_to_mnist_and_says_so(tmp_path, tiny_mnist):
    result = run_recipe(find_recipe("handwritten-vae"), tmp_path, smoke=True)
    text = check_figures(result)
    assert "Stand-in data: 'chars74k' could not be loaded, so this run used 'mnist' instead" in text
    assert "mnist (stand-in for chars74k)" in text and tiny_mnist == ["train"]


def test_a_folder_the_user_gives_is_never_replaced_by_the_stand_in(tmp_path, tiny_mnist):
    with pytest.raises(DatasetError, match="has neither english.csv"):
        run_recipe(find_recipe("handwritten-vae"), tmp_path, smoke=True, data_dir=tmp_path)
    with pytest.raises(ConfigError, match="the dataset 'font' is not read from a folder"):
        run_recipe(find_recipe("font-vae-noisy"), tmp_path, smoke=True, data_dir=tmp_path)


def test_visualisation_runs_on_wine_offline(tmp_path):
    result = run_recipe(find_recipe("showcase-visualisation"), tmp_path, smoke=True)
    text = check_figures(result)
    assert "used 'wine' instead" in text and result.runs["3-D code"].code_size == 3


def test_visualisation_uses_satimage_when_given(tmp_path):
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.integers(0, 256, (30, 36)), np.resize([1, 2, 3, 4, 5, 7], 30)])
    np.savetxt(tmp_path / "sat.trn", rows, fmt="%d")
    result = run_recipe(find_recipe("showcase-visualisation"), tmp_path / "runs", smoke=True, data_dir=tmp_path)
    text = report_text(result)
    assert "Statlog (Landsat Satellite)" in text and "Stand-in" not in text and result.runs["2-D code"].code_size == 2


def test_denoising_on_cifar_batches_tables_psnr(tmp_path):
    write_batches(tmp_path / "cifar", n=8)
    result = run_recipe(find_recipe("showcase-denoising"), tmp_path / "runs", smoke=True, data_dir=tmp_path / "cifar")
    text = check_figures(result)
    assert result.runs["conv denoising AE"].estimator.input_shape_ == (3, 32, 32)
    assert result.runs["conv denoising AE"].code_size == 16 * 32 * 32  # the talk's feature-map code, no dense layer
    assert "PSNR against the clean images" in text and "mean over all 8" in text  # the 8 held-out test images
    assert "Stand-in" not in text


def test_denoising_falls_back_to_mnist_without_downloading_in_a_smoke_run(tmp_path, tiny_mnist, monkeypatch):
    monkeypatch.setenv("AEKIT_DATA", str(tmp_path / "empty"))
    result = run_recipe(find_recipe("showcase-denoising"), tmp_path, smoke=True)
    text = check_figures(result)
    assert "used 'mnist' instead" in text and "download=False" in text
    assert result.runs["conv denoising AE"].estimator.input_shape_ == (1, 28, 28)
    assert tiny_mnist == ["train", "test"]


def test_anomaly_reports_roc_auc_of_the_window(tmp_path):
    result = run_recipe(find_recipe("showcase-anomaly"), tmp_path, smoke=True)
    text = check_figures(result)
    auc = float(re.search(r"ROC-AUC \(anomalous window\) ([0-9.]+)", text).group(1))
    assert 0 <= auc <= 1 and "flagged in window" in text and "of 101" in text


def test_hashing_tables_cosine_distance_by_hamming_distance(tmp_path, tiny_mnist):
    result = run_recipe(find_recipe("showcase-hashing"), tmp_path, smoke=True)
    text = check_figures(result)
    assert "Hamming distance group pairs mean cosine distance" in text


def test_noisy_sigmoid_latent_adds_noise_in_training_only():
    head = LATENTS["noisy_sigmoid"](4, 3)
    assert head is not None and isinstance(head, NoisySigmoidLatent) and head.traits.stochastic
    torch.manual_seed(0)
    h = torch.zeros(2000, 4)
    head.train()
    z = head(h).z
    # sd 16 pushes the sigmoid into its tails: |a| > 4.6 (z < 0.01 or > 0.99) for about 77% of draws
    assert 0.72 < ((z < 0.01) | (z > 0.99)).float().mean() < 0.82
    head.eval()
    torch.testing.assert_close(head(h).z, torch.sigmoid(head.layer(h)))
    X = np.random.default_rng(0).random((40, 12)).astype(np.float32)
    est = AutoencoderEstimator(latent="noisy_sigmoid", latent_dim=5, hidden_sizes=[8], max_iter=2, random_state=0).fit(X)
    codes = est.transform(X)
    assert codes.shape == (40, 5) and 0 <= codes.min() and codes.max() <= 1


def test_figure_tables_name_their_builder(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('name = "r"\ndata = "font"\n[figures.my_map]\nrun = "model"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'figures.my_map'"):
        load_recipe(path)
    path.write_text('name = "r"\ndata = "font"\n[figures.my_map]\nfigure = "latent_mapp"\n')
    with pytest.raises(ConfigError, match=r"key 'figures.my_map.figure': expected one of .* got 'latent_mapp'.*Did you mean"):
        load_recipe(path)
    path.write_text('name = "r"\ndata = "font"\nsamples = 0\n')
    with pytest.raises(ConfigError, match=r"key 'samples': expected a whole number of samples >= 1; got 0"):
        load_recipe(path)
    path.write_text('name = "r"\ndata = "font"\n[figures.a]\nfigure = "latent_map"\nlabel_kind = "class"\n[figures.b]\nfigure = "latent_map"\n')
    assert [o["figure"] for o in load_recipe(path).figures.values()] == ["latent_map", "latent_map"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NEW)
def test_full_run(name, tmp_path):
    """Each recipe at its full budget (minutes; MNIST from AEKIT_DATA where the recipe needs it)."""
    start = time.perf_counter()
    try:
        result = run_recipe(find_recipe(name), tmp_path)
    except DatasetError as error:
        pytest.skip(f"MNIST not available here: {error}")
    check_figures(result)
    assert time.perf_counter() - start < 900
    if name == "showcase-anomaly":
        assert float(re.search(r"ROC-AUC \(anomalous window\) ([0-9.]+)", report_text(result)).group(1)) > 0.55


def test_cli_run_passes_the_data_folder(tmp_path):
    from typer.testing import CliRunner

    from aekit.cli import app

    make_sample_layout(tmp_path / "hnd")
    result = CliRunner().invoke(app, ["run", "handwritten-vae", "--data", str(tmp_path / "hnd"), "--smoke", "--quiet",
                                      "--out", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert "Chars74K EnglishHnd" in report_text(tmp_path / "runs" / "handwritten-vae" / "report.html")
    bad = CliRunner().invoke(app, ["run", "handwritten-vae", "--data", str(tmp_path / "nothing"), "--smoke", "--quiet",
                                   "--out", str(tmp_path / "runs")])
    assert bad.exit_code != 0 and "is not a folder" in bad.output
