"""Chars74K EnglishHnd in both layouts, from glyphs the test draws and writes as PNGs."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from aekit.datasets import load_chars74k, load_dataset
from aekit.datasets.chars74k import CHARS74K_CLASSES
from aekit.errors import DatasetError

CHARS = ["0", "A", "b"]  # classes 1, 11 and 38: Sample001, Sample011, Sample038


def glyph(char: str, offset: int) -> Image.Image:
    """A dark character on white paper, off-centre, on a page much larger than the glyph."""
    page = Image.new("RGB", (120, 90), "white")
    draw = ImageDraw.Draw(page)
    draw.text((20 + offset, 15 + offset), char, fill="black", font_size=40)
    return page


def make_csv_layout(root, per_class=2):
    (root / "Img").mkdir(parents=True)
    rows = ["image,label"]
    for k, char in enumerate(CHARS):
        for j in range(per_class):
            name = f"Img/img{k + 1:03d}-{j + 1:03d}.png"
            glyph(char, 5 * j).save(root / name)
            rows.append(f"{name},{char}")
    (root / "english.csv").write_text("\n".join(rows) + "\n")
    return root


def make_sample_layout(root, per_class=2):
    for char in CHARS:
        folder = root / "English" / "Hnd" / "Img" / f"Sample{CHARS74K_CLASSES.index(char) + 1:03d}"
        folder.mkdir(parents=True)
        for j in range(per_class):
            glyph(char, 5 * j).save(folder / f"img-{j:03d}.png")
    return root


@pytest.mark.parametrize("make", [make_csv_layout, make_sample_layout], ids=["csv", "samples"])
def test_both_layouts_give_cropped_greyscale_glyphs(tmp_path, make):
    chars = load_chars74k(make(tmp_path))
    assert chars.data.shape == (6, 784) and chars.image_shape == (28, 28)
    assert sorted(set(chars.labels)) == sorted(CHARS)
    assert [CHARS74K_CLASSES[t] for t in chars.target] == list(chars.labels)
    # cropped to the ink: both offsets of a glyph give the same image, and the ink touches the border
    by_char = {c: chars.images[np.asarray(chars.labels) == c] for c in CHARS}
    for images in by_char.values():
        np.testing.assert_allclose(images[0], images[1], atol=1e-6)
        first = images[0]
        assert first.max() > 0.9 and (first[0].max() > 0.3 or first[:, 0].max() > 0.3)


def test_size_is_a_choice_and_load_dataset_passes_the_path(tmp_path):
    make_csv_layout(tmp_path)
    assert load_dataset("chars74k", path=tmp_path, image_size=16).data.shape == (6, 256)


def test_an_image_without_a_csv_row_is_named(tmp_path):
    make_csv_layout(tmp_path)
    glyph("Z", 0).save(tmp_path / "Img" / "img099-001.png")
    with pytest.raises(DatasetError, match=r"img099-001.png has no row in .*english.csv.*Add the row"):
        load_chars74k(tmp_path)


def test_an_unreadable_image_is_named(tmp_path):
    make_csv_layout(tmp_path)
    (tmp_path / "Img" / "img001-001.png").write_bytes(b"not a png")
    with pytest.raises(DatasetError, match=r"cannot read the image .*img001-001.png"):
        load_chars74k(tmp_path)


def test_wrong_layout_and_missing_path(tmp_path):
    (tmp_path / "pictures").mkdir()
    with pytest.raises(DatasetError, match="has neither english.csv .* nor Sample001/"):
        load_chars74k(tmp_path)
    with pytest.raises(DatasetError, match="never downloaded"):
        load_chars74k()
    make_csv_layout(tmp_path / "bad")
    (tmp_path / "bad" / "english.csv").write_text("file,class\nImg/img001-001.png,0\n")
    with pytest.raises(DatasetError, match="must start with the header 'image,label'"):
        load_chars74k(tmp_path / "bad")
