"""The scikit-learn facade: the autoencoder estimator, its builder and input checks, the anomaly
detector and greedy layer-wise pre-training."""

from aekit.estimators.anomaly import THRESHOLD_RULES, AnomalyDetector, AnomalyExplanation
from aekit.estimators.autoencoder import AutoencoderEstimator
from aekit.estimators.checks import resolve_device, validate_input
from aekit.estimators.stacked import StackedResult, pretrain_stacked
from aekit.estimators.tabular import TableAutoencoder

__all__ = [
    "THRESHOLD_RULES",
    "AnomalyDetector",
    "AnomalyExplanation",
    "AutoencoderEstimator",
    "StackedResult",
    "TableAutoencoder",
    "pretrain_stacked",
    "resolve_device",
    "validate_input",
]
