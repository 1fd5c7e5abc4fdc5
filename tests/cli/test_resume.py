"""``aekit train --checkpoint-every/--resume`` and ``aekit run --resume`` through the CLI."""

import json

import pytest
import torch
from safetensors.torch import load_file
from typer.testing import CliRunner

from aekit.cli import app

runner = CliRunner()
TINY = ["--samples", "16", "--hidden-sizes", "6", "--latent-dim", "2", "--batch-size", "4", "--random-state", "0", "--quiet"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _weights(run_dir):
    return load_file(str(run_dir / "model.safetensors"))


def test_train_checkpoints_and_resumes_to_the_same_model(tmp_path):
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert invoke("train", "--data", "font", *TINY, "--max-iter", "6", "--out", clean).exit_code == 0
    result = invoke("train", "--data", "font", *TINY, "--max-iter", "6", "--checkpoint-every", "2", "--out", killed)
    assert result.exit_code == 0, result.output
    folder = killed / "checkpoints"
    assert sorted(p.name for p in folder.iterdir()) == [
        "checkpoint-000002.safetensors", "checkpoint-000004.safetensors", "checkpoint-000006.safetensors", "train.json"]
    assert json.loads((folder / "train.json").read_text())["data"] == "font"
    for name in ("checkpoint-000006.safetensors", "checkpoint-000004.safetensors", "model.safetensors"):
        (folder / name if name.startswith("checkpoint") else killed / name).unlink()  # as if killed in epoch 5
    result = invoke("train", "--resume", killed, "--quiet")
    assert result.exit_code == 0, result.output
    assert "trained 6 epochs" in result.output
    a, b = _weights(clean), _weights(killed)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_errors_are_one_line(tmp_path):
    result = invoke("train", "--resume", tmp_path / "nothing")
    assert result.exit_code == 1 and "is not a run trained with checkpoints" in result.output
    result = invoke("train", "--max-iter", "2")
    assert result.exit_code == 1 and "needs --data" in result.output and "--resume RUN_DIR" in result.output


def test_divergence_on_the_command_line_says_how_to_resume(tmp_path):
    data = tmp_path / "x.npy"
    import numpy as np

    np.save(data, np.random.default_rng(0).normal(size=(64, 6)).astype(np.float32))
    out = tmp_path / "run"
    result = invoke("train", "--data", data, "--hidden-sizes", "8", "--solver", "sgd", "--learning-rate", "0.05",
                    "--max-iter", "30", "--batch-size", "8", "--random-state", "0", "--checkpoint-every", "1", "--out", out, "--quiet")
    assert result.exit_code == 1
    assert f"aekit train --resume {out} --learning-rate 0.005" in " ".join(result.output.split())
    result = invoke("train", "--resume", out, "--learning-rate", "1e-4", "--quiet")
    assert result.exit_code == 0, result.output
    assert "trained 30 epochs" in result.output


@pytest.mark.slow  # font-2d's powell run takes seconds
def test_run_resume_reuses_finished_runs_and_resumes_the_others(tmp_path):
    first = invoke("run", "font-2d", "--smoke", "--checkpoint-every", "1", "--out", tmp_path, "--quiet")
    assert first.exit_code == 0, first.output
    directory = tmp_path / "font-2d"
    assert (directory / "checkpoints" / "35-20-2-20-35-adam" / "checkpoint-000003.safetensors").is_file()
    assert not (directory / "checkpoints" / "35-20-2-20-35-powell").exists()  # derivative-free: not checkpointed
    for model in (directory / "models").glob("*adam*"):
        for f in model.iterdir():
            f.unlink()
        model.rmdir()
    again = invoke("run", "font-2d", "--smoke", "--resume", "--out", tmp_path, "--quiet")
    assert again.exit_code == 0, again.output
    lines = lambda out: sorted(line.rsplit(" (", 1)[0] for line in out.splitlines() if ": sse" in line)  # noqa: E731
    assert lines(again.output) == lines(first.output)  # same metrics for every run
