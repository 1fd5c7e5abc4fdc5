"""AnomalyDetector(reference_trim=...): the neighbours' reference without the rows that score worst."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aekit import AnomalyDetector
from aekit.errors import ConfigError
from aekit.estimators.anomaly import _code_reference, _neighbor_distances, _typical

from .test_anomaly import planar

torch.set_num_threads(1)


def contaminated(n=200, d=8, share=0.1, seed=0):
    """planar rows, the first ``share`` of them moved far off the plane and off the data: training anomalies."""
    X = planar(n, d, seed)
    rng = np.random.default_rng(seed + 1)
    k = int(share * n)
    X[:k] = 6.0 + rng.normal(size=(k, d)).astype(np.float32)
    return X


def _scaled(det, X):
    return det._to_model_shape(np.ascontiguousarray((X - det.shift_) / det.scale_, dtype=np.float32))


def test_the_reference_leaves_out_the_share_of_rows_that_score_worst_against_all_rows():
    X = contaminated()
    det = AnomalyDetector(n_members=1, contamination=0.1, max_iter=10, random_state=0).fit(X)
    per_feature, codes = det._network_pass(_scaled(det, X), codes=True)
    errors = (per_feature / det.error_scale_).sum(1)
    full, k_full = _code_reference(codes)
    distances = _neighbor_distances(codes, full, k_full)
    first = errors / _typical(errors) + distances / _typical(distances)
    kept = first <= np.quantile(first, 0.9)
    reference, k = _code_reference(codes[kept])
    np.testing.assert_array_equal(det.code_reference_, reference)
    assert det.code_neighbors_ == k
    assert len(reference) < len(full)
    # the part's median is over all training rows, against the trimmed reference
    trimmed_distances = _neighbor_distances(codes, reference, k)
    np.testing.assert_allclose(det.score_scale_, [_typical(errors), _typical(trimmed_distances)])
    assert (~kept[:20]).sum() >= 10  # most of the 20 rows left out are the planted anomalies


def test_trimming_changes_only_the_scores_statistics_and_ranks_the_training_anomalies_higher():
    X = contaminated()
    kept = AnomalyDetector(n_members=1, reference_trim=0, max_iter=10, random_state=0).fit(X)
    trimmed = AnomalyDetector(n_members=1, reference_trim=0.1, max_iter=10, random_state=0).fit(X)
    for name, tensor in kept.model_.state_dict().items():  # the same network: trimming is after training
        assert torch.equal(tensor, trimmed.model_.state_dict()[name]), name
    odd = contaminated(60, seed=5)[:6]  # new anomalies like the planted ones
    normal = planar(60, seed=5)
    gap = {t: float(np.median(d.score_samples(normal)) - np.median(d.score_samples(odd))) for t, d in ((0, kept), (0.1, trimmed))}
    assert gap[0.1] > 2 * gap[0]  # the new anomalies stand further from normal rows: no planted one vouches for them


def test_auto_is_the_contamination_and_clean_data_keeps_every_row():
    X = planar()
    clean = AnomalyDetector(n_members=1, contamination=0, threshold="fpr", max_iter=5, random_state=0).fit(X)
    full = AnomalyDetector(n_members=1, contamination=0, threshold="fpr", reference_trim=0, max_iter=5, random_state=0).fit(X)
    np.testing.assert_array_equal(clean.code_reference_, full.code_reference_)
    auto = AnomalyDetector(n_members=1, contamination=0.2, max_iter=5, random_state=0).fit(X)
    explicit = AnomalyDetector(n_members=1, contamination=0.2, reference_trim=0.2, max_iter=5, random_state=0).fit(X)
    np.testing.assert_array_equal(auto.code_reference_, explicit.code_reference_)


def test_every_member_trims_its_own_reference_by_the_detectors_share():
    X = contaminated(d=16)
    det = AnomalyDetector(contamination=0.1, max_iter=5, random_state=0).fit(X)
    assert len(det.members_) == 3
    for member in det.members_:
        assert member._reference_trim() == pytest.approx(0.1)
        assert len(member.code_reference_) <= int(np.ceil(0.9 * len(X)))


def test_other_code_scores_ignore_it():
    X = contaminated()
    a = AnomalyDetector(n_members=1, code_score="mahalanobis", reference_trim=0, max_iter=5, random_state=0).fit(X)
    b = AnomalyDetector(n_members=1, code_score="mahalanobis", reference_trim=0.3, max_iter=5, random_state=0).fit(X)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))


@pytest.mark.parametrize("bad", [-0.1, 0.6, True, "all", float("nan")])
def test_a_reference_trim_outside_0_to_half_is_refused(bad):
    with pytest.raises(ConfigError, match=r"reference_trim must be \"auto\" \(the contamination\) or a number in \[0, 0.5\].*Fix:"):
        AnomalyDetector(reference_trim=bad, max_iter=1).fit(planar())
