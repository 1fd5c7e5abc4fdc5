"""Latent heads: map encoder features to the code, and say what kind of code it is.

Each head returns a :class:`LatentOutput`; in eval mode ``z`` is the code a user gets from
``transform`` (the mean for the gaussian head, hard bits for the binary head). Each head class
declares its :class:`LatentTraits`; the builder, the applications and the CLI ask those, never
the head's name, so a new latent type is one class here plus ``@register_latent``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from scipy.stats import norm
from torch import nn

from aekit.errors import check_choice
from aekit.layers.dense import DenseStack

__all__ = [
    "BERNOULLI_PRIOR",
    "LATENTS",
    "NORMAL_PRIOR",
    "BinaryLatent",
    "DeterministicLatent",
    "GaussianLatent",
    "NoisySigmoidLatent",
    "StochasticBinaryLatent",
    "LatentOutput",
    "LatentTraits",
    "Prior",
    "latent_head",
    "register_latent",
]


@dataclass(frozen=True)
class Prior:
    """A distribution over codes that a head is trained towards, drawn from in numpy.

    ``draw(rng, n, latent_dim)`` returns (n, latent_dim) codes; ``quantile(q)`` the marginal
    quantiles of a continuous prior (None for a discrete one); ``spherical``: interpolate on
    great circles (norms of high-dimensional Gaussian draws concentrate; White 2016).
    """

    name: str
    draw: Callable[[np.random.RandomState, int, int], np.ndarray]
    quantile: Callable[[np.ndarray], np.ndarray] | None = None
    spherical: bool = False


NORMAL_PRIOR = Prior("normal", lambda rng, n, d: rng.standard_normal((n, d)), norm.ppf, spherical=True)
BERNOULLI_PRIOR = Prior("bernoulli", lambda rng, n, d: rng.randint(0, 2, size=(n, d)).astype(float))


@dataclass(frozen=True)
class LatentTraits:
    """What a latent head is, for the parts that build, train and use it.

    stochastic : z is sampled in training (a new draw at every forward pass).
    prior : the distribution codes are trained towards, or None (no prior: generation fits
        one to the training codes).
    regulariser : the objective term the head brings (``"kl"``, weighted by ``beta``), or None.
    scipy_refusal : why a full-batch scipy solver cannot train this head, or None when it can.
    bits : the codes are 0/1 bits (hashing uses them as they are).
    smooth_code : z is a smooth deterministic function of x, so penalties on the code's values
        (sparsity, L1) and its Jacobian (contractive) apply.
    """

    stochastic: bool = False
    prior: Prior | None = None
    regulariser: str | None = None
    scipy_refusal: str | None = None
    bits: bool = False
    smooth_code: bool = False


LATENTS: dict[str, type[nn.Module]] = {}


def register_latent(cls: type[nn.Module]) -> type[nn.Module]:
    """Class decorator: make a head available as ``latent=cls.kind``.

    A head takes ``(in_features, latent_dim, activation)``, returns a :class:`LatentOutput`
    and declares ``kind`` and ``traits``.
    """
    if not isinstance(getattr(cls, "traits", None), LatentTraits) or not isinstance(getattr(cls, "kind", None), str):
        raise TypeError(f"{cls.__name__} must declare a str kind and LatentTraits traits to be registered")
    LATENTS[cls.kind] = cls
    return cls


def latent_head(name: str, parameter: str = "latent") -> type[nn.Module]:
    """The registered head class called ``name`` (a ConfigError names the choices otherwise)."""
    return LATENTS[check_choice(parameter, name, LATENTS)]


@dataclass(frozen=True)
class LatentOutput:
    """``z`` (B, latent_dim) goes to the decoder; ``stats`` holds what regularisers need."""

    z: torch.Tensor
    stats: dict[str, torch.Tensor] = field(default_factory=dict)


@register_latent
class DeterministicLatent(nn.Module):
    """``z = f(W h + b)``: the classic code layer, with its own activation."""

    kind = "deterministic"
    traits = LatentTraits(smooth_code=True)

    def __init__(self, in_features: int, latent_dim: int, activation: str = "linear"):
        super().__init__()
        self.layer = DenseStack([in_features, latent_dim], [activation])

    def forward(self, h: torch.Tensor) -> LatentOutput:
        return LatentOutput(self.layer(h))


@register_latent
class GaussianLatent(nn.Module):
    """VAE head: q(z|x) = N(mu, diag(exp(logvar))), sampled by reparameterisation in training.

    Kingma & Welling 2014, eq. 10: z = mu + sigma * eps, eps ~ N(0, I). ``activation`` is
    ignored (the mean and log-variance are linear).
    """

    kind = "gaussian"
    traits = LatentTraits(
        stochastic=True, prior=NORMAL_PRIOR, regulariser="kl",
        scipy_refusal="a gaussian latent samples z at every evaluation",
    )

    def __init__(self, in_features: int, latent_dim: int, activation: str = "linear"):
        super().__init__()
        self.mu = nn.Linear(in_features, latent_dim)
        self.logvar = nn.Linear(in_features, latent_dim)

    def forward(self, h: torch.Tensor) -> LatentOutput:
        mu, logvar = self.mu(h), self.logvar(h).clamp(-30.0, 20.0)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return LatentOutput(z, {"mu": mu, "logvar": logvar})


@register_latent
class BinaryLatent(nn.Module):
    """Binary code for semantic hashing: ``p = sigmoid(BN(W h))``, ``z = 1[p > 0.5]``.

    Gradients pass straight through the threshold (Bengio et al. 2013): the forward value is
    the hard bit, the backward gradient is that of ``p``. The pre-activations are batch-
    normalised without scale or shift, so each bit is on for about half of the data: without
    it, bits saturated to the same value for every sample (a single code for all of MNIST
    with bce) and their gradients vanished. Balanced bits make fair coins its prior.
    ``activation`` is ignored.
    """

    kind = "binary"
    traits = LatentTraits(
        prior=BERNOULLI_PRIOR, bits=True, scipy_refusal="a binary code makes the objective piecewise constant",
    )

    def __init__(self, in_features: int, latent_dim: int, activation: str = "linear"):
        super().__init__()
        self.layer = nn.Linear(in_features, latent_dim)
        self.norm = nn.BatchNorm1d(latent_dim, affine=False)

    def forward(self, h: torch.Tensor) -> LatentOutput:
        a = self.layer(h)
        if self.training and len(a) == 1:  # batch statistics need two samples or more
            a = nn.functional.batch_norm(a, self.norm.running_mean, self.norm.running_var, training=False)
        else:
            a = self.norm(a)
        p = torch.sigmoid(a)
        bits = (p > self._threshold(p)).to(p.dtype)
        z = p + (bits - p).detach()
        return LatentOutput(z, {"probs": p})

    def _threshold(self, p: torch.Tensor) -> torch.Tensor | float:
        return 0.5


@register_latent
class StochasticBinaryLatent(BinaryLatent):
    """Stochastic binary neurons: in training each bit is drawn, ``z ~ Bernoulli(p)``; in eval ``z = 1[p > 0.5]``.

    The head of :class:`BinaryLatent` (``p = sigmoid(BN(W h))``) with the bit sampled as
    ``1[p > u]``, ``u ~ U(0, 1)``, at every training step, and the gradient of ``p`` passed
    straight through (Dai et al. 2017, stochastic generative hashing; Raiko et al. 2015); the eval
    code is the most likely bit. The pre-activations keep unit variance (batch normalisation
    without scale), so the sampling noise cannot be learned away: the decoder must reconstruct
    from bits that flip now and then, a regulariser on the code. A
    learnable gain that let the bits saturate helped 16-bit codes and cost 32- and 64-bit ones
    (docs/benchmarks.md, issue 15).
    """

    kind = "stochastic_binary"
    traits = LatentTraits(
        stochastic=True, prior=BERNOULLI_PRIOR, bits=True,
        scipy_refusal="stochastic bits are drawn at every evaluation",
    )

    def _threshold(self, p: torch.Tensor) -> torch.Tensor | float:
        return torch.rand_like(p) if self.training else 0.5



@register_latent
class NoisySigmoidLatent(nn.Module):
    """Semantic hashing's code layer: ``z = sigmoid(W h + b + e)``, ``e ~ N(0, 16^2)`` in training only.

    Salakhutdinov & Hinton (2009) add Gaussian noise to the code's pre-activations while
    fine-tuning, so the decoder can only read what survives the noise: the code units learn to
    sit far into the sigmoid's tails, and thresholding them at 0.5 loses little. The ruta
    showcase's hashing network puts ``layer_noise("gaussian", 16)`` right before its sigmoid
    code of 10 units: that sd, 16, is :attr:`NOISE_SD`. In eval mode the code is the plain
    sigmoid (threshold it at 0.5 for bits). ``activation`` is ignored (the code is a sigmoid).
    """

    kind = "noisy_sigmoid"
    NOISE_SD = 16.0
    traits = LatentTraits(stochastic=True, scipy_refusal="gaussian noise is drawn at every evaluation")

    def __init__(self, in_features: int, latent_dim: int, activation: str = "sigmoid"):
        super().__init__()
        self.layer = nn.Linear(in_features, latent_dim)

    def forward(self, h: torch.Tensor) -> LatentOutput:
        a = self.layer(h)
        if self.training:
            a = a + self.NOISE_SD * torch.randn_like(a)
        return LatentOutput(torch.sigmoid(a))
