"""Checkpoint files: what they hold, atomic writes, and how bad files are handled."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError, TrainingDivergedError
from aekit.train.checkpoint import CheckpointError, Checkpointer, Checkpointing, CheckpointWarning
from aekit.train.optimizers import DirectFusedAdam


def _fit(X, directory, **params):
    settings = {"hidden_sizes": (8,), "max_iter": 4, "batch_size": 8, "random_state": 0, **params}
    return AutoencoderEstimator(**settings)


def _equal(a, b) -> bool:
    sa, sb = a.model_.state_dict(), b.model_.state_dict()
    return all(sa[k].equal(sb[k]) for k in sa)


def test_a_checkpoint_holds_the_whole_run_state(font, tmp_path):
    _fit(font.data, tmp_path, noise="gaussian", early_stopping=True).fit(font.data, checkpoint_dir=tmp_path, checkpoint_every=2)
    path, last = Checkpointer(Checkpointing(tmp_path)).files()
    assert last.name == "checkpoint-000004.safetensors"  # the final epoch too: a later resume may train on
    state = Checkpointer(Checkpointing(tmp_path)).read(path)
    names = set(state.tensors)
    assert {"rng.torch", "rng.batch_order"} <= names
    assert {n for n in names if n.startswith("optimizer.")} >= {"optimizer.0.exp_avg", "optimizer.0.exp_avg_sq", "optimizer.0.step"}
    assert any(n.startswith("model.") for n in names) and any(n.startswith("best.") for n in names)
    assert state.epoch == 2 and len(state.state["history"]["loss"]) == 2
    assert state.state["identity"]["params.noise"] == "gaussian" and "seed" in state.state
    assert state.state["loop"]["next_epoch"] == 2


def test_keeps_the_last_k(font, tmp_path):
    _fit(font.data, tmp_path, max_iter=8).fit(font.data, checkpoint_dir=tmp_path, checkpoint_every=1, keep_checkpoints=2)
    assert [p.name for p in Checkpointer(Checkpointing(tmp_path)).files()] == ["checkpoint-000007.safetensors", "checkpoint-000008.safetensors"]


def test_checkpoint_seconds_writes_on_the_clock(font, tmp_path):
    _fit(font.data, tmp_path).fit(font.data, checkpoint_dir=tmp_path, checkpoint_seconds=1e-9, keep_checkpoints=9)
    assert len(Checkpointer(Checkpointing(tmp_path)).files()) == 4  # after every epoch


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_bad_newest_checkpoint_is_skipped_with_a_warning_naming_it(font, tmp_path, damage):
    clean = _fit(font.data, tmp_path).fit(font.data)
    _fit(font.data, tmp_path).fit(font.data, checkpoint_dir=tmp_path, checkpoint_every=1)
    newest = Checkpointer(Checkpointing(tmp_path)).files()[-1]
    data = bytearray(newest.read_bytes())
    if damage == "truncate":
        newest.write_bytes(bytes(data[: len(data) // 2]))
    else:
        data[-5] ^= 0xFF  # inside the last tensor's bytes: only the checksum can tell
        newest.write_bytes(bytes(data))
    with pytest.warns(CheckpointWarning, match=rf"skipping checkpoint .*{newest.name}.*(truncated|checksum)"):
        resumed = _fit(font.data, tmp_path).fit(font.data, checkpoint_dir=tmp_path, resume=True)
    assert _equal(resumed, clean)  # resumed from the previous good checkpoint, still exact


def test_checkpoints_of_another_model_are_never_loaded(font, tmp_path):
    _fit(font.data, tmp_path).fit(font.data, checkpoint_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CheckpointWarning)
        with pytest.raises(CheckpointError, match=r"none of its 3 checkpoints can be used.*another model.*params.hidden_sizes.*Fix:"):
            _fit(font.data, tmp_path, hidden_sizes=(9,)).fit(font.data, checkpoint_dir=tmp_path, resume=True)
        with pytest.raises(CheckpointError, match=r"data_shape"):
            _fit(font.data, tmp_path).fit(font.data[:20], checkpoint_dir=tmp_path, resume=True)


def test_resume_without_checkpoints_starts_fresh(font, tmp_path):
    resumed = _fit(font.data, tmp_path).fit(font.data, checkpoint_dir=tmp_path / "empty", resume=True)
    assert _equal(resumed, _fit(font.data, tmp_path).fit(font.data))


def test_the_checkpoint_arguments_are_checked(font, tmp_path):
    ae = _fit(font.data, tmp_path)
    with pytest.raises(ConfigError, match=r"need a checkpoint_dir; got checkpoint_dir=None"):
        ae.fit(font.data, resume=True)
    with pytest.raises(ConfigError, match=r"checkpoint_every must be a positive integer; got 0"):
        ae.fit(font.data, checkpoint_dir=tmp_path, checkpoint_every=0)
    with pytest.raises(ConfigError, match=r"checkpoint_seconds must be a number of seconds > 0; got -1"):
        ae.fit(font.data, checkpoint_dir=tmp_path, checkpoint_seconds=-1)
    with pytest.raises(ConfigError, match=r"derivative-free scipy solvers cannot be checkpointed.*Fix: use solver="):
        _fit(font.data, tmp_path, solver="powell").fit(font.data, checkpoint_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"checkpoint_seconds with solver='l-bfgs-b'.*Fix: give checkpoint_every"):
        _fit(font.data, tmp_path, solver="l-bfgs-b").fit(font.data, checkpoint_dir=tmp_path, checkpoint_seconds=5)


def test_divergence_keeps_the_last_good_checkpoint_and_says_how_to_resume(tmp_path):
    X = np.random.default_rng(0).normal(size=(64, 6)).astype(np.float32)
    ae = AutoencoderEstimator(hidden_sizes=(8,), solver="sgd", learning_rate=0.05, max_iter=30, batch_size=8, random_state=0)
    with pytest.raises(TrainingDivergedError) as caught:
        ae.fit(X, checkpoint_dir=tmp_path, checkpoint_every=1)
    message = str(caught.value)
    last = Checkpointer(Checkpointing(tmp_path)).files()[-1]
    assert str(last) in message
    assert last.name == "checkpoint-000008.safetensors"  # diverged in epoch 9
    assert f"set_params(learning_rate=0.005).fit(X, checkpoint_dir={str(tmp_path)!r}, resume=True)" in message
    ae.set_params(learning_rate=1e-4).fit(X, checkpoint_dir=tmp_path, resume=True)  # the advice works (a tenth is not small enough here)
    assert np.isfinite(ae.history_.loss).all() and len(ae.history_.loss) == 30


def test_direct_fused_adam_state_round_trips_bit_for_bit():
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(3, 2)), torch.nn.Parameter(torch.randn(2))]
    adam = DirectFusedAdam(params, lr=1e-2)
    for _ in range(3):
        for p in params:
            p.grad = torch.randn_like(p)
        adam.step()
    copy = DirectFusedAdam([torch.nn.Parameter(p.detach().clone()) for p in params], lr=5.0)
    copy.load_state_dict({k: v for k, v in adam.state_dict().items()})
    grads = [torch.randn_like(p) for p in params]
    for opt in (adam, copy):
        for p, g in zip(opt.params, grads):
            p.grad = g.clone()
        opt.step()
    assert all(a.equal(b) for a, b in zip(adam.params, copy.params))


@pytest.mark.parametrize(
    "params, source",
    [
        ({"noise": "gaussian", "early_stopping": True, "validation_fraction": 0.2, "n_iter_no_change": 50}, None),
        ({"solver": "sgd", "learning_rate_schedule": "cosine", "dropout": 0.2}, None),
        ({"activation": "relu", "learning_rate": 0.05, "dead_unit_resample": 1}, None),
        ({"solver": "rmsprop", "latent": "gaussian", "kl_warmup": 3}, None),
        ({"solver": "adamw", "weight_decay": 0.01, "latent": "binary", "noise": "masking"}, None),
        ({}, "binarized"),
        ({}, "memmap"),
        ({"solver": "l-bfgs-b", "noise": "bitflip"}, None),
        ({"solver": "cg"}, None),
    ],
)
def test_resuming_in_process_is_bitwise_for_every_kind_of_run(font, tmp_path, params, source):
    from aekit.train import DynamicBinarization, MemmapSource

    def data():
        if source == "binarized":
            return DynamicBinarization(font.data * 0.8 + 0.1, random_state=0)
        if source == "memmap":
            np.save(tmp_path / "x.npy", font.data)
            return MemmapSource(tmp_path / "x.npy", chunk_size=8)
        return font.data

    settings = {"max_iter": 6, "batch_size": 8, "random_state": 0, **params}
    scipy = settings.get("solver") in ("l-bfgs-b", "cg")  # a checkpointed scipy run is a restarted one: compare like with like
    extra = {"checkpoint_dir": tmp_path / "clean", "checkpoint_every": 2} if scipy else {}
    clean = AutoencoderEstimator(**settings).fit(data(), **extra)  # mini-batch: checkpointing changes nothing
    folder = tmp_path / "checkpoints"
    AutoencoderEstimator(**settings).fit(data(), checkpoint_dir=folder, checkpoint_every=2)
    files = Checkpointer(Checkpointing(folder)).files()
    for newer in files[1:]:
        newer.unlink()  # resume from the oldest kept one, mid-run
    resumed = AutoencoderEstimator(**settings).fit(data(), checkpoint_dir=folder, resume=True)
    assert _equal(resumed, clean)
    for name in ("loss", "val_loss", "terms", "evaluations", "stop_reason", "best_index"):
        assert getattr(resumed.history_, name) == getattr(clean.history_, name), name


def test_a_fresh_run_removes_an_earlier_runs_checkpoints_with_a_warning(font, tmp_path):
    _fit(font.data, tmp_path, max_iter=6).fit(font.data, checkpoint_dir=tmp_path)
    with pytest.warns(CheckpointWarning, match=r"held 3 checkpoints of an earlier run; they were removed.*resume=True"):
        _fit(font.data, tmp_path, max_iter=2).fit(font.data, checkpoint_dir=tmp_path)
    assert [p.name for p in Checkpointer(Checkpointing(tmp_path)).files()] == ["checkpoint-000001.safetensors", "checkpoint-000002.safetensors"]
