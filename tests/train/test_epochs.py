"""TrainingRun: the history, callback and stop-reason plumbing both drivers share."""

import pytest

from aekit.train.epochs import TrainingRun


class Recorder:
    def __init__(self, stop_at=None):
        self.calls, self.stop_at = [], stop_at

    def on_train_begin(self, info):
        self.calls.append(("begin", info))

    def on_epoch_end(self, index, logs):
        self.calls.append((index, logs))
        return index == self.stop_at

    def on_train_end(self, history):
        self.calls.append(("end", history.stop_reason))


def test_a_run_records_entries_and_passes_callbacks_their_logs_in_order():
    recorder = Recorder()
    run = TrainingRun("adam", "epoch", 5, [recorder, object()])  # a callback may define no hook
    assert recorder.calls == [("begin", {"solver": "adam", "unit": "epoch", "max_iter": 5})]
    assert run.end_epoch(2.0, {"reconstruction": 1.5, "l1": 0.5}, val_loss=3.0, learning_rate=0.1) is False
    assert run.end_epoch(1.0, {"reconstruction": 1.0}, learning_rate=0.05) is False
    history = run.finish("max_iter")
    index, logs = recorder.calls[1]
    assert index == 0
    assert list(logs) == ["loss", "reconstruction", "l1", "seconds", "learning_rate", "val_loss"]
    assert logs["seconds"] == history.seconds[0] >= 0
    assert "val_loss" not in recorder.calls[2][1]
    assert recorder.calls[-1] == ("end", "max_iter")
    assert (history.unit, history.solver, history.loss, history.val_loss) == ("epoch", "adam", [2.0, 1.0], [3.0])
    assert history.terms == {"reconstruction": [1.5, 1.0], "l1": [0.5]}
    assert history.seconds == sorted(history.seconds)


def test_a_callback_stop_is_the_stop_reason_whatever_finish_is_told():
    recorder = Recorder(stop_at=1)
    run = TrainingRun("l-bfgs-b", "iteration", 10, [recorder])
    assert run.end_epoch(1.0, {}, evaluations=3) is False
    assert run.end_epoch(0.5, {}, evaluations=7) is True
    history = run.finish("CONVERGENCE")
    assert history.stop_reason == "callback"
    assert history.evaluations == [3, 7]
    assert recorder.calls[-1] == ("end", "callback")


@pytest.mark.parametrize("reason", ["early_stopping", "diverged"])
def test_a_recorded_stop_reason_outlives_finish(reason):
    run = TrainingRun("adam", "epoch", 3, None)
    run.end_epoch(1.0, {})
    run.stop(reason)
    assert run.finish("max_iter").stop_reason == reason
