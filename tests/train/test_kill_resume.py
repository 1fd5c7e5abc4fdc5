"""Exact resume after a real ``kill -9``: runs in subprocesses, killed at random points, resumed.

Each trial starts tests/train/checkpoint_child.py (one thread, generated data), waits until it
has imported aekit, and sends SIGKILL after a random delay (which lands mid-epoch, between
epochs or inside a checkpoint write), or while the child sits half-way through writing a
checkpoint (the child pauses there when AEKIT_TEST_CHECKPOINT_WRITE_PAUSE is set: the kill is
real, the hook only makes "mid-write" certain to happen). Random kills come after a random
number of further checkpoints plus a random delay (0-0.2 s, within about one epoch), so they
land mid-epoch or mid-write at random points of the run. The run is restarted with the same
command until it completes; its final weights and history (every field but the wall-clock
seconds) must be bitwise equal to an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open

from aekit.train.checkpoint import PAUSE_ENV

CHILD = Path(__file__).with_name("checkpoint_child.py")


def _start(solver: str, directory: Path, out: Path, pause: bool = False) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", PAUSE_ENV: "60" if pause else "0"}
    proc = subprocess.Popen([sys.executable, str(CHILD), solver, str(directory), str(out)], stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def _completed(path: Path) -> int:
    return int(path.stem.split("-")[1])


def _read(out: Path) -> tuple[dict, dict]:
    with safe_open(str(out), "pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, json.loads(f.metadata()["history"])


def _killed_and_resumed(solver: str, tmp_path: Path, random_kills: int, seed: int) -> dict:
    """Run to the end through one mid-write kill and ``random_kills`` random ones; compare with a clean run."""
    print(f"kill schedule seed: {seed}")  # shown on failure, to replay the same kill points
    rng = np.random.default_rng(seed)
    reference = _start(solver, tmp_path / "clean", tmp_path / "clean.safetensors")  # runs beside the trials
    directory, out = tmp_path / "killed", tmp_path / "killed.safetensors"
    seen = {"mid_write": 0, "random": 0}

    proc = _start(solver, directory, out, pause=True)  # killed half-way through its first checkpoint write
    deadline = time.monotonic() + 60
    while not list(directory.glob(".checkpoint-*.tmp")):
        assert proc.poll() is None and time.monotonic() < deadline, "the child never started a checkpoint write"
        time.sleep(0.005)
    _kill(proc)
    seen["mid_write"] += 1
    assert not list(directory.glob("checkpoint-*.safetensors")), "a half-written checkpoint took the final name"

    for _ in range(random_kills):  # after a random number of checkpoints, then a random part of an epoch
        proc = _start(solver, directory, out)
        target = max((_completed(p) for p in directory.glob("checkpoint-*.safetensors")), default=0) + int(rng.integers(1, 4))
        while proc.poll() is None and max((_completed(p) for p in directory.glob("checkpoint-*.safetensors")), default=0) < target:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.2))
        if proc.poll() is not None:
            break
        _kill(proc)
        seen["random"] += 1
    proc = _start(solver, directory, out)
    assert proc.wait(timeout=120) == 0
    assert reference.wait(timeout=120) == 0
    assert not list(directory.glob(".checkpoint-*.tmp")), "the killed writer's temporary file was not cleaned up"

    weights, history = _read(out)
    clean_weights, clean_history = _read(tmp_path / "clean.safetensors")
    assert weights.keys() == clean_weights.keys()
    for name in weights:
        assert weights[name].equal(clean_weights[name]), name  # bitwise
    assert history == clean_history  # every loss, term, val_loss, evaluation count, stop reason
    return seen


def test_adam_resumes_bitwise_after_kill_mid_write_and_at_a_random_point(tmp_path):
    seen = _killed_and_resumed("adam", tmp_path, random_kills=1, seed=int(time.time()))
    assert seen == {"mid_write": 1, "random": 1}


@pytest.mark.slow
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_minibatch_resumes_bitwise_after_many_random_kills(tmp_path, solver):
    seen = _killed_and_resumed(solver, tmp_path, random_kills=3, seed=1)
    assert seen["random"] >= 2


@pytest.mark.slow  # ~10-25 s: the adam test above is the default suite's kill test
def test_lbfgsb_resumes_bitwise_from_the_last_accepted_iterate(tmp_path):
    assert _killed_and_resumed("l-bfgs-b", tmp_path, random_kills=1, seed=int(time.time())) == {"mid_write": 1, "random": 1}


@pytest.mark.slow
def test_cg_resumes_bitwise_after_many_random_kills(tmp_path):
    assert _killed_and_resumed("cg", tmp_path, random_kills=3, seed=2)["random"] >= 2
