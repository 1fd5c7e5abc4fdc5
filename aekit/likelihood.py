"""Marginal log-likelihood of a VAE, estimated by importance sampling.

The importance-weighted estimate of Burda, Grosse & Salakhutdinov (2016, eq. 8), with the
encoder's q(z|x) as the proposal::

    log p(x) ~ log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x),   z_i ~ q(z|x) = N(mu(x), diag(exp(logvar(x))))

It is a lower bound in expectation that tightens as k grows (k = 1 gives the ELBO); the IWAE
paper reports test negative log-likelihoods with k = 5000, the default here. The decoder is a
product of Bernoullis (``loss="bce"``), so the data must be binary: the number is then the
log-probability, in nats, of the binary image.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from aekit.models import Autoencoder

__all__ = ["importance_sampled_log_likelihood"]

_LOG_2PI = math.log(2.0 * math.pi)
_ROWS_PER_CHUNK = 20_000  # decoder rows per forward pass: 20,000 x 784 logits are 63 MB


def importance_sampled_log_likelihood(
    model: Autoencoder,
    x: torch.Tensor,
    n_samples: int = 5000,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """log p(x) per row of ``x`` (n, ...) in nats, float64, by ``n_samples`` importance samples.

    ``model`` must have a gaussian latent head and a sigmoid output; ``x`` binary.
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            stats = model.encode(x).stats
            mu, logvar = stats["mu"], stats["logvar"]
            n, latent_dim = mu.shape
            flat_x = x.reshape(n, -1)
            per_chunk = max(1, min(n_samples, _ROWS_PER_CHUNK // n))
            total = torch.full((n,), -math.inf, dtype=torch.float64, device=mu.device)  # running log sum of weights
            for start in range(0, n_samples, per_chunk):
                k = min(per_chunk, n_samples - start)
                eps = torch.randn((k, n, latent_dim), generator=generator, device=mu.device, dtype=mu.dtype)
                z = mu + torch.exp(0.5 * logvar) * eps
                logits = model.decode_logits(z.reshape(k * n, latent_dim)).reshape(k, n, -1)
                # log Bernoulli(x | sigmoid(l)) = x * l - softplus(l), summed over pixels
                log_px_z = (logits * flat_x).sum(-1) - F.softplus(logits).sum(-1)
                log_pz = -0.5 * (z.square() + _LOG_2PI).sum(-1)
                log_qz = -0.5 * (eps.square() + logvar + _LOG_2PI).sum(-1)
                total = torch.logaddexp(total, torch.logsumexp((log_px_z + log_pz - log_qz).double(), dim=0))
            return total - math.log(n_samples)
    finally:
        model.train(was_training)
