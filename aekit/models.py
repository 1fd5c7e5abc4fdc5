"""One autoencoder composed from an encoder, a latent head and a decoder.

There is no class per variant: a VAE is this model with a gaussian head plus a KL term in the
objective, a contractive AE is a deterministic head plus a Jacobian term, and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from aekit.layers.activations import get_activation
from aekit.layers.conv import ConvDecoder, ConvEncoder
from aekit.layers.dense import mlp
from aekit.layers.embedding import EmbeddedInput
from aekit.layers.fullconv import ConvLayer, ConvStack, FeatureMapDecoder, FeatureMapLatent, feature_map_shape
from aekit.layers.init import initialize_weights
from aekit.layers.latent import LatentOutput, latent_head

__all__ = ["AEOutput", "Autoencoder", "ModelSpec", "build_autoencoder", "fully_conv_layers"]


@dataclass(frozen=True)
class AEOutput:
    """What a forward pass returns.

    ``logits`` are the decoder's pre-activation outputs (bce works on them for numerical
    stability), ``x_hat = output_activation(logits)``; ``z`` the code; ``stats`` the latent
    head's extras (``mu``/``logvar`` for a VAE).
    """

    logits: torch.Tensor
    x_hat: torch.Tensor
    z: torch.Tensor
    stats: dict[str, torch.Tensor] = field(default_factory=dict)


class Autoencoder(nn.Module):
    """``x -> encoder -> latent head -> decoder -> output activation``.

    Examples
    --------
    >>> spec = ModelSpec(input_shape=(35,), hidden_sizes=(20,), latent_dim=2)
    >>> model = build_autoencoder(spec)
    >>> out = model(torch.zeros(4, 35))
    >>> out.z.shape, out.x_hat.shape
    (torch.Size([4, 2]), torch.Size([4, 35]))
    """

    def __init__(self, encoder: nn.Module, latent: nn.Module, decoder: nn.Module, output_activation: str = "linear"):
        super().__init__()
        self.encoder = encoder
        self.latent = latent
        self.decoder = decoder
        self.output_activation = get_activation(output_activation, "output_activation").name
        self.output = get_activation(output_activation).module()

    def encode(self, x: torch.Tensor) -> LatentOutput:
        return self.latent(self.encoder(x))

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.output(self.decoder(z))

    def decode_output(self, latent: LatentOutput) -> AEOutput:
        """The decoder's half of :meth:`forward`, from a latent head's output."""
        logits = self.decoder(latent.z)
        return AEOutput(logits, self.output(logits), latent.z, latent.stats)

    def forward(self, x: torch.Tensor) -> AEOutput:
        return self.decode_output(self.encode(x))


@dataclass(frozen=True)
class ModelSpec:
    """Everything needed to build an :class:`Autoencoder` (and to rebuild it when loading).

    ``hidden_sizes`` and ``activations`` describe the encoder between input and code;
    the decoder mirrors them unless ``decoder_sizes``/``decoder_activations`` are given.
    For ``architecture="conv"``, ``input_shape`` is (C, H, W) and ``channels`` lists the
    encoder's conv channels (the decoder mirrors them).
    For ``architecture="fully-conv"`` the code is the encoder's last feature map: ``channels``
    are the encoder's layers (the last is the code layer, with ``latent_activation``),
    ``decoder_channels`` the decoder's hidden layers (an output conv to the image's channels
    follows), ``resampling`` one entry per conv layer of the whole network, and ``latent_dim``
    the flattened code's size C*H*W (see :func:`fully_conv_layers`).
    A dense network may take integer-coded input slots through learned embeddings
    (``embedded``: (slot, n_categories, dim) each, see :class:`~aekit.layers.embedding.EmbeddedInput`)
    and output ``output_features`` logits instead of one per input slot (a mixed-type table's
    embedded category is one input slot but one logit per category).
    """

    input_shape: tuple[int, ...]
    hidden_sizes: tuple[int, ...] = (64,)
    activations: tuple[str, ...] | str = "relu"
    latent_dim: int = 2
    latent: str = "deterministic"
    latent_activation: str = "linear"
    decoder_sizes: tuple[int, ...] | None = None
    decoder_activations: tuple[str, ...] | str | None = None
    output_activation: str = "linear"
    dropout: float = 0.0
    architecture: str = "dense"
    channels: tuple[int, ...] = (16, 32)
    downsampling: str = "stride"
    upsampling: str = "transpose"
    weight_init: str = "glorot"
    resampling: tuple[str, ...] | None = None
    decoder_channels: tuple[int, ...] | None = None
    embedded: tuple[tuple[int, int, int], ...] = ()
    output_features: int | None = None


def _per_layer(activations: Sequence[str] | str, n: int) -> list[str]:
    return [activations] * n if isinstance(activations, str) else list(activations)


def _latent_head(spec: ModelSpec, in_features: int) -> nn.Module:
    return latent_head(spec.latent)(in_features, spec.latent_dim, spec.latent_activation)


def build_autoencoder(spec: ModelSpec) -> Autoencoder:
    """Build the model a :class:`ModelSpec` describes (parameters drawn from torch's global RNG)."""
    return initialize_weights(_build_layers(spec), spec.weight_init)


def fully_conv_layers(spec: ModelSpec) -> tuple[list[ConvLayer], list[ConvLayer]]:
    """The encoder's and the decoder's :class:`ConvLayer` lists of a ``fully-conv`` spec.

    Examples
    --------
    >>> spec = ModelSpec(input_shape=(1, 28, 28), architecture="fully-conv", channels=(16, 16),
    ...                  decoder_channels=(), resampling=("upsample", "pool", "none"),
    ...                  latent_activation="relu", latent_dim=16 * 28 * 28)
    >>> encoder, decoder = fully_conv_layers(spec)
    >>> [(layer.channels, layer.resampling, layer.activation) for layer in encoder + decoder]
    [(16, 'upsample', 'relu'), (16, 'pool', 'relu'), (1, 'none', 'linear')]
    """
    act = spec.activations if isinstance(spec.activations, str) else spec.activations[0]
    enc_channels, dec_channels = list(spec.channels), list(spec.decoder_channels or ())
    n_enc = len(enc_channels)
    acts = [act] * (n_enc - 1) + [spec.latent_activation] + [act] * len(dec_channels) + ["linear"]
    layers = [
        ConvLayer(c, r, a)
        for c, r, a in zip([*enc_channels, *dec_channels, spec.input_shape[0]], spec.resampling, acts, strict=True)
    ]
    return layers[:n_enc], layers[n_enc:]


def _build_fully_conv(spec: ModelSpec) -> Autoencoder:
    enc_layers, dec_layers = fully_conv_layers(spec)
    encoder = ConvStack(spec.input_shape[0], enc_layers, spec.dropout)
    decoder = FeatureMapDecoder(feature_map_shape(spec.input_shape, enc_layers), dec_layers, spec.input_shape)
    return Autoencoder(encoder, FeatureMapLatent(), decoder, spec.output_activation)


def _build_layers(spec: ModelSpec) -> Autoencoder:
    if spec.architecture == "fully-conv":
        return _build_fully_conv(spec)
    if spec.architecture == "conv":
        act = spec.activations if isinstance(spec.activations, str) else spec.activations[0]
        encoder = ConvEncoder(spec.input_shape, spec.channels, act, spec.downsampling, spec.dropout)
        decoder = ConvDecoder(
            spec.latent_dim, spec.input_shape, encoder.feature_shape,
            tuple(reversed(spec.channels)), act, spec.upsampling,
        )
        return Autoencoder(encoder, _latent_head(spec, encoder.out_features), decoder, spec.output_activation)

    n_in = spec.input_shape[0]
    front = EmbeddedInput(n_in, spec.embedded) if spec.embedded else None
    n_dense = front.out_features if front is not None else n_in
    hidden = list(spec.hidden_sizes)
    enc_acts = _per_layer(spec.activations, len(hidden))
    encoder = mlp([n_dense, *hidden], enc_acts, spec.dropout) if hidden else nn.Identity()
    if front is not None:
        encoder = front if not hidden else nn.Sequential(front, encoder)
    if spec.decoder_sizes is None:
        dec_hidden, dec_acts = list(reversed(hidden)), list(reversed(enc_acts))
    else:
        dec_hidden = list(spec.decoder_sizes)
        dec_acts = _per_layer(enc_acts[0] if enc_acts else "relu", len(dec_hidden))
    if spec.decoder_activations is not None:
        dec_acts = _per_layer(spec.decoder_activations, len(dec_hidden))
    # The decoder's last layer outputs logits; the output activation is the model's. Dropout
    # follows every hidden layer and the code (the decoder's input), never the logits.
    decoder = mlp(
        [spec.latent_dim, *dec_hidden, spec.output_features or n_in], [*dec_acts, "linear"], spec.dropout,
        dropout_last=False, dropout_first=True,
    )
    in_features = hidden[-1] if hidden else n_dense
    return Autoencoder(encoder, _latent_head(spec, in_features), decoder, spec.output_activation)
