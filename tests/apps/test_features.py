from aekit import AutoencoderEstimator
from aekit.apps.features import compare_features
from aekit.datasets import load_digits


def test_codes_beat_chance_and_pca_is_same_width():
    d = load_digits()
    ae = AutoencoderEstimator(hidden_sizes=(64,), latent_dim=10, max_iter=40, learning_rate=3e-3,
                              random_state=0).fit(d.data[:500])
    result = compare_features(ae, d.data[:500], d.target[:500], d.data[500:800], d.target[500:800])
    assert result.n_components == 10
    assert result.code > 0.7 and result.pca > 0.7 and result.raw > 0.8
