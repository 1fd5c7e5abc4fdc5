import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import aekit
import torch
from aekit import AnomalyDetector, ConfigError, DataError

torch.set_num_threads(1)  # tiny models: one thread is many times faster on a shared machine


def planar(n=200, d=8, seed=0):
    """Normal data on a 3-D plane in d dimensions."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, 3)) @ rng.normal(size=(3, d))).astype(np.float32)


@pytest.fixture(scope="module")
def fitted():
    X = planar()
    return X, AnomalyDetector(contamination=0.05, max_iter=40, random_state=0).fit(X)


def _fast(**params):
    return AnomalyDetector(max_iter=3, random_state=0, **params)


# Every check passes: the score runs the network in float64, so one row and a batch of rows agree
# to far below the subset-invariance check's 1e-7 (in float32 their BLAS kernels differed by ~1e-6).
@parametrize_with_checks([_fast()])
def test_sklearn_conventions(estimator, check):
    check(estimator)


def test_injected_outlier_ranks_top(fitted):
    X, det = fitted
    X_test = np.vstack([X[:20], X[:1] + 8.0 * np.random.default_rng(1).normal(size=(1, X.shape[1]))])
    scores = det.score_samples(X_test)
    assert np.argmin(scores) == 20
    assert det.predict(X_test)[20] == -1
    assert set(np.unique(det.predict(X_test))) <= {-1, 1}


def test_contamination_flags_that_fraction_of_training_data(fitted):
    X, det = fitted
    assert (det.predict(X) == -1).mean() == pytest.approx(0.05, abs=0.01)
    np.testing.assert_allclose(det.decision_function(X), det.score_samples(X) + det.threshold_)


@pytest.mark.parametrize("rule, param", [("percentile", 95), ("mean_std", 2.0), ("median_mad", None), ("fpr", 0.05)])
def test_novelty_rules_calibrate_on_holdout(rule, param):
    X = planar(300)
    det = _fast(contamination=0, threshold=rule, threshold_param=param).fit(X)
    assert len(det.holdout_errors_) == 60
    assert det.threshold_ >= np.median(det.holdout_errors_)
    assert det.threshold_rule_ == rule


def test_fpr_rule_is_the_conformal_quantile():
    X = planar(300)
    det = _fast(contamination=0, threshold="fpr", threshold_param=0.1).fit(X)
    k = int(np.ceil((60 + 1) * 0.9))
    assert det.threshold_ == np.sort(det.holdout_errors_)[k - 1]


def test_explicit_threshold_and_auto_with_zero_contamination():
    X = planar(100)
    assert _fast(threshold=0.5).fit(X).threshold_ == 0.5
    assert _fast(contamination=0).fit(X).threshold_rule_ == "fpr"


def test_explain_names_the_corrupted_feature():
    X = planar(300, d=6)
    det = AnomalyDetector(max_iter=40, random_state=0).fit(X)
    odd = X[:1].copy()
    odd[0, 3] += 30.0
    explanation = det.explain(odd)
    assert explanation.top(0, k=1)[0][0] == "x3"
    assert explanation.ranking[0, 0] == 3
    np.testing.assert_allclose(explanation.contributions.sum(1) + explanation.code, -det.score_samples(odd), rtol=1e-5)


def test_explain_uses_dataframe_column_names():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(planar(100, d=3), columns=["a", "b", "c"])
    det = _fast().fit(frame)
    assert det.explain(frame.iloc[:2]).feature_names == ["a", "b", "c"]


def test_scaling_is_fitted_on_training_data():
    X = planar(100) * 1000.0 + 50.0
    det = AnomalyDetector(scaler="standard", max_iter=100, learning_rate=1e-2, random_state=0).fit(X)
    np.testing.assert_allclose((X - det.shift_) / det.scale_, (X - X.mean(0)) / X.std(0), rtol=1e-3, atol=1e-3)
    assert det.reconstruct(X).shape == X.shape  # in X's units, the scaling undone
    assert np.abs(det.reconstruct(X) - X).mean() < 0.5 * np.abs(X - X.mean(0)).mean()


def test_vae_detector_ranks_outlier_top():
    X = planar(300)
    det = AnomalyDetector(latent="gaussian", beta=0.5, max_iter=40, random_state=0).fit(X)
    X_test = np.vstack([X[:30], X[:1] + 8.0])
    assert np.argmin(det.score_samples(X_test)) == 30


def test_conv_detector_on_images():
    rng = np.random.default_rng(0)
    images = np.zeros((120, 1, 8, 8), np.float32)
    for k, img in enumerate(images):
        img[0, :, k % 8] = 1.0  # a vertical bar
    odd = np.zeros((1, 1, 8, 8), np.float32)
    odd[0, 0, np.arange(8), np.arange(8)] = 1.0  # a diagonal
    det = AnomalyDetector(architecture="conv", channels=(8,), latent_dim=4, loss="bce", max_iter=60,
                          learning_rate=1e-2, random_state=0).fit(images + 0.0 * rng.random(images.shape))
    scores = det.score_samples(np.concatenate([images[:10], odd]))
    assert np.argmin(scores) == 10
    assert det.explain(odd).contributions.shape == (1, 64)


def test_save_load_roundtrip(tmp_path, fitted):
    X, det = fitted
    again = aekit.load(aekit.save(det, tmp_path / "det"))
    assert isinstance(again, AnomalyDetector)
    np.testing.assert_array_equal(again.score_samples(X), det.score_samples(X))
    np.testing.assert_array_equal(again.predict(X), det.predict(X))
    assert again.threshold_ == det.threshold_


@pytest.mark.parametrize(
    "params, match",
    [
        ({"contamination": 0.7}, r"contamination must be a number in \[0, 0.5\].*got 0.7.*Fix"),
        ({"threshold": "iqr"}, r"threshold='iqr' is not a known choice.*percentile"),
        ({"threshold": "mean_std"}, r"needs contamination=0; got contamination=0.1. Fix"),
        ({"contamination": 0, "threshold": "fpr", "threshold_param": 2.0}, r"false-positive rate.*got 2.0. Fix"),
        ({"contamination": 0, "threshold": "percentile", "threshold_param": -1}, r"percentile.*got -1. Fix"),
        ({"threshold": float("nan")}, r"threshold must be a finite reconstruction error.*got nan. Fix"),
        ({"contamination": 0, "holdout_fraction": 1.5}, r"holdout_fraction must be a number in \(0, 1\); got 1.5. Fix"),
        ({"scaler": "zscore"}, r"scaler='zscore' is not a known choice"),
        ({"error_scaling": "mad"}, r"error_scaling='mad' is not a known choice. Expected one of \['feature', 'none'\]"),
        ({"code_score": "norm"}, r"code_score='norm' is not a known choice. Expected one of \['auto', 'neighbors', 'mahalanobis', 'none'\]"),
        ({"max_steps": 0}, r"max_steps must be a positive integer.*got 0. Fix: e.g. max_steps=5000, or None"),
        ({"max_steps": 2.5}, r"max_steps must be a positive integer.*got 2.5. Fix"),
    ],
)
def test_parameter_errors(params, match):
    with pytest.raises(ConfigError, match=match):
        _fast(**params).fit(planar(50))


def test_holdout_too_small():
    with pytest.raises(DataError, match=r"leaves 1 held-out and 4 training samples.*Fix"):
        _fast(contamination=0).fit(planar(5))


def test_every_autoencoder_parameter_is_also_a_detector_parameter():
    from aekit import AutoencoderEstimator

    missing = set(AutoencoderEstimator().get_params()) - set(AnomalyDetector().get_params())
    assert not missing, f"AnomalyDetector lacks {sorted(missing)}"


def test_error_scaling_none_is_the_plain_reconstruction_error():
    X = planar(120)
    det = AnomalyDetector(error_scaling="none", code_score="none", n_members=1, max_iter=5, random_state=0).fit(X)
    assert det.error_scale_ is None and det.code_precision_ is None
    # the score runs the network in float64, reconstruction_error in float32
    np.testing.assert_allclose(det.score_samples(X), -det.reconstruction_error(X), rtol=1e-5)


def test_feature_error_scaling_divides_each_feature_by_its_median_training_error():
    X = planar(120)
    det = AnomalyDetector(code_score="none", n_members=1, max_iter=5, random_state=0).fit(X)
    per_feature = det.explain(X).contributions * det.error_scale_  # back to the plain per-feature errors
    np.testing.assert_allclose(det.error_scale_, np.median(per_feature, axis=0), rtol=1e-5)
    np.testing.assert_allclose(det.score_samples(X), -(per_feature / det.error_scale_).sum(1), rtol=1e-5)
    np.testing.assert_allclose(det.explain(X).contributions.sum(1), -det.score_samples(X), rtol=1e-5)


def test_feature_error_scaling_keeps_a_noisy_feature_from_drowning_the_others():
    """One feature is pure noise no model reconstructs; an outlier off the plane in the others ranks top only
    when each feature's error is measured against its typical error."""
    rng = np.random.default_rng(1)
    X = planar(300, d=6)
    X = np.hstack([X / X.std(0), 3.0 * rng.standard_t(2, size=(300, 1))]).astype(np.float32)
    odd = X[:1].copy()
    odd[0, :6] += 1.5 * rng.normal(size=6)  # off the plane, small in each feature
    data = np.vstack([X, odd])
    ranks = {}
    for scaling in ("feature", "none"):
        det = AnomalyDetector(error_scaling=scaling, max_iter=30, random_state=0).fit(X)
        ranks[scaling] = int((det.score_samples(data) < det.score_samples(odd)[0]).sum())
    assert ranks["feature"] < ranks["none"]


CODE_STATE = ["code_center_", "code_precision_", "code_reference_", "code_neighbors_"]


def _without(path, keys):
    """The saved detector at ``path`` with ``keys`` dropped from its config, as an older aekit wrote it."""
    import json

    config = json.loads((path / "config.json").read_text())

    def drop(node):
        if isinstance(node, dict):
            for key in keys:
                node.pop(key, None)
            for value in node.values():
                drop(value)

    drop(config)
    (path / "config.json").write_text(json.dumps(config))
    return aekit.load(path)


OLD_FILE = ["n_members", "member_scale_"]  # what a file written before n_members lacks besides


def test_a_saved_detector_without_error_scale_loads_with_the_plain_score(tmp_path):
    """Files written before error_scaling and code_score existed have neither: they score as they did."""
    X = planar(120)
    det = AnomalyDetector(n_members=1, max_iter=5, random_state=0).fit(X)
    again = _without(aekit.save(det, tmp_path / "det"), ["error_scale_", *CODE_STATE, "score_scale_", *OLD_FILE])
    assert getattr(again, "error_scale_", None) is None and getattr(again, "code_precision_", None) is None
    np.testing.assert_allclose(again.score_samples(X), -again.reconstruction_error(X), rtol=1e-5)


def test_a_saved_detector_without_code_score_scores_by_the_scaled_error(tmp_path):
    X = planar(120)
    det = AnomalyDetector(n_members=1, max_iter=5, random_state=0).fit(X)
    again = _without(aekit.save(det, tmp_path / "det"), [*CODE_STATE, "score_scale_", *OLD_FILE])
    np.testing.assert_allclose(-again.score_samples(X), det.explain(X).contributions.sum(1) * det.score_scale_[0], rtol=1e-9)


def test_code_score_adds_the_codes_mahalanobis_distance_each_part_over_its_training_median():
    X = planar(150)
    det = AnomalyDetector(code_score="mahalanobis", n_members=1, max_iter=10, random_state=0).fit(X)
    codes = det.transform(X).astype(np.float64)
    np.testing.assert_allclose(det.code_center_, codes.mean(0), rtol=1e-5, atol=1e-6)
    centered = codes - codes.mean(0)
    cov = np.cov(centered, rowvar=False)
    np.testing.assert_allclose(det.code_precision_ @ cov, np.eye(len(cov)), atol=1e-4)
    distance = np.einsum("ij,jk,ik->i", centered, np.linalg.inv(cov), centered)
    errors = (det.explain(X).contributions * det.score_scale_[0]).sum(1)
    np.testing.assert_allclose(det.score_scale_, [np.median(errors), np.median(distance)], rtol=1e-4)
    want = errors / np.median(errors) + distance / np.median(distance)
    np.testing.assert_allclose(-det.score_samples(X), want, rtol=1e-4)
    explanation = det.explain(X)
    np.testing.assert_allclose(explanation.code, distance / np.median(distance), rtol=1e-4)
    np.testing.assert_allclose(explanation.contributions.sum(1) + explanation.code, -det.score_samples(X), rtol=1e-9)


def test_code_score_sees_a_sample_far_out_along_the_data():
    """A sample on the plane the data lie on, but far out along it: the code's distance flags it."""
    X = planar(400, d=6)
    far = 4.0 * X[np.argmax(np.linalg.norm(X, axis=1))][None]  # on the plane, beyond every training row
    ranks = {}
    for code_score in ("neighbors", "mahalanobis", "none"):
        det = AnomalyDetector(code_score=code_score, max_iter=40, random_state=0).fit(X)
        ranks[code_score] = int((det.score_samples(X) < det.score_samples(far)[0]).sum())
    assert ranks["neighbors"] == ranks["mahalanobis"] == 0
    assert ranks["mahalanobis"] <= ranks["none"]


def test_neighbors_code_score_is_the_mean_distance_to_the_nearest_distinct_training_codes():
    X = planar(300)
    det = AnomalyDetector(n_members=1, reference_trim=0, max_iter=10, random_state=0).fit(X)  # code_score="auto": "neighbors"
    codes = det.transform(X).astype(np.float64)
    np.testing.assert_allclose(np.sort(det.code_reference_, axis=0), np.sort(np.unique(codes, axis=0), axis=0), atol=1e-5)
    assert det.code_neighbors_ == max(10, int(np.ceil(0.05 * len(det.code_reference_))))
    squared = ((codes[:, None, :] - det.code_reference_[None]) ** 2).sum(-1)
    distance = np.sort(squared, axis=1)[:, : det.code_neighbors_].mean(1)
    errors = (det.explain(X).contributions * det.score_scale_[0]).sum(1)
    np.testing.assert_allclose(det.score_scale_, [np.median(errors), np.median(distance)], rtol=1e-4)
    np.testing.assert_allclose(-det.score_samples(X), errors / np.median(errors) + distance / np.median(distance), rtol=1e-4)
    np.testing.assert_allclose(det.explain(X).code, distance / np.median(distance), rtol=1e-4)


def test_neighbors_code_score_sees_a_sample_between_two_clusters():
    """Normal data in two clusters on a plane: a sample on the plane halfway between them lies near
    the codes' mean, where one Gaussian over the codes is densest; its neighbours are far."""
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(2, 6))
    centres = np.array([[-4.0, 0.0], [4.0, 0.0]])
    X = (centres[rng.integers(2, size=400)] + 0.5 * rng.normal(size=(400, 2))) @ basis
    between = np.zeros((1, 2)) @ basis  # on the plane, between the clusters
    ranks = {}
    for code_score in ("neighbors", "mahalanobis"):
        det = AnomalyDetector(code_score=code_score, n_members=1, max_iter=60, random_state=0).fit(X)
        ranks[code_score] = int((det.score_samples(X) < det.score_samples(between)[0]).sum())
    assert ranks["neighbors"] < 20  # among the 5 % most anomalous (the rest: the clusters' outer tails)
    assert ranks["mahalanobis"] > 200  # one Gaussian finds it more normal than most training rows


def test_neighbors_code_score_survives_repeated_codes():
    """Rows repeated many times (duplicates, a binary code) give repeated codes: the reference keeps
    each code once, so a row's nearest codes are not all itself and the part's median stays > 0."""
    X = np.repeat(planar(30), 20, axis=0)
    det = AnomalyDetector(reference_trim=0, max_iter=10, random_state=0).fit(X)
    assert len(det.code_reference_) == 30
    # trimmed (the default: the contamination, 0.1), 60 rows, three distinct codes, leave it
    assert len(AnomalyDetector(max_iter=10, random_state=0).fit(X).code_reference_) == 27
    codes = det.transform(X).astype(np.float64)
    typical = ((codes[:, None, :] - det.code_reference_[None]) ** 2).sum(-1).mean()  # mean squared distance
    assert det.score_scale_[1] > 0.05 * typical
    assert np.isfinite(det.score_samples(X)).all()


def test_code_score_auto_is_off_for_a_fully_convolutional_code():
    images = np.random.default_rng(0).random((40, 1, 8, 8)).astype(np.float32)
    det = AnomalyDetector(architecture="fully-conv", channels=(4,), loss="bce", max_iter=2, random_state=0).fit(images)
    assert det.code_precision_ is None and det.code_reference_ is None
    assert AnomalyDetector(max_iter=2, random_state=0).fit(planar(50)).code_reference_ is not None


@pytest.mark.parametrize(
    "n, batch_size, max_steps, n_members, epochs",
    [
        (300, 64, 20, 1, 4), (300, 64, 2, 1, 1), (300, 64, None, 1, 30), (100, "auto", 20, 1, 20),
        # max_steps is the whole fit's: each of three members takes max_steps // 3
        (300, 64, 60, 3, 4), (300, 64, 20, 3, 1), (300, 64, None, 3, 30), (100, "auto", 20, 3, 6),
    ],
)
def test_max_steps_cuts_the_epochs_on_big_data(n, batch_size, max_steps, n_members, epochs):
    det = AnomalyDetector(max_iter=30, batch_size=batch_size, max_steps=max_steps, n_members=n_members, random_state=0).fit(planar(n))
    assert [m.n_iter_ for m in det.members_] == [epochs] * n_members  # 300 rows in batches of 64: 5 steps an epoch; "auto": one batch of 100


def test_old_defaults_are_reachable():
    """code_score="none", max_steps=None: the issue-14 detector (error over each feature's median, max_iter epochs)."""
    X = planar(120)
    det = AnomalyDetector(code_score="none", max_steps=None, max_iter=7, random_state=0).fit(X)
    assert det.n_iter_ == 7 and det.code_precision_ is None and det.code_reference_ is None and det.error_scale_ is not None
    previous = AnomalyDetector(code_score="mahalanobis", max_iter=7, random_state=0).fit(X)  # issue 15's first default
    assert previous.code_reference_ is None and previous.code_precision_ is not None
