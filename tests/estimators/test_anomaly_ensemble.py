"""AnomalyDetector's members (``n_members``): code sizes around latent_dim, the score their mean."""

import json

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils.validation import check_random_state

import aekit
from aekit import AnomalyDetector, AutoencoderEstimator, ConfigError, ModelFileError
from aekit.estimators.anomaly import member_code_sizes

from .single_network_fixture import CASES, FIXTURE, data, outputs
from .test_anomaly import planar as planar_in

torch.set_num_threads(1)


def planar(n=200, d=16, seed=0):
    """test_anomaly's rows on a 3-D plane, in d = 16 dimensions by default: latent_dim 4, members 2, 4, 8."""
    return planar_in(n, d, seed)


@pytest.fixture(scope="module")
def ensemble():
    X = planar()
    return X, AnomalyDetector(contamination=0.05, max_iter=8, random_state=0).fit(X)


def _scaled(det, X):
    return np.ascontiguousarray((X - det.shift_) / det.scale_, dtype=np.float32)


@pytest.mark.parametrize("case", list(CASES))
def test_one_member_is_the_single_network_detector(case):
    """n_members=1, reference_trim=0 against what main's code (neither parameter) gave: same weights, epochs, scores, threshold.

    Bit for bit on the machine that wrote the fixture; the tolerance only allows another CPU's
    float32 rounding in training."""
    want = json.loads(FIXTURE.read_text())[case]
    got = outputs(AnomalyDetector(n_members=1, reference_trim=0, **CASES[case]).fit(data()))
    assert (got["n_iter_"], got["latent_dim"]) == (want["n_iter_"], want["latent_dim"])
    for key in ("first_weights", "score_samples", "threshold_", "holdout_errors_"):
        if want[key] is None:
            assert got[key] is None
        else:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-6, err_msg=key)


@pytest.mark.parametrize("n_members", [1, 3])
def test_the_middle_member_is_the_network_one_autoencoder_trains(n_members):
    """The detector's own network is the one an AutoencoderEstimator trains on the scaled rows with the
    seed the detector draws first (as before n_members existed), whatever the number of members."""
    X = planar(150)
    det = AnomalyDetector(n_members=n_members, max_iter=5, random_state=0).fit(X)
    seed = int(check_random_state(0).randint(np.iinfo(np.int32).max))
    ae = AutoencoderEstimator(hidden_sizes=(32,), latent_dim=4, dropout=0.2, batch_size=64, max_iter=5, random_state=seed)
    ae.fit(_scaled(det, X))
    assert det.members_[n_members // 2] is det
    for name, tensor in ae.model_.state_dict().items():
        assert torch.equal(tensor, det.model_.state_dict()[name]), name
    np.testing.assert_array_equal(det.transform(X), ae.transform(_scaled(det, X)))


def test_auto_is_three_members_of_code_sizes_half_one_and_two_times_latent_dim(ensemble):
    X, det = ensemble
    assert len(det.members_) == 3 and det.members_[1] is det
    assert [m.spec_.latent_dim for m in det.members_] == [2, 4, 8]  # d = 16: latent_dim round(sqrt(16)) = 4
    assert {m.spec_.hidden_sizes for m in det.members_} == {(32,)}  # min(128, max(16, 2 d)) for each
    seeds = [m.random_state for m in det.members_[::2]]
    assert len(set(seeds)) == 2 and 0 not in seeds
    for member in det.members_[::2]:
        assert member.n_members == 1 and member.scaler == "none" and member.dropout == det.dropout
        assert member.code_reference_ is not None  # the detector's code_score ("auto": "neighbors")
    assert member_code_sizes(4, 3) == [2, 4, 8] and member_code_sizes(1, 3) == [2, 1, 2]
    assert member_code_sizes(6, 5) == [3, 4, 6, 8, 12]


def test_the_score_is_the_mean_of_the_members_scores_each_over_its_training_median(ensemble):
    """By hand: each member is a single-network detector on the scaled rows, so its own score_samples
    there is its score t_m; the middle one's is the n_members=1 detector's with the same seed."""
    X, det = ensemble
    single = AnomalyDetector(contamination=0.05, n_members=1, max_iter=8, random_state=0).fit(X)
    rows = X[:40] + np.random.default_rng(3).normal(size=(40, X.shape[1])).astype(np.float32)
    scores, medians = [], []
    for i, member in enumerate(det.members_):
        one = single if i == 1 else member
        inputs = (lambda Z: Z) if i == 1 else (lambda Z: _scaled(det, Z))
        medians.append(np.median(-one.score_samples(inputs(X))))
        scores.append(-one.score_samples(inputs(rows)))
    np.testing.assert_allclose(det.member_scale_, medians, rtol=1e-9)
    want = np.mean([s / m for s, m in zip(scores, medians)], axis=0)
    np.testing.assert_allclose(-det.score_samples(rows), want, rtol=1e-9)


def test_the_threshold_is_on_the_ensembles_score(ensemble):
    X, det = ensemble
    assert det.threshold_ == pytest.approx(np.percentile(-det.score_samples(X), 95.0), rel=1e-9)
    assert (det.predict(X) == -1).mean() == pytest.approx(0.05, abs=0.01)
    novelty = AnomalyDetector(contamination=0, threshold="fpr", threshold_param=0.1, max_iter=3, random_state=0).fit(X)
    assert len(novelty.members_) == 3 and len(novelty.holdout_errors_) == 40
    k = int(np.ceil((40 + 1) * 0.9))
    assert novelty.threshold_ == np.sort(novelty.holdout_errors_)[k - 1]
    assert novelty.members_[0].n_iter_ == novelty.n_iter_  # trained on the same 160 rows: same epochs


def test_explain_sums_to_the_ensembles_score(ensemble):
    X, det = ensemble
    odd = X[:3].copy()
    odd[0, 5] += 30.0
    explanation = det.explain(odd)
    np.testing.assert_allclose(explanation.contributions.sum(1) + explanation.code, -det.score_samples(odd), rtol=1e-9)
    assert explanation.top(0, k=1)[0][0] == "x5"


def test_members_of_five():
    det = AnomalyDetector(n_members=5, latent_dim=6, max_iter=2, random_state=0).fit(planar(80))
    assert [m.spec_.latent_dim for m in det.members_] == [3, 4, 6, 8, 12] and det.members_[2] is det
    assert len(det.member_scale_) == 5 and len({m.random_state for m in det.members_}) == 5


def test_refit_replaces_the_members():
    det = AnomalyDetector(max_iter=2, random_state=0).fit(planar(80))
    first = det.members_
    det.fit(planar(80, d=9))  # latent_dim round(sqrt(9)) = 3
    assert [m.spec_.latent_dim for m in det.members_] == [2, 3, 6]
    assert not {id(m) for m in det.members_[::2]} & {id(m) for m in first}
    assert det.members_[0].n_features_in_ == 9
    det.set_params(n_members=1).fit(planar(80))
    assert det.members_ == [det] and det.member_scale_ is None


def test_get_params_clone_and_set_params():
    assert AnomalyDetector().get_params()["n_members"] == "auto"
    det = AnomalyDetector(n_members=5)
    assert clone(det).n_members == 5
    assert det.set_params(n_members=1).get_params()["n_members"] == 1


def test_auto_is_one_member_where_the_code_size_cannot_vary_or_was_not_measured():
    images = np.random.default_rng(0).random((24, 1, 8, 8)).astype(np.float32)
    fully = AnomalyDetector(architecture="fully-conv", channels=(4,), loss="bce", max_iter=1, random_state=0).fit(images)
    conv = AnomalyDetector(architecture="conv", channels=(4,), latent_dim=4, loss="bce", max_iter=1, random_state=0).fit(images)
    layers = AnomalyDetector(layers=(16, 8, 3, 8, 16), layer_activations=("tanh",) * 4, max_iter=1, random_state=0).fit(planar(40))
    for det in (fully, conv, layers):
        assert det.members_ == [det] and det.member_scale_ is None


def test_explicit_members_on_a_conv_code():
    images = np.random.default_rng(0).random((24, 1, 8, 8)).astype(np.float32)
    det = AnomalyDetector(architecture="conv", channels=(4,), latent_dim=4, loss="bce", n_members=3, max_iter=1, random_state=0).fit(images)
    assert [m.spec_.latent_dim for m in det.members_] == [2, 4, 8]
    explanation = det.explain(images[:2])
    np.testing.assert_allclose(explanation.contributions.sum(1) + explanation.code, -det.score_samples(images[:2]), rtol=1e-6)


ODD = r"n_members must be \"auto\" or a positive odd integer \(the middle member, of code size latent_dim, is the detector's own network.*got {}\. Fix: n_members=3, 1 for a single network, or \"auto\""


@pytest.mark.parametrize("value, shown", [(2, "2"), (0, "0"), (-3, "-3"), (2.5, "2.5"), (3.0, "3.0"), (True, "True"), ("three", "'three'")])
def test_n_members_must_be_a_positive_odd_integer(value, shown):
    with pytest.raises(ConfigError, match=ODD.format(shown)):
        AnomalyDetector(n_members=value, max_iter=1).fit(planar(30))


def test_members_are_refused_where_the_code_size_cannot_vary():
    images = np.random.default_rng(0).random((24, 1, 8, 8)).astype(np.float32)
    with pytest.raises(ConfigError, match=r'n_members=3 needs members of different code sizes, but architecture="fully-conv" has no code size.*Fix: n_members=1 \(or "auto", which is 1 here\)'):
        AnomalyDetector(architecture="fully-conv", channels=(4,), loss="bce", n_members=3, max_iter=1).fit(images)
    with pytest.raises(ConfigError, match=r"n_members=5 needs members of different code sizes, but the layers= form fixes every layer's size.*Fix: n_members=1"):
        AnomalyDetector(layers=(16, 8, 3, 8, 16), layer_activations=("tanh",) * 4, n_members=5, max_iter=1).fit(planar(40))


def test_members_are_refused_for_a_mixed_type_table_for_now():
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({"x": np.arange(30.0), "kind": ["a", "b", "c"] * 10})
    with pytest.raises(ConfigError, match=r"n_members=3 needs members of different code sizes, but an ensemble of members is not supported for mixed-type tables yet.*Fix: n_members=1"):
        AnomalyDetector(n_members=3, max_iter=1).fit(table)
    assert AnomalyDetector(max_iter=1, random_state=0).fit(table).member_scale_ is None  # "auto": one network


def test_save_load_keeps_every_member(tmp_path, ensemble):
    X, det = ensemble
    path = aekit.save(det, tmp_path / "det")
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "history.json", "members", "model.safetensors"]
    assert sorted(p.name for p in (path / "members").iterdir()) == ["0", "2"]
    assert sorted(p.name for p in (path / "members" / "0").iterdir()) == ["config.json", "history.json", "model.safetensors"]
    assert json.loads((path / "config.json").read_text())["members"] == ["members/0", ".", "members/2"]
    assert [p.name for p in tmp_path.iterdir()] == ["det"]  # nothing left of the staging folder
    again = aekit.load(path)
    assert [m.spec_.latent_dim for m in again.members_] == [2, 4, 8] and again.members_[1] is again
    rows = np.vstack([X[:30], X[:2] + 5.0])
    np.testing.assert_array_equal(again.score_samples(rows), det.score_samples(rows))
    np.testing.assert_array_equal(again.predict(rows), det.predict(rows))
    np.testing.assert_array_equal(again.explain(rows).contributions, det.explain(rows).contributions)
    np.testing.assert_array_equal(again.explain(rows).code, det.explain(rows).code)
    aekit.save(again, path)  # a loaded ensemble saves again, over the old folder
    np.testing.assert_array_equal(aekit.load(path).score_samples(rows), det.score_samples(rows))


def test_a_missing_or_corrupt_member_is_a_clear_error(tmp_path, ensemble):
    import shutil

    _, det = ensemble
    path = aekit.save(det, tmp_path / "det")
    (path / "members" / "2" / "model.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(ModelFileError, match=r"members/2/model\.safetensors cannot be read .*truncated or corrupt\. Fix: save the model again"):
        aekit.load(path)
    shutil.rmtree(path / "members" / "2")
    with pytest.raises(ModelFileError, match=r"lists the ensemble member 'members/2', but .*members/2 is not a folder of this model.*Fix: keep the whole folder"):
        aekit.load(path)
    config = json.loads((path / "config.json").read_text())
    config["members"] = ["members/0", "."]
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match=r"lists members \['members/0', '\.'\] that do not match its member_scale_.*Fix: save the model again"):
        aekit.load(path)


def test_fit_seconds_count_every_members_training(ensemble):
    _, det = ensemble
    others = sum(m.fit_seconds_ for m in det.members_[::2])
    assert det.fit_seconds_ > others > 0
