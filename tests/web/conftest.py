import numpy as np
import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web]'")

from aekit import AnomalyDetector, AutoencoderEstimator  # noqa: E402
from aekit.datasets import load_font  # noqa: E402
from aekit.web.explorer import Explorer  # noqa: E402
from aekit.web.routes import build_app  # noqa: E402


@pytest.fixture(scope="session")
def font_model():
    font = load_font()
    ae = AutoencoderEstimator(hidden_sizes=(16,), latent_dim=2, activation="tanh", loss="bce", learning_rate=0.05,
                              batch_size=32, max_iter=60, random_state=0).fit(font.data)
    return ae, font


@pytest.fixture(scope="session")
def font_explorer(font_model):
    ae, font = font_model
    return Explorer(ae, font.data, font.labels, image_shape=font.image_shape)


@pytest.fixture(scope="session")
def client(font_explorer):
    from starlette.testclient import TestClient

    return TestClient(build_app(font_explorer), base_url="http://127.0.0.1:8765")


@pytest.fixture(scope="session")
def tabular_detector():
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(120, 3)) @ rng.normal(size=(3, 6))).astype(np.float32)
    return AnomalyDetector(contamination=0.05, max_iter=10, random_state=0).fit(X), X
