"""Binarised images for Bernoulli likelihoods (VAEs on MNIST): fixed, or resampled every epoch.

A grey level p in [0, 1] is read as the probability that the pixel is on. The *fixed*
binarisation draws x ~ Bernoulli(p) once (Salakhutdinov & Murray 2008; Larochelle & Murray
2011 publish such a draw) or thresholds p; the *dynamic* one draws a new x every epoch, which
acts as data augmentation and lowers overfitting of the likelihood (Burda et al. 2016, sec. 5).
"""

from __future__ import annotations

from collections.abc import Iterator

import os

import numpy as np
import torch
from sklearn.utils import Bunch

from aekit.datasets.idx import load_mnist
from aekit.errors import DataError, check_choice
from aekit.train.batches import InMemorySource

__all__ = ["DynamicBinarization", "binarize", "load_binarized_mnist"]


def _probabilities(data: np.ndarray | torch.Tensor, parameter: str) -> None:
    low, high = float(data.min()), float(data.max())
    if low < 0 or high > 1:
        raise DataError(
            f"{parameter} must hold probabilities in [0, 1] to binarise; got values in "
            f"[{low:g}, {high:g}]. Scale the data to [0, 1] first (pixels / 255)."
        )


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
    _probabilities(data, "data")
    if method == "threshold":
        return (data > threshold).astype(np.float32)
    rng = np.random.default_rng(random_state)
    return (rng.random(data.shape) < data).astype(np.float32)


class DynamicBinarization:
    """A batch source that draws a fresh binarisation x ~ Bernoulli(data) for every batch.

    Every epoch (every call of :meth:`batches`) sees new binary images; inputs and targets are
    the same draw. The draws come from a generator seeded by ``random_state``. Pass it to
    ``AutoencoderEstimator.fit`` in place of X. Images are flattened to rows of
    ``n_features`` values (dense models).

    Examples
    --------
    >>> import torch
    >>> from aekit.datasets import DynamicBinarization
    >>> source = DynamicBinarization(torch.full((4, 3), 0.5), random_state=0)
    >>> first = next(source.batches(4, None))[0]
    >>> second = next(source.batches(4, None))[0]
    >>> sorted(set(first.flatten().tolist())), bool((first != second).any())
    ([0.0, 1.0], True)
    """

    def __init__(
        self,
        data: np.ndarray | torch.Tensor,
        device: str | torch.device = "cpu",
        random_state: int | None = None,
    ):
        inputs = torch.as_tensor(np.asarray(data, dtype=np.float32), device=device)
        _probabilities(inputs, "data")
        self.inputs = inputs.reshape(len(inputs), -1)  # flat rows, as dense models take them
        self.n_samples, self.n_features = self.inputs.shape
        self._generator = torch.Generator(device=inputs.device)
        if random_state is None:
            self._generator.seed()
        else:
            self._generator.manual_seed(random_state)

    def batches(
        self, batch_size: int, generator: torch.Generator | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for probabilities, _ in InMemorySource(self.inputs).batches(batch_size, generator):
            x = torch.bernoulli(probabilities, generator=self._generator)
            yield x, x


def load_binarized_mnist(
    subset: str = "train",
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    random_state: int = 0,
) -> Bunch:
    """MNIST fixed-binarised: one Bernoulli draw per pixel, seeded by ``random_state``.

    Parameters are those of :func:`~aekit.datasets.load_mnist`, plus ``random_state``, the seed
    of the draw (the same seed gives the same binary images). For a draw per epoch, train on
    ``DynamicBinarization(load_mnist().data)`` instead.

    Returns
    -------
    Bunch
        As :func:`~aekit.datasets.load_mnist`, with ``data`` and ``images`` in {0, 1}.

    Examples
    --------
    >>> from aekit.datasets import load_binarized_mnist
    >>> binary = load_binarized_mnist("test", data_dir="/work/shared/data/mnist")  # doctest: +SKIP
    >>> sorted(set(binary.data.ravel().tolist()))  # doctest: +SKIP
    [0.0, 1.0]
    """
    mnist = load_mnist(subset, data_dir, download)
    mnist.data = binarize(mnist.data, random_state=random_state)
    mnist.images = mnist.data.reshape(len(mnist.data), *mnist.image_shape)
    mnist.DESCR += f"; binarised by one Bernoulli draw (random_state={random_state})"
    return mnist
