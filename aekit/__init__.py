"""aekit: autoencoders for students, practitioners and researchers.

The public API is re-exported here; see the README for a tour.
"""

from aekit.errors import (
    AekitError,
    ConfigError,
    DataError,
    DatasetError,
    ModelFileError,
    TrainingDivergedError,
)

__version__ = "0.1.0"

__all__ = [
    "AekitError",
    "ConfigError",
    "DataError",
    "DatasetError",
    "ModelFileError",
    "TrainingDivergedError",
    "__version__",
]

from aekit.estimators import AutoencoderEstimator  # noqa: E402

__all__ += ["AutoencoderEstimator"]

from aekit.estimators.anomaly import AnomalyDetector  # noqa: E402
from aekit.estimators.tabular import TableAutoencoder  # noqa: E402  (needs the tables extra, pandas, when fitted)

__all__ += ["AnomalyDetector", "TableAutoencoder"]

from aekit.io import load, save  # noqa: E402

__all__ += ["load", "save"]

from aekit.web import explore  # noqa: E402  (needs the web extra only when called)

__all__ += ["explore"]

from aekit.export import export_onnx  # noqa: E402  (needs the onnx extra only when called)

__all__ += ["export_onnx"]
