"""Greedy layer-wise pre-training of a stacked (denoising) autoencoder, then fine-tuning.

Hinton & Salakhutdinov 2006 (Science 313, "Reducing the dimensionality of data with neural
networks") pre-train a deep autoencoder one layer at a time; Vincent et al. 2010 (JMLR 11,
stacked denoising autoencoders) train each layer as a shallow denoising autoencoder on the
codes of the layer below. The pre-trained layers then initialise the deep model, which is
fine-tuned end to end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_random_state

from aekit.errors import ConfigError
from aekit.estimators.autoencoder import AutoencoderEstimator

__all__ = ["StackedResult", "pretrain_stacked"]

_SHAPE = ("hidden_sizes", "latent_dim", "layers", "layer_activations", "architecture")


@dataclass(frozen=True)
class StackedResult:
    """The fine-tuned deep ``estimator`` and the shallow ``layers`` it was initialised from."""

    estimator: AutoencoderEstimator
    layers: list[AutoencoderEstimator]


def pretrain_stacked(
    X: Any,
    hidden_sizes: Sequence[int],
    latent_dim: int,
    *,
    pretrain_iter: int = 50,
    target: Any = None,
    **params: Any,
) -> StackedResult:
    """Pre-train each layer as a shallow autoencoder on the codes below it, then fine-tune all.

    ``params`` are :class:`~aekit.AutoencoderEstimator` parameters of the deep model (and of
    each layer: ``noise`` makes them denoising autoencoders); ``max_iter`` is the fine-tuning
    budget, ``pretrain_iter`` each layer's.

    Examples
    --------
    >>> from aekit.datasets import load_digits
    >>> X = load_digits().data[:300]
    >>> result = pretrain_stacked(X, (32, 16), 4, pretrain_iter=3, max_iter=3, noise="masking",
    ...                           noise_level=0.2, random_state=0)
    >>> len(result.layers), result.estimator.transform(X).shape
    (3, (300, 4))
    """
    clash = [name for name in _SHAPE if name in params]
    if clash:
        raise ConfigError(
            f"pretrain_stacked sets the network's shape from hidden_sizes and latent_dim; got also {clash}. "
            "Fix: drop them (a dense stack is built from hidden_sizes and latent_dim)."
        )
    deep = AutoencoderEstimator(hidden_sizes=tuple(hidden_sizes), latent_dim=latent_dim, **params)
    sizes = [*deep.hidden_sizes, deep.latent_dim]
    rng = check_random_state(deep.random_state)
    activation = deep.activation
    codes, layers = X, []
    for k, size in enumerate(sizes):
        last, first = k == len(sizes) - 1, k == 0
        layer_params = {**deep.get_params(), "hidden_sizes": (), "latent_dim": size, "max_iter": pretrain_iter,
                        "random_state": int(rng.randint(np.iinfo(np.int32).max)),
                        "latent_activation": deep.latent_activation if last else activation}
        if not first:
            # Inner layers reconstruct the real-valued codes below them: squared error, and masking
            # noise where the deep model's noise assumes binary data (salt-and-pepper, bit flips).
            noise = deep.noise if deep.noise in (None, "gaussian", "masking") else "masking"
            layer_params.update(loss="mse", output_activation=activation, noise=noise)
        layer = AutoencoderEstimator(**layer_params).fit(codes, target=target if first else None)
        layers.append(layer)
        codes = layer.transform(codes)
    deep.fit(X, target=target, initial_state=_stack_state(layers))
    return StackedResult(deep, layers)


def _stack_state(layers: list[AutoencoderEstimator]) -> dict[str, torch.Tensor]:
    """Deep state dict from shallow layers: encoder k <- layer k's code layer, decoder L-1-k <- its decoder."""
    n = len(layers)
    state = {}
    for k, layer in enumerate(layers):
        shallow = layer.model_.state_dict()
        encoder = "latent.layer.linears.0" if k == n - 1 else f"encoder.linears.{k}"
        for part in ("weight", "bias"):
            state[f"{encoder}.{part}"] = shallow[f"latent.layer.linears.0.{part}"]
            state[f"decoder.linears.{n - 1 - k}.{part}"] = shallow[f"decoder.linears.0.{part}"]
    return state
