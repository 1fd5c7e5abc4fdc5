"""scikit-learn's own estimator checks on AutoencoderEstimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from aekit import AutoencoderEstimator


@parametrize_with_checks([AutoencoderEstimator(max_iter=20, random_state=0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
