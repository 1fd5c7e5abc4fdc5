import numpy as np
import pytest

from aekit import DataError
from aekit.apps.visualise import latent_map


def test_wide_codes_projected_by_pca_separate_clusters():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 30)
    codes = rng.normal(size=(60, 6)) + 10.0 * labels[:, None]
    result = latent_map(codes, labels)
    assert result.method == "pca" and result.points.shape == (60, 2)
    first = result.points[:, 0]
    assert abs(first[labels == 0].mean() - first[labels == 1].mean()) > 10


def test_small_codes_kept_and_tsne():
    codes = np.random.default_rng(0).normal(size=(20, 3))
    np.testing.assert_array_equal(latent_map(codes).points, codes)
    assert latent_map(np.random.default_rng(0).normal(size=(20, 5)), method="tsne", random_state=0).points.shape == (20, 2)


def test_errors():
    with pytest.raises(DataError, match=r"labels has 3 entries but codes has 4 rows. Fix"):
        latent_map(np.zeros((4, 2)), labels=[1, 2, 3])
    with pytest.raises(DataError, match=r'method="identity" needs codes of at most 3 dimensions; got 5. Fix'):
        latent_map(np.zeros((4, 5)), method="identity")
    with pytest.raises(DataError, match=r"codes must be 2-D.*Fix"):
        latent_map(np.zeros(4))
