import numpy as np
import torch
from typer.testing import CliRunner

from aekit.cli import app

torch.set_num_threads(1)
runner = CliRunner()


def test_detect_trains_scores_plots_and_reloads(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    X[0] += 12.0
    np.savetxt(tmp_path / "d.csv", X, delimiter=",", header="a,b,c,d", comments="")
    args = ["detect", str(tmp_path / "d.csv"), "--max-iter", "20", "-o", str(tmp_path / "s.csv"),
            "--plot", str(tmp_path / "s.png"), "--save", str(tmp_path / "det")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "20 of 200 samples flagged" in result.output
    scores = np.loadtxt(tmp_path / "s.csv", delimiter=",", skiprows=1)
    assert scores[:, 1].argmax() == 0 and scores[0, 2] == -1
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    np.save(tmp_path / "d.npy", X)
    again = runner.invoke(app, ["detect", str(tmp_path / "d.npy"), "-m", str(tmp_path / "det"), "-o", str(tmp_path / "t.csv")])
    assert again.exit_code == 0, again.output
    np.testing.assert_allclose(np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1), scores, rtol=1e-5)


def test_detect_errors_are_one_line(tmp_path):
    result = runner.invoke(app, ["detect", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1 and result.output.startswith("error: cannot read") and "missing.csv" in result.output
    (tmp_path / "x.txt").write_text("1,2\n")
    result = runner.invoke(app, ["detect", str(tmp_path / "x.txt")])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and ".csv" in result.output
    np.save(tmp_path / "d.npy", np.zeros((20, 2)))
    result = runner.invoke(app, ["detect", str(tmp_path / "d.npy"), "--contamination", "0.9"])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "contamination must be" in result.output


def test_detect_numeric_threshold(tmp_path):
    np.save(tmp_path / "d.npy", np.random.default_rng(0).normal(size=(50, 3)))
    result = runner.invoke(app, ["detect", str(tmp_path / "d.npy"), "--threshold", "1e9", "--max-iter", "2",
                                 "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    assert "0 of 50 samples flagged (threshold 1e+09)" in result.output


def test_detect_scores_a_mixed_type_csv_and_reports_each_column(tmp_path):
    palmerpenguins = __import__("pytest").importorskip("palmerpenguins")
    palmerpenguins.load_penguins().to_csv(tmp_path / "penguins.csv", index=False)
    args = ["detect", str(tmp_path / "penguins.csv"), "--max-iter", "30", "-o", str(tmp_path / "s.csv"), "--save", str(tmp_path / "det")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "reconstruction per column" in result.output
    for line in ("species", "categorical", "accuracy", "body_mass_g", "rmse"):
        assert line in result.output
    assert "of 344 samples flagged" in result.output
    again = runner.invoke(app, ["detect", str(tmp_path / "penguins.csv"), "-m", str(tmp_path / "det"), "-o", str(tmp_path / "t.csv")])
    assert again.exit_code == 0, again.output
    np.testing.assert_allclose(np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1), np.loadtxt(tmp_path / "s.csv", delimiter=",", skiprows=1), rtol=1e-5)
    (tmp_path / "odd.csv").write_text((tmp_path / "penguins.csv").read_text().replace("Torgersen", "Atlantis", 1))
    bad = runner.invoke(app, ["detect", str(tmp_path / "odd.csv"), "-m", str(tmp_path / "det")])
    assert bad.exit_code == 1 and "Column 'island' holds categories not seen in fit: ['Atlantis']" in bad.output


def test_detect_reads_named_integer_columns_as_categories(tmp_path):
    rng = np.random.default_rng(0)
    code = rng.integers(1, 4, size=150)
    rows = np.column_stack([code * 2.0 + 0.1 * rng.normal(size=150), code])
    np.savetxt(tmp_path / "t.csv", rows, delimiter=",", header="value,code", comments="", fmt=["%.4f", "%d"])
    args = ["detect", str(tmp_path / "t.csv"), "--categorical", "code", "--max-iter", "30", "-o", str(tmp_path / "s.csv"),
            "--save", str(tmp_path / "det")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "code" in result.output and "categorical" in result.output
    again = runner.invoke(app, ["detect", str(tmp_path / "t.csv"), "-m", str(tmp_path / "det"), "-o", str(tmp_path / "u.csv")])
    assert again.exit_code == 0, again.output  # the saved encoder knows the column is categorical
    bad = runner.invoke(app, ["detect", str(tmp_path / "t.csv"), "--categorical", "kode"])
    assert bad.exit_code == 1 and "has no column 'kode' (named as categorical)" in bad.output

def test_detect_members(tmp_path):
    """--members: auto (three members on numeric data), a number, and a refused even number, in one line."""
    import aekit

    np.save(tmp_path / "d.npy", np.random.default_rng(0).normal(size=(60, 4)))
    for members, count in (("auto", 3), ("1", 1), ("5", 5)):
        result = runner.invoke(app, ["detect", str(tmp_path / "d.npy"), "--members", members, "--max-iter", "2",
                                     "-o", str(tmp_path / "s.csv"), "--save", str(tmp_path / members)])
        assert result.exit_code == 0, result.output
        assert len(aekit.load(tmp_path / members).members_) == count
    result = runner.invoke(app, ["detect", str(tmp_path / "d.npy"), "--members", "2", "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "n_members must be" in result.output and "got 2" in result.output
