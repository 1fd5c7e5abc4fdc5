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
