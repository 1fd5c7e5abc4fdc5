"""Image folders with one sub-folder per class (the layout of "English Handwritten Characters")."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from aekit.errors import DatasetError, check_choice

__all__ = ["IMAGE_SUFFIXES", "load_image_folder"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".pgm", ".ppm")


def _read_image(path: Path, mode: str, size: tuple[int, int] | None) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert(mode)
            if size is not None and image.size != size:
                image = image.resize(size, Image.Resampling.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DatasetError(
            f"cannot read image {path} ({exc}); expected one of {list(IMAGE_SUFFIXES)}. "
            "Replace or remove the file."
        ) from exc


def load_image_folder(
    path: str | os.PathLike,
    image_shape: tuple[int, int] | None = None,
    color: str = "grayscale",
) -> Bunch:
    """Load ``path/<class>/<image>`` files; the sub-folder names are the labels.

    Parameters
    ----------
    path : path
        A folder holding one sub-folder per class (sorted by name to number the classes).
    image_shape : (height, width), optional
        Resize every image to this shape (bilinear). Required when the images differ in size.
    color : {"grayscale", "rgb"}
        Convert every image to one channel (luminance) or three.

    Returns
    -------
    Bunch
        ``data`` (n, height*width[*3]) float32 in [0, 1]; ``images`` (n, height, width[, 3]);
        ``target`` (n,) class index; ``labels`` (n,) class (sub-folder) names;
        ``target_names`` the classes; ``filenames``; ``image_shape``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from aekit.datasets import load_image_folder
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for label, value in [("dark", 0), ("light", 255)]:
    ...     (root / label).mkdir()
    ...     Image.new("L", (6, 4), value).save(root / label / "a.png")
    >>> folder = load_image_folder(root, image_shape=(2, 3))
    >>> folder.data.shape, folder.labels.tolist(), float(folder.data.max())
    ((2, 6), ['dark', 'light'], 1.0)
    """
    root = Path(path)
    color = check_choice("color", color, ["grayscale", "rgb"])
    if not root.is_dir():
        raise DatasetError(f"image folder {root} does not exist or is not a folder; check the path.")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    files = [
        (f, label)
        for label in classes
        for f in sorted((root / label).rglob("*"))
        if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not files:
        raise DatasetError(
            f"{root} holds no images in class sub-folders; expected {root}/<class>/<image> "
            f"files with a suffix in {list(IMAGE_SUFFIXES)}, one sub-folder per class."
        )
    size = None if image_shape is None else (int(image_shape[1]), int(image_shape[0]))  # PIL: (W, H)
    mode = "L" if color == "grayscale" else "RGB"
    images = np.empty(0, dtype=np.uint8)
    for i, (file, _) in enumerate(files):
        pixels = _read_image(file, mode, size)
        if i == 0:
            images = np.empty((len(files), *pixels.shape), dtype=np.uint8)
        elif pixels.shape != images.shape[1:]:
            raise DatasetError(
                f"{file} is {pixels.shape[1]}x{pixels.shape[0]} pixels but {files[0][0]} is "
                f"{images.shape[2]}x{images.shape[1]}; pass image_shape=(height, width) to resize "
                "every image to one shape."
            )
        images[i] = pixels
    scaled = images.astype(np.float32) / np.float32(255.0)
    index = {label: i for i, label in enumerate(classes)}
    target = np.asarray([index[label] for _, label in files], dtype=np.int64)
    return Bunch(
        data=scaled.reshape(len(scaled), -1),
        images=scaled,
        target=target,
        labels=np.asarray(classes)[target],
        target_names=classes,
        filenames=[str(f) for f, _ in files],
        image_shape=tuple(scaled.shape[1:]),
        DESCR=f"images of {root}, {len(classes)} classes, {color}, pixel values divided by 255",
    )
