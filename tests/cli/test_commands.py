"""Every command through Typer's CliRunner on tiny data: outputs, files, and one-line errors."""

import inspect
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from aekit import AutoencoderEstimator
from aekit.cli import app

runner = CliRunner()
TINY = ["--data", "font", "--samples", "8", "--hidden-sizes", "4", "--latent-dim", "2", "--loss", "bce",
        "--solver", "l-bfgs-b", "--max-iter", "2", "--random-state", "0", "--quiet"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = invoke("train", *TINY, "--out", out)
    assert result.exit_code == 0, result.output
    assert re.search(r"trained \d+ iterations in [\d.]+ s; sse [\d.]+", result.output)
    return out


def test_train_writes_a_run_directory(run_dir):
    assert {"config.json", "model.safetensors", "history.json", "run.json"} <= {p.name for p in run_dir.iterdir()}
    assert sorted(p.stem for p in (run_dir / "figures").glob("*.png")) == [
        "decoded_grid", "error_histogram", "errors_per_label", "latent_map", "loss_curves", "reconstructions", "traversal"]


def test_train_flags_mirror_the_estimator_one_to_one():
    from aekit.cli.train import train

    flags = set(inspect.signature(train).parameters) - {"data", "out", "samples", "quiet", "verbose", "checkpoint_every", "checkpoint_seconds", "resume",
             "embed_above"}  # CLI-only: embed_above is a TableAutoencoder parameter, for tables
    assert flags == set(inspect.signature(AutoencoderEstimator.__init__).parameters) - {"self"}


def test_info(run_dir):
    result = invoke("info", run_dir)
    assert result.exit_code == 0
    assert "first 8 samples" in result.output and "l-bfgs-b" in result.output and "trained for" in result.output


def test_report(run_dir):
    result = invoke("report", run_dir)
    assert result.exit_code == 0 and (run_dir / "report.html").is_file()
    assert (run_dir / "report.html").read_text().count("data:image/png;base64,") == 7


def test_encode_csv(run_dir, tmp_path):
    result = invoke("encode", run_dir, "--out", tmp_path / "codes.csv")
    assert result.exit_code == 0 and "8 codes of size 2" in result.output
    assert np.loadtxt(tmp_path / "codes.csv", delimiter=",").shape == (8, 2)


def test_reconstruct_with_picture(run_dir, tmp_path):
    result = invoke("reconstruct", run_dir, "--out", tmp_path / "r.npy", "--png", tmp_path / "r.png", "--n", "4")
    assert result.exit_code == 0
    assert np.load(tmp_path / "r.npy").shape == (8, 35) and (tmp_path / "r.png").stat().st_size > 1000


@pytest.mark.parametrize(("args", "count"), [(["--grid", "3"], 9), (["--between", "a", "--between", "0.5,0.5", "--n", "4"], 4),
                                             (["--samples", "5"], 5)])
def test_generate(run_dir, tmp_path, args, count):
    result = invoke("generate", run_dir, *args, "--png", tmp_path / "g.png", "--out", tmp_path / "g.npy")
    assert result.exit_code == 0, result.output
    assert np.load(tmp_path / "g.npy").shape == (count, 35) and (tmp_path / "g.png").stat().st_size > 1000


def test_generate_samples_with_the_library_sampler(run_dir, tmp_path):
    """--samples decodes what aekit.apps.generate.sample draws (a mixture on the codes, this head having no prior)."""
    from aekit import load
    from aekit.apps.generate import sample
    from aekit.datasets import load_font

    result = invoke("generate", run_dir, "--samples", "6", "--seed", "3", "--png", tmp_path / "g.png", "--out", tmp_path / "g.npy")
    assert result.exit_code == 0, result.output
    expected = sample(load(run_dir), 6, X=load_font().data[:8], n_components=10, random_state=3)
    np.testing.assert_array_equal(np.load(tmp_path / "g.npy"), expected)


def test_generate_between_a_label_and_an_index_names_the_ends(run_dir, tmp_path):
    result = invoke("generate", run_dir, "--between", "a", "--between", "#3", "--n", "3", "--png", tmp_path / "g.png",
                    "--out", tmp_path / "g.npy")
    assert result.exit_code == 0, result.output
    from aekit import load
    from aekit.datasets import load_font

    estimator, X = load(run_dir), load_font().data[:8]
    codes = estimator.transform(X)
    np.testing.assert_array_equal(np.load(tmp_path / "g.npy")[[0, -1]], estimator.inverse_transform(codes[[1, 3]]))


@pytest.mark.parametrize(("args", "message"), [
    (["train", "--data", "fnt"], r"error: spec='fnt' is neither a dataset name nor an existing path.*Did you mean \"font\"\?"),
    (["train", *TINY, "--solver", "adamm"], r"error: .*solver='adamm' is not a known choice"),
    (["train", *TINY, "--hidden-sizes", "20,x"], r"error: --hidden-sizes expects comma-separated integers, e.g. 20,10; got '20,x'"),
    (["info", "nowhere"], r"error: 'nowhere' is not a run directory: run.json is missing"),
    (["generate", "RUN", "--grid", "3", "--samples", "2"], r"error: Choose one of --grid N, --between A --between B, or --samples N"),
    (["generate", "RUN", "--between", "a", "--between", "zz"], r"error: --between 'zz': expected a sample label, #index below 8"),
    (["encode", "RUN", "--out", "codes.txt"], r"error: --out must end in .npy or .csv; got 'codes.txt'"),
    (["run", "no-such-recipe"], r"error: No recipe file or recipe named 'no-such-recipe'\. Built-in recipes: "),
])
def test_errors_are_one_line(run_dir, args, message):
    result = invoke(*[run_dir if a == "RUN" else a for a in args])
    assert result.exit_code == 1
    assert re.search(message, result.output, re.S)
    assert "Traceback" not in result.output


def test_verbose_shows_the_traceback():
    result = invoke("info", "nowhere", "--verbose")
    assert result.exit_code == 1 and result.exception is not None


@pytest.mark.parametrize("command", ["train", "run", "encode", "reconstruct", "generate", "report", "info"])
def test_help_has_examples(command):
    result = invoke(command, "-h")
    assert result.exit_code == 0 and "Example" in result.output
