"""Chars74K's handwritten English characters ("EnglishHnd", de Campos et al. 2009) from a local copy.

3,410 PNGs: 62 classes (0-9, A-Z, a-z), 55 each, dark strokes on a light background. Two
layouts are read:

* the common copy: a folder with ``english.csv`` (rows ``image,label``, e.g.
  ``Img/img001-001.png,0``) and the ``Img/`` folder it names;
* Chars74K's own: ``Sample001/`` .. ``Sample062/`` (0-9, then A-Z, then a-z), found in the
  folder given or in its ``Img/`` or ``English/Hnd/Img/``.

This set is never downloaded: its terms do not allow redistributing it, so the user brings it.
Each image is made greyscale with ink = 1 and paper = 0, cropped to the ink's bounding box,
padded to a square (the aspect ratio of a "1" survives) and resized.
"""

from __future__ import annotations

import csv
import os
import string
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.errors import DatasetError

__all__ = ["CHARS74K_CLASSES", "load_chars74k", "glyph_to_array"]

CHARS74K_CLASSES = tuple(string.digits + string.ascii_uppercase + string.ascii_lowercase)
INK_THRESHOLD = 0.2  # ink above this (0 = paper, 1 = black) counts for the bounding box
_SAMPLE_ROOTS = (".", "Img", "English/Hnd/Img")


def glyph_to_array(image, size: int = 28) -> np.ndarray:
    """A PIL image of a dark glyph on light paper -> (size, size) float32 ink in [0, 1].

    Greyscale, inverted (ink = 1), cropped to the ink's bounding box, padded to a square and
    resized with a Lanczos filter; a blank image gives zeros.

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> from aekit.datasets.chars74k import glyph_to_array
    >>> page = Image.new("L", (90, 60), 255)
    >>> ImageDraw.Draw(page).rectangle([40, 10, 49, 49], fill=0)
    >>> glyph = glyph_to_array(page, size=8)
    >>> glyph.shape, float(glyph.max()) > 0.9, float(glyph[:, 0].max()) < 0.1
    ((8, 8), True, True)
    """
    from PIL import Image, ImageOps

    ink = ImageOps.invert(image.convert("L"))  # ink = 255, paper = 0; all in C, a 1200x900 scan in ms
    box = ink.point(lambda v: 255 if v > INK_THRESHOLD * 255 else 0).getbbox()
    if box is None:
        return np.zeros((size, size), dtype=np.float32)
    ink = ink.crop(box)
    side = max(ink.size)
    square = Image.new("L", (side, side), 0)
    square.paste(ink, ((side - ink.width) // 2, (side - ink.height) // 2))
    resized = square.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(resized, dtype=np.float32) / 255.0


def _read(path: Path, size: int) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return glyph_to_array(image, size)
    except (OSError, UnidentifiedImageError, SyntaxError) as error:
        raise DatasetError(f"chars74k: cannot read the image {path} ({error}). Replace or delete it.") from None


def _csv_layout(root: Path) -> list[tuple[Path, str]]:
    table = root / "english.csv"
    with open(table, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["image", "label"]:
        raise DatasetError(f"chars74k: {table} must start with the header 'image,label'; got {rows[0] if rows else 'an empty file'}.")
    listed: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 2 or row[1].strip() not in CHARS74K_CLASSES:
            raise DatasetError(
                f"chars74k: {table} line {number}: expected 'image,label' with a label in 0-9, A-Z, a-z; got {row}."
            )
        listed[Path(row[0].strip()).as_posix()] = row[1].strip()
    images = sorted(p for p in (root / "Img").rglob("*") if p.suffix.lower() == ".png")
    for path in images:
        if path.relative_to(root).as_posix() not in listed:
            raise DatasetError(
                f"chars74k: {path} has no row in {table}; every image needs an 'image,label' row "
                f"('{path.relative_to(root).as_posix()},<label>'). Add the row or remove the image."
            )
    return [(root / name, label) for name, label in listed.items()]


def _sample_layout(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for sample in sorted(folder.glob("Sample*")):
        try:
            number = int(sample.name[len("Sample"):])
        except ValueError:
            number = 0
        if not sample.is_dir() or not 1 <= number <= len(CHARS74K_CLASSES):
            raise DatasetError(
                f"chars74k: {sample} is not one of Sample001..Sample062 (the 62 classes 0-9, A-Z, a-z). Remove it."
            )
        label = CHARS74K_CLASSES[number - 1]
        found += [(p, label) for p in sorted(sample.iterdir()) if p.suffix.lower() == ".png"]
    return found


def load_chars74k(path: str | os.PathLike | None = None, image_size: int = 28) -> Bunch:
    """The handwritten characters of Chars74K from a local folder, in either layout.

    Parameters
    ----------
    path : path
        A folder with ``english.csv`` and ``Img/``, or with ``Sample001/``..``Sample062/``
        (directly, or under ``Img/`` or ``English/Hnd/Img/``).
    image_size : int, default=28
        Side of the square images returned.

    Returns
    -------
    Bunch
        ``data`` (n, image_size**2) float32 ink in [0, 1]; ``images``; ``target`` the class
        index (0-61); ``labels`` the characters; ``image_shape``; ``files``.

    Examples
    --------
    >>> from aekit.datasets import load_chars74k
    >>> chars = load_chars74k("~/data/english-handwritten")  # doctest: +SKIP
    >>> chars.data.shape, len(set(chars.labels))  # doctest: +SKIP
    ((3410, 784), 62)
    """
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 4:
        raise DatasetError(f"image_size must be a whole number of pixels >= 4; got {image_size!r}.")
    if path is None:
        raise DatasetError(
            "chars74k: path is required: this set is never downloaded (its terms do not allow shipping it). "
            "Fix: download EnglishHnd yourself and pass path= (aekit run ... --data DIR)."
        )
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DatasetError(f"chars74k: {root} is not a folder; pass the folder holding english.csv and Img/, or Sample001/...")
    if (root / "english.csv").is_file():
        entries = _csv_layout(root)
    else:
        folder = next((root / sub for sub in _SAMPLE_ROOTS if (root / sub / "Sample001").is_dir()), None)
        if folder is None:
            raise DatasetError(
                f"chars74k: {root} has neither english.csv (with Img/) nor Sample001/ (directly, in Img/ or in "
                "English/Hnd/Img/). Expected one of Chars74K's two layouts; pass the folder that holds them."
            )
        entries = _sample_layout(folder)
    if not entries:
        raise DatasetError(f"chars74k: no PNG images found under {root}; expected the EnglishHnd images.")
    for file, _ in entries:
        if not file.is_file():
            raise DatasetError(f"chars74k: {file} is listed but does not exist. Restore the image or remove its row.")
    images = np.stack([_read(file, image_size) for file, _ in entries])
    labels = np.asarray([label for _, label in entries])
    index = {c: i for i, c in enumerate(CHARS74K_CLASSES)}
    return Bunch(
        data=images.reshape(len(images), -1),
        images=images,
        target=np.asarray([index[c] for c in labels], dtype=np.int64),
        labels=labels,
        target_names=list(CHARS74K_CLASSES),
        image_shape=(image_size, image_size),
        files=[str(file) for file, _ in entries],
        DESCR=(f"Chars74K EnglishHnd handwritten characters from {root}: greyscale, ink = 1, cropped to the ink, "
               f"padded square, resized to {image_size}x{image_size}"),
    )
