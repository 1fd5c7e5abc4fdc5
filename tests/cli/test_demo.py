import re

from typer.testing import CliRunner

from aekit.cli import app


def test_demo_trains_prints_every_letter_and_saves(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--no-report", "--out", str(tmp_path / "font")])
    assert result.exit_code == 0, result.output
    rows = re.findall(r"^\s*(\S+)\s+(\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)$", result.output, flags=re.M)
    assert len(rows) == 32 and rows[1][0] == "a"
    assert all(int(w) == 0 for _, w, _, _ in rows)
    assert re.search(r"300 epochs in [\d.]+ s; max wrong pixels per character: 0", result.output)
    assert (tmp_path / "font" / "config.json").exists()


def test_help_lists_demo():
    result = CliRunner().invoke(app, ["-h"])
    assert result.exit_code == 0 and "demo" in result.output
