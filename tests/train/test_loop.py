import numpy as np
import pytest
import torch

import aekit
from aekit import AutoencoderEstimator, TrainingDivergedError
from aekit.train import InMemorySource


def test_in_memory_source_visits_every_row_once_per_epoch_in_shuffled_order():
    x = torch.arange(10.0).unsqueeze(1)
    g = torch.Generator().manual_seed(0)
    rows = torch.cat([xb for xb, _ in InMemorySource(x).batches(3, g)]).squeeze(1)
    assert sorted(rows.tolist()) == list(range(10))
    assert rows.tolist() != list(range(10))
    sizes = [len(xb) for xb, _ in InMemorySource(x).batches(3, g)]
    assert sizes == [3, 3, 3, 1]


def test_batches_are_cut_by_index_not_per_sample_getitem(monkeypatch):
    calls = []
    original = torch.Tensor.__getitem__

    def counting(self, idx):
        calls.append(idx)
        return original(self, idx)

    source = InMemorySource(torch.rand(1000, 4))
    monkeypatch.setattr(torch.Tensor, "__getitem__", counting)
    n_batches = sum(1 for _ in source.batches(100, torch.Generator().manual_seed(0)))
    monkeypatch.undo()
    assert n_batches == 10
    assert len(calls) <= 3 * n_batches  # a few gathers per batch, never one call per sample


def test_two_fits_with_the_same_random_state_are_bitwise_identical(digits_small):
    params = dict(hidden_sizes=(16,), latent_dim=4, noise="masking", dropout=0.1, max_iter=5, batch_size=32, random_state=3)
    a = AutoencoderEstimator(**params).fit(digits_small)
    b = AutoencoderEstimator(**params).fit(digits_small)
    assert a.history_.loss == b.history_.loss
    for (k, va), vb in zip(a.model_.state_dict().items(), b.model_.state_dict().values()):
        assert torch.equal(va, vb), k
    c = AutoencoderEstimator(**{**params, "random_state": 4}).fit(digits_small)
    assert c.history_.loss != a.history_.loss


def test_vae_fits_are_reproducible_too(digits_small):
    params = dict(latent="gaussian", hidden_sizes=(16,), latent_dim=2, loss="bce", max_iter=3, random_state=0)
    a = AutoencoderEstimator(**params).fit(digits_small)
    b = AutoencoderEstimator(**params).fit(digits_small)
    assert a.history_.loss == b.history_.loss


def test_history_has_a_loss_per_epoch_with_terms_that_sum_to_it(digits_small):
    ae = AutoencoderEstimator(latent_dim=3, l1_weight=0.1, weight_decay=1e-3, max_iter=7, validation_fraction=0.2, random_state=0).fit(digits_small)
    h = ae.history_
    assert h.unit == "epoch" and len(h.loss) == len(h.val_loss) == len(h.seconds) == 7
    assert set(h.terms) == {"reconstruction", "l1", "weight_decay"}
    for i in range(7):
        assert sum(h.terms[k][i] for k in h.terms) == pytest.approx(h.loss[i], rel=1e-5)
    assert h.loss[-1] < h.loss[0]
    assert all(b >= a for a, b in zip(h.seconds, h.seconds[1:]))


def test_nan_loss_stops_with_a_clear_error_and_keeps_the_last_good_weights(digits_small):
    snapshots = []

    class Recorder:
        def on_epoch_end(self, index, logs):
            snapshots.append({k: v.clone() for k, v in ae.model_.state_dict().items()})

    ae = AutoencoderEstimator(solver="sgd", learning_rate=1e6, momentum=0.9, max_iter=50, random_state=0)
    with pytest.raises(TrainingDivergedError, match=r"The training loss became (nan|inf) in epoch \d+; the model keeps the weights of epoch \d+.*Fix: lower learning_rate \(now 1000000.0\)"):
        ae.fit(digits_small, callbacks=[Recorder()])
    assert ae.history_.stop_reason == "diverged"
    assert len(ae.history_.loss) == len(snapshots)
    state = ae.model_.state_dict()
    assert all(torch.isfinite(v).all() for v in state.values())
    last = snapshots[-1] if snapshots else None
    if last is not None:
        assert all(torch.equal(state[k], last[k]) for k in state)
    assert np.isfinite(ae.transform(digits_small)).all()  # still usable


def test_early_stopping_stops_and_restores_the_best_epoch(digits_small):
    states = []

    class Recorder:
        def on_epoch_end(self, index, logs):
            states.append({k: v.clone() for k, v in ae.model_.state_dict().items()})

    ae = AutoencoderEstimator(
        learning_rate=0.01, max_iter=300, validation_fraction=0.25, early_stopping=True,
        n_iter_no_change=3, tol=0.5, random_state=0,
    )
    ae.fit(digits_small, callbacks=[Recorder()])
    h = ae.history_
    assert h.stop_reason == "early_stopping"
    assert len(h.loss) < 300
    assert len(h.val_loss) - 1 - h.best_index == 3  # three epochs without a tol improvement
    best = states[h.best_index]
    assert all(torch.equal(v, best[k]) for k, v in ae.model_.state_dict().items())
    assert not all(torch.equal(v, states[-1][k]) for k, v in ae.model_.state_dict().items())


def test_callbacks_see_each_epoch_and_can_stop(digits_small):
    seen = []

    class StopAtThree:
        def on_train_begin(self, info):
            seen.append(("begin", info["unit"], info["max_iter"]))

        def on_epoch_end(self, index, logs):
            seen.append((index, round(logs["loss"], 6)))
            return index == 2

        def on_train_end(self, history):
            seen.append(("end", history.stop_reason))

    ae = AutoencoderEstimator(max_iter=10, random_state=0).fit(digits_small, callbacks=[StopAtThree()])
    assert seen[0] == ("begin", "epoch", 10)
    assert [s[0] for s in seen[1:4]] == [0, 1, 2]
    assert seen[-1] == ("end", "callback")
    assert ae.n_iter_ == 3


def test_cosine_schedule_anneals_the_step_size_per_epoch(digits_small):
    class Record:
        def __init__(self):
            self.rates = []

        def on_epoch_end(self, index, logs):
            self.rates.append(logs["learning_rate"])

    cosine, constant = Record(), Record()
    AutoencoderEstimator(max_iter=4, learning_rate=0.01, learning_rate_schedule="cosine", random_state=0).fit(
        digits_small, callbacks=[cosine]
    )
    assert cosine.rates == pytest.approx([0.01, 0.01 * (1 + np.cos(np.pi / 4)) / 2, 0.005, 0.01 * (1 + np.cos(3 * np.pi / 4)) / 2])
    AutoencoderEstimator(max_iter=2, learning_rate=0.01, random_state=0).fit(digits_small, callbacks=[constant])
    assert constant.rates == [0.01, 0.01]


def test_a_schedule_with_a_scipy_solver_is_refused(digits_small):
    with pytest.raises(aekit.ConfigError, match="scipy solver that chooses its own steps"):
        AutoencoderEstimator(solver="l-bfgs-b", learning_rate_schedule="cosine").fit(digits_small)
    with pytest.raises(aekit.ConfigError, match="cosine"):
        AutoencoderEstimator(learning_rate_schedule="cosin").fit(digits_small)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_fit_and_cpu_load(tmp_path, digits_small):
    ae = AutoencoderEstimator(max_iter=3, device="cuda", random_state=0).fit(digits_small)
    assert ae.device_.startswith("cuda")
    loaded = aekit.load(aekit.save(ae, tmp_path / "m"))
    assert loaded.device_ == "cpu"
    np.testing.assert_allclose(loaded.transform(digits_small), ae.transform(digits_small), rtol=1e-4, atol=1e-5)


def test_device_auto_picks_cpu_without_a_gpu(digits_small):
    ae = AutoencoderEstimator(max_iter=1, device="auto", random_state=0).fit(digits_small)
    assert ae.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
