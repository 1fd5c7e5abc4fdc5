import numpy as np
import pytest
from PIL import Image

from aekit.datasets import load_image_folder
from aekit.errors import ConfigError, DatasetError


@pytest.fixture
def chars(tmp_path):
    """Sample001 (two 4x6 images) and Sample002 (one), as in English Handwritten Characters."""
    for label, values in [("Sample001", [0, 51]), ("Sample002", [255])]:
        (tmp_path / label).mkdir()
        for i, value in enumerate(values):
            Image.new("RGB", (6, 4), (value, 0, 0)).save(tmp_path / label / f"img{i}.png")
    (tmp_path / "README.txt").write_text("not an image folder")
    return tmp_path


def test_grayscale_labels_from_folder_names(chars):
    folder = load_image_folder(chars)
    assert folder.data.shape == (3, 24) and folder.images.shape == (3, 4, 6)
    assert folder.image_shape == (4, 6) and folder.data.dtype == np.float32
    assert folder.labels.tolist() == ["Sample001", "Sample001", "Sample002"]
    assert folder.target.tolist() == [0, 0, 1] and folder.target_names == ["Sample001", "Sample002"]
    # PIL luminance: L = 0.299 R (+ 0.587 G + 0.114 B)
    np.testing.assert_allclose(folder.images[:, 0, 0], [0, 15 / 255, 76 / 255], atol=1e-6)


def test_rgb_and_resize(chars):
    folder = load_image_folder(chars, image_shape=(2, 3), color="RGB")
    assert folder.images.shape == (3, 2, 3, 3) and folder.data.shape == (3, 18)
    np.testing.assert_allclose(folder.images[2, :, :, 0], 1.0)
    np.testing.assert_allclose(folder.images[2, :, :, 1:], 0.0)


def test_sizes_differ(chars):
    Image.new("L", (5, 5)).save(chars / "Sample002" / "odd.png")
    with pytest.raises(DatasetError, match=r"odd.png is 5x5 pixels but .*img0.png is 6x4; pass image_shape"):
        load_image_folder(chars)
    assert load_image_folder(chars, image_shape=(5, 5)).data.shape == (4, 25)


def test_bad_folders(tmp_path, chars):
    with pytest.raises(DatasetError, match=r"image folder .*nope does not exist"):
        load_image_folder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"empty holds no images in class sub-folders; expected"):
        load_image_folder(tmp_path / "empty")
    (chars / "Sample002" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DatasetError, match=r"cannot read image .*broken.png"):
        load_image_folder(chars)
    with pytest.raises(ConfigError, match=r"color='cmyk' is not a known choice"):
        load_image_folder(chars, color="cmyk")
