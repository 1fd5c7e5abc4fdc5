import numpy as np
import torch
from typer.testing import CliRunner

from aekit.cli import app

torch.set_num_threads(1)
runner = CliRunner()


def test_hash_writes_codes_and_finds_the_query_first(tmp_path):
    X = np.random.default_rng(0).random((60, 10))
    np.save(tmp_path / "d.npy", X)
    result = runner.invoke(app, ["hash", str(tmp_path / "d.npy"), "--bits", "16", "--max-iter", "3",
                                 "--query", "7", "-k", "3", "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "c.csv").read_text().splitlines()
    assert lines[0] == "index,code" and len(lines) == 61 and len(lines[1].split(",")[1]) == 16
    first = result.output.split("distance\n")[1].split()
    assert first[2] == "0"  # rank 1 is at Hamming distance 0 (the query itself or a duplicate code)


def test_hash_query_out_of_range(tmp_path):
    np.save(tmp_path / "d.npy", np.zeros((5, 3)))
    result = runner.invoke(app, ["hash", str(tmp_path / "d.npy"), "--max-iter", "1", "--query", "9"])
    assert result.exit_code == 1 and "--query must be a row of DATA, 0 to 4; got 9. Fix" in result.output


def _hash(tmp_path, *options, data="d.npy"):
    result = runner.invoke(app, ["hash", str(tmp_path / data), "--max-iter", "2", "-o", str(tmp_path / "c.csv"), *options])
    assert result.exit_code == 0, result.output
    return (tmp_path / "c.csv").read_text()


def test_hash_defaults_to_stochastic_binary_bits_and_bce_for_data_in_0_1(tmp_path):
    import inspect

    import aekit
    from aekit.cli.hash import hash_command

    defaults = {name: p.default for name, p in inspect.signature(hash_command).parameters.items()}
    assert (defaults["code"], defaults["hidden"], defaults["loss"], defaults["max_iter"]) == ("stochastic_binary", 512, "auto", 100)

    np.save(tmp_path / "d.npy", np.random.default_rng(0).random((40, 10)))
    np.save(tmp_path / "wide.npy", np.random.default_rng(0).normal(size=(40, 10)) * 5)
    _hash(tmp_path, "--bits", "8", "--save", str(tmp_path / "m"))
    ae = aekit.load(tmp_path / "m")
    assert (ae.latent, ae.hidden_sizes, ae.loss, ae.latent_dim) == ("stochastic_binary", (512,), "bce", 8)
    assert ae.model_.latent.traits.bits and ae.model_.latent.traits.stochastic
    _hash(tmp_path, "--bits", "8", "--save", str(tmp_path / "w"), data="wide.npy")
    assert aekit.load(tmp_path / "w").loss == "mse"  # bce needs data in [0, 1]
    # the default before issue 15 stays reachable
    _hash(tmp_path, "--code", "binary", "--hidden", "256", "--loss", "mse", "--save", str(tmp_path / "old"))
    old = aekit.load(tmp_path / "old")
    assert (old.latent, old.hidden_sizes, old.loss) == ("binary", (256,), "mse")


def test_hash_itq_saves_its_rotation_and_a_reload_gives_the_same_codes(tmp_path):
    import aekit

    np.save(tmp_path / "d.npy", np.random.default_rng(0).random((40, 10)))
    codes = _hash(tmp_path, "--code", "itq", "--bits", "6", "--save", str(tmp_path / "m"))
    ae = aekit.load(tmp_path / "m")
    assert ae.latent == "deterministic" and ae.hash_projection_.shape == (6, 6)
    np.testing.assert_allclose(ae.hash_projection_.T @ ae.hash_projection_, np.eye(6), atol=1e-8)
    assert _hash(tmp_path, "--model", str(tmp_path / "m")) == codes


def test_hash_unknown_code_is_a_clear_error(tmp_path):
    np.save(tmp_path / "d.npy", np.zeros((5, 3)))
    result = runner.invoke(app, ["hash", str(tmp_path / "d.npy"), "--code", "pca"])
    assert result.exit_code == 1 and "--code='pca' is not a known choice. Expected one of ['stochastic_binary', 'binary', 'itq']" in result.output
