"""Binarised images for Bernoulli likelihoods (VAEs on MNIST): fixed, or resampled every epoch.

A grey level p in [0, 1] is read as the probability that the pixel is on. The *fixed*
binarisation draws x ~ Bernoulli(p) once (Salakhutdinov & Murray 2008; Larochelle & Murray
2011 publish such a draw) or thresholds p; the *dynamic* one draws a new x every epoch, which
acts as data augmentation and lowers overfitting of the likelihood (Burda et al. 2016, sec. 5).
"""

from __future__ import annotations

import os

import numpy as np
from sklearn.utils import Bunch

from aekit.datasets.idx import load_mnist
from aekit.errors import check_choice, check_probabilities

__all__ = ["binarize", "load_binarized_mnist"]


def binarize(
    data: np.ndarray,
    method: str = "bernoulli",
    threshold: float = 0.5,
    random_state: int | None = None,
) -> np.ndarray:
    """A fixed binarisation of ``data`` in [0, 1]: one Bernoulli draw, or a threshold.

    Parameters
    ----------
    data : ndarray
        Grey levels in [0, 1], any shape.
    method : {"bernoulli", "threshold"}
        Draw each pixel on with probability equal to its grey level, or switch on the pixels
        above ``threshold``.
    threshold : float
        The cut of ``method="threshold"``.
    random_state : int, optional
        Seed of the Bernoulli draw.

    Returns
    -------
    ndarray
        float32 in {0, 1}, the shape of ``data``.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.datasets import binarize
    >>> binarize(np.array([[0.2, 0.7, 1.0]]), method="threshold")
    array([[0., 1., 1.]], dtype=float32)
    >>> binarize(np.full((1, 4), 0.5), random_state=0).tolist()
    [[0.0, 1.0, 1.0, 1.0]]
    """
    method = check_choice("method", method, ["bernoulli", "threshold"])
    data = np.asarray(data)
    check_probabilities(data, "data")
    if method == "threshold":
        return (data > threshold).astype(np.float32)
    rng = np.random.default_rng(random_state)
    return (rng.random(data.shape) < data).astype(np.float32)


def load_binarized_mnist(
    subset: str = "train",
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    random_state: int = 0,
) -> Bunch:
    """MNIST fixed-binarised: one Bernoulli draw per pixel, seeded by ``random_state``.

    Parameters are those of :func:`~aekit.datasets.load_mnist`, plus ``random_state``, the seed
    of the draw (the same seed gives the same binary images). For a draw per epoch, train on
    ``aekit.train.DynamicBinarization(load_mnist().data)`` instead.

    Returns
    -------
    Bunch
        As :func:`~aekit.datasets.load_mnist`, with ``data`` and ``images`` in {0, 1}.

    Examples
    --------
    >>> from aekit.datasets import load_binarized_mnist
    >>> binary = load_binarized_mnist("test", data_dir="../shared/data/mnist")  # doctest: +SKIP
    >>> sorted(set(binary.data.ravel().tolist()))  # doctest: +SKIP
    [0.0, 1.0]
    """
    mnist = load_mnist(subset, data_dir, download)
    mnist.data = binarize(mnist.data, random_state=random_state)
    mnist.images = mnist.data.reshape(len(mnist.data), *mnist.image_shape)
    mnist.DESCR += f"; binarised by one Bernoulli draw (random_state={random_state})"
    return mnist
