import numpy as np

from aekit.datasets import load_digits, load_font


def test_font_has_the_32_characters_of_the_seed_assignment(font):
    assert font.data.shape == (32, 35) and font.data.dtype == np.float32
    assert font.images.shape == (32, 7, 5)
    assert set(np.unique(font.data)) == {0.0, 1.0}
    assert font.labels[0] == "`" and font.labels[1:27] == list("abcdefghijklmnopqrstuvwxyz")
    assert font.labels[27:] == ["{", "|", "}", "~", "DEL"]
    assert list(font.target) == list(range(0x60, 0x80))
    # 'a' is font3[1] = {0x00, 0x0e, 0x01, 0x0d, 0x13, 0x13, 0x0d}, MSB leftmost
    a = ["".join("#" if p else "." for p in row) for row in font.images[1]]
    assert a == [".....", ".###.", "....#", ".##.#", "#..##", "#..##", ".##.#"]
    np.testing.assert_array_equal(font.data[1], font.images[1].reshape(-1))


def test_font_matches_the_shared_source_when_present():
    import json
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "shared" / "data" / "font5x7" / "font3.json"
    if not source.exists():
        return
    rows = json.loads(source.read_text())["rows"]
    font = load_font()
    rebuilt = [[int("".join(str(int(p)) for p in row), 2) for row in img] for img in font.images]
    assert rebuilt == rows


def test_digits_scaled_to_unit_range():
    d = load_digits()
    assert d.data.shape == (1797, 64) and d.data.dtype == np.float32
    assert d.data.min() == 0.0 and d.data.max() == 1.0
    assert d.images.shape == (1797, 8, 8) and len(d.target) == 1797
