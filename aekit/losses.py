"""Reconstruction losses, regularisers, and the Objective that weighs them.

Conventions: a reconstruction loss is computed per sample as a *sum over features* (so a VAE's
terms form the ELBO and "summed squared error per image" is the loss itself), then averaged
over the batch. Every regulariser carries an explicit weight; the Objective returns the total
and a dict of the weighted terms that sums to it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F
from torch import nn

from aekit.layers.dense import DenseStack
from aekit.layers.latent import DeterministicLatent, LatentOutput
from aekit.models import AEOutput, Autoencoder

__all__ = [
    "CONTRACTIVE_ESTIMATORS",
    "ELEMENTWISE_LOSSES",
    "RECONSTRUCTION_LOSSES",
    "REGULARISERS",
    "CodePathOutput",
    "JacobianRegulariser",
    "KLSparsity",
    "Objective",
    "ObjectiveValue",
    "Term",
    "code_path_forward",
    "contractive_penalty",
    "contractive_penalty_columns",
    "contractive_penalty_estimate",
    "dense_code_path",
    "gaussian_kl",
    "kl_sparsity",
    "per_element_loss",
    "per_sample_loss",
]


def _per_sample(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).sum(1)  # (B, ...) -> (B,)


def mse_elements(out: AEOutput, target: torch.Tensor) -> torch.Tensor:
    """Squared error per value, shaped like ``target``."""
    return (out.x_hat - target) ** 2


def bce_elements(out: AEOutput, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy per value, from logits (log-sum-exp stable)."""
    return F.binary_cross_entropy_with_logits(out.logits, target, reduction="none")


def correntropy_elements(out: AEOutput, target: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Correntropy-induced loss per value, robust to outliers.

    Qi et al. 2014 (robust AE): 1 - exp(-(x_i - x_hat_i)^2 / (2 sigma^2)); close to
    squared error / (2 sigma^2) for small residuals, bounded by 1 per feature for large ones.
    """
    return 1.0 - torch.exp(-((out.x_hat - target) ** 2) / (2.0 * sigma**2))


ELEMENTWISE_LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "mse": mse_elements,
    "bce": bce_elements,
    "correntropy": correntropy_elements,
}


def mse_loss(out: AEOutput, target: torch.Tensor) -> torch.Tensor:
    """Per-sample summed squared error."""
    return _per_sample(mse_elements(out, target))


def bce_loss(out: AEOutput, target: torch.Tensor) -> torch.Tensor:
    """Per-sample summed binary cross-entropy, from logits."""
    return _per_sample(bce_elements(out, target))


def correntropy_loss(out: AEOutput, target: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Per-sample summed correntropy-induced loss (Qi et al. 2014)."""
    return _per_sample(correntropy_elements(out, target, sigma))


RECONSTRUCTION_LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "mse": mse_loss,
    "bce": bce_loss,
    "correntropy": correntropy_loss,
}


def _mse_batch_mean(out: AEOutput, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(out.x_hat, target, reduction="sum") / len(target)


def _bce_batch_mean(out: AEOutput, target: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(out.logits, target, reduction="sum") / len(target)


# The batch mean of a per-sample sum is the sum over the batch / B: one fused kernel each way
# instead of square, per-sample sum and mean (measured: a fifth of a 784-64-784 step at batch 128).
_BATCH_MEANS: dict[str, Callable[[AEOutput, torch.Tensor], torch.Tensor]] = {
    "mse": _mse_batch_mean,
    "bce": _bce_batch_mean,
}


def per_sample_loss(out: AEOutput, target: torch.Tensor, loss: str = "mse", **params) -> torch.Tensor:
    """Reconstruction loss ``loss`` per sample, summed over its features: (B,)."""
    return RECONSTRUCTION_LOSSES[loss](out, target, **params)


def per_element_loss(out: AEOutput, target: torch.Tensor, loss: str = "mse", **params) -> torch.Tensor:
    """Reconstruction loss ``loss`` per value, shaped like ``target``; sums to :func:`per_sample_loss`."""
    return ELEMENTWISE_LOSSES[loss](out, target, **params)


# ---------------------------------------------------------------------------- regularisers
# Each takes (model, x, out) and returns a scalar already averaged over the batch.


def l1_activity(model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
    """Mean over samples of sum_j |z_j| (sparse code by an L1 activity penalty)."""
    return _per_sample(out.z.abs()).mean()


def kl_sparsity(z: torch.Tensor, rho: float) -> torch.Tensor:
    """sum_j KL(rho || rho_hat_j), rho_hat_j the batch-mean activation of code unit j.

    Ng, "Sparse autoencoder" lecture notes (2011), eq. for the sparsity penalty; needs z in (0, 1).
    """
    rho_hat = z.mean(0).clamp(1e-6, 1 - 1e-6)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Per-sample KL(N(mu, exp(logvar)) || N(0, I)) = -1/2 sum(1 + logvar - mu^2 - exp(logvar)).

    Kingma & Welling 2014, appendix B.
    """
    return -0.5 * _per_sample(1.0 + logvar - mu**2 - logvar.exp())


def vae_kl(model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
    return gaussian_kl(out.stats["mu"], out.stats["logvar"]).mean()


# ------------------------------------------------------------------ contractive (Jacobian) penalty
# For a dense code path z = f_L(a_L), a_k = W_k h_{k-1} + b_k, the encoder Jacobian is
# J = D_L W_L ... D_1 W_1 with D_k = diag(f_k'(a_k)) (Rifai et al. 2011, eq. 4), so the a_k of the
# training forward pass give it at no extra encoder pass: the regulariser runs that forward pass
# itself (:meth:`JacobianRegulariser.forward_pass`). Other encoders (conv) fall back to autograd.


@dataclass(frozen=True)
class CodePathOutput(AEOutput):
    """An :class:`~aekit.models.AEOutput` that also carries the dense code path's ``a_k``, (B, h_k) each."""

    preactivations: tuple[torch.Tensor, ...] = ()


def dense_code_path(model: Autoencoder) -> list[DenseStack] | None:
    """The dense stacks from input to code, when the code is a deterministic dense map of x."""
    if not isinstance(model.latent, DeterministicLatent):
        return None
    if isinstance(model.encoder, nn.Identity):
        return [model.latent.layer]
    if isinstance(model.encoder, DenseStack):
        return [model.encoder, model.latent.layer]
    return None


def _code_with_preactivations(path: list[DenseStack], x: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """The code and each a_k along a dense code path, without dropout (the eval-mode Jacobian's)."""
    h, pre = x, []
    for stack in path:
        h, a = stack.forward_with_preactivations(h)
        pre += a
    return h, tuple(pre)


def code_path_forward(model: Autoencoder, x: torch.Tensor) -> AEOutput:
    """``model(x)``, recording the dense code path's pre-activations when it has one without dropout.

    Same values as ``model(x)``; with dropout on the code path the penalty needs the
    deterministic Jacobian, so the plain (dropped-out) forward is returned and the penalty
    recomputes the a_k itself.
    """
    path = dense_code_path(model)
    if path is None or path[0].dropout is not None:
        return model(x)
    z, pre = _code_with_preactivations(path, x)
    out = model.decode_output(LatentOutput(z))
    return CodePathOutput(out.logits, out.x_hat, out.z, out.stats, pre)


def _dense_jacobian_factors(path: list[DenseStack], x: torch.Tensor, out: AEOutput) -> tuple[list[nn.Linear], list[torch.Tensor]]:
    """The layers W_k of a dense code path and the diagonals f_k'(a_k), each (B, h_k), of J = D_L W_L ... D_1 W_1."""
    linears = [lin for stack in path for lin in stack.linears]
    activations = [act for stack in path for act in stack.activations]
    pre = out.preactivations if isinstance(out, CodePathOutput) else _code_with_preactivations(path, x)[1]
    return linears, [act.derivative(a) for act, a in zip(activations, pre)]


class JacobianRegulariser:
    """A contractive estimator ``(model, x, out) -> scalar`` that also brings its training forward pass.

    Through :meth:`forward_pass`, :meth:`Objective.forward` runs :func:`code_path_forward` in
    place of ``model(x)`` while the term is active, so the estimator finds the pre-activations
    in ``out``; given any other ``out`` it recomputes them (one more encoder pass).
    """

    def __init__(self, estimate: Callable[[Autoencoder, torch.Tensor, AEOutput], torch.Tensor]):
        self.estimate = estimate
        functools.update_wrapper(self, estimate)

    def __call__(self, model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
        return self.estimate(model, x, out)

    def forward_pass(self, model: Autoencoder, x: torch.Tensor) -> AEOutput:
        return code_path_forward(model, x)

    def __reduce__(self) -> str:
        return self.__qualname__  # pickled by name, like the function it wraps

    def __repr__(self) -> str:
        return f"<JacobianRegulariser {self.__qualname__}>"


@JacobianRegulariser
def contractive_penalty(model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
    """Mean over samples of ||J_f(x)||_F^2, J the Jacobian of the code w.r.t. the input.

    Rifai et al. 2011, eq. 2. Exact. For a dense code path, J = D_L W_L ... D_1 W_1 is
    computed from the code end, so the cost is about latent_dim times a forward pass, and for
    one layer ||J||^2 = sum_j f'(a_j)^2 ||W_j||^2 (Rifai et al. 2011, eq. 4), a negligible
    cost. Other encoders (conv) fall back to one autograd pass per code unit.
    """
    path = dense_code_path(model)
    if path is None:
        return _autograd_jacobian_norm(model, x)
    linears, derivs = _dense_jacobian_factors(path, x, out)
    w1 = linears[0].weight  # (h_1, d)
    if len(linears) == 1:
        return (derivs[0] ** 2 @ (w1**2).sum(1)).mean()
    # P = D_L W_L D_{L-1} ... W_2, (B, dz, h_1), built from the code end.
    p = derivs[-1].unsqueeze(2) * linears[-1].weight  # (B, dz, h_{L-1})
    for lin, d in zip(reversed(linears[1:-1]), reversed(derivs[1:-1])):
        p = (p * d.unsqueeze(1)) @ lin.weight
    q = p * derivs[0].unsqueeze(1)  # (B, dz, h_1)
    if w1.shape[0] < w1.shape[1]:
        # ||Q W_1||_F^2 = sum (Q G) * Q with G = W_1 W_1^T: cheaper when h_1 < d.
        return ((q @ (w1 @ w1.T)) * q).sum((1, 2)).mean()
    return ((q @ w1) ** 2).sum((1, 2)).mean()


@JacobianRegulariser
def contractive_penalty_estimate(model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
    """Unbiased one-probe estimate of :func:`contractive_penalty`: the mean of ||J^T u||^2.

    Hutchinson (1990): for u with E[u u^T] = I, E||J^T u||^2 = trace(J J^T) = ||J||_F^2. One
    Rademacher probe u (B, latent_dim) per sample, drawn from torch's global RNG. J^T u is one
    vector-Jacobian product, i.e. a backward pass through the encoder: for a deep dense
    encoder this costs about one extra encoder pass where the exact norm costs latent_dim of
    them. The expected gradient is the exact penalty's; each step sees a noisy one.
    """
    code = out.z
    u = torch.randint(0, 2, code.shape, device=code.device, dtype=torch.int8).to(code.dtype).mul_(2).sub_(1)
    path = dense_code_path(model)
    if path is None:
        x = x.detach().requires_grad_(True)
        (vjp,) = torch.autograd.grad((model.encode(x).z * u).sum(), x, create_graph=True)
        return vjp.square().sum() / len(x)
    linears, derivs = _dense_jacobian_factors(path, x, out)
    # J^T u = W_1^T D_1 W_2^T ... D_L u, from the code end
    v = u
    for lin, d in zip(reversed(linears), reversed(derivs)):
        v = (v * d) @ lin.weight
    return v.square().sum(1).mean()


@JacobianRegulariser
def contractive_penalty_columns(model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
    """Unbiased estimate of :func:`contractive_penalty` from one sampled Jacobian column per sample.

    ||J||_F^2 = sum_k ||J e_k||^2 over the d input coordinates, so for k drawn uniformly
    E[d ||J e_k||^2] = ||J||_F^2 (Hutchinson's estimator with u = sqrt(d) e_k). Each sample
    draws its own k from torch's global RNG. For a dense encoder the column is
    J e_k = D_L W_L ... D_1 W_1[:, k]: the first layer, the widest product, is a gather
    of one weight column, and the rest is a forward pass of layers 2..L on one vector, so the
    term costs a small fraction of a training step however deep the encoder. Other encoders
    (conv) push the tangent e_k through the encoder in forward mode. The expected gradient is
    the exact penalty's; each step sees a noisier one than with ``"hutchinson"``.
    """
    n_features = x[0].numel()
    k = torch.randint(0, n_features, (len(x),), device=x.device)
    path = dense_code_path(model)
    if path is None:
        tangent = torch.zeros_like(x).flatten(1)
        tangent[torch.arange(len(x), device=x.device), k] = 1.0
        column = _forward_mode_jvp(model, x.detach(), tangent.view_as(x))
    else:
        linears, derivs = _dense_jacobian_factors(path, x, out)
        column = derivs[0] * linears[0].weight.index_select(1, k).T  # D_1 W_1 e_k, (B, h_1)
        for lin, d in zip(linears[1:], derivs[1:]):
            column = d * (column @ lin.weight.T)
    return n_features * column.square().sum(1).mean()


def _forward_mode_jvp(model: Autoencoder, x: torch.Tensor, tangent: torch.Tensor) -> torch.Tensor:
    """J_f(x) tangent per sample, (B, latent_dim), differentiable w.r.t. the model's parameters."""
    with fwAD.dual_level():
        code = model.encode(fwAD.make_dual(x, tangent)).z
        return fwAD.unpack_dual(code).tangent


def _autograd_jacobian_norm(model: Autoencoder, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    z = model.encode(x).z  # (B, dz); samples are independent, so d(sum_b z_bk)/dx_b = J_b[k]
    total = x.new_zeros(())
    for k in range(z.shape[1]):
        (row,) = torch.autograd.grad(z[:, k].sum(), x, create_graph=True)
        total = total + (row**2).sum()
    return total / len(x)


def weight_decay_penalty(model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
    """1/2 sum ||W||^2 over weight matrices and kernels (biases excluded)."""
    weights = [m.weight for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    return 0.5 * sum((w**2).sum() for w in weights)


# how the contractive term is computed: exactly, or by an unbiased one-probe estimate (a random
# code-space probe, or a random input coordinate)
CONTRACTIVE_ESTIMATORS = {
    "exact": contractive_penalty,
    "hutchinson": contractive_penalty_estimate,
    "columns": contractive_penalty_columns,
}

REGULARISERS: dict[str, Callable[[Autoencoder, torch.Tensor, AEOutput], torch.Tensor]] = {
    "l1": l1_activity,
    "kl": vae_kl,
    "weight_decay": weight_decay_penalty,
}


@dataclass(frozen=True)
class Term:
    """A weighted regulariser; ``warmup_epochs`` ramps the weight linearly from 0 (KL warm-up)."""

    weight: float
    fn: Callable[[Autoencoder, torch.Tensor, AEOutput], torch.Tensor]
    warmup_epochs: int = 0

    def weight_at(self, epoch: int | None) -> float:
        if self.warmup_epochs <= 0 or epoch is None:
            return self.weight
        return self.weight * min(1.0, (epoch + 1) / self.warmup_epochs)


@dataclass(frozen=True)
class ObjectiveValue:
    """``total`` is the scalar to minimise; ``terms`` the weighted parts, which sum to it."""

    total: torch.Tensor
    terms: dict[str, torch.Tensor]


@dataclass(frozen=True)
class Objective:
    """Reconstruction loss plus weighted regularisers.

    Examples
    --------
    >>> from aekit.models import ModelSpec, build_autoencoder
    >>> model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(4,), latent_dim=2))
    >>> objective = Objective("mse", {"contractive": Term(0.1, contractive_penalty)})
    >>> x = torch.rand(8, 6)
    >>> value = objective(model, x, x, objective.forward(model, x))
    >>> sorted(value.terms)
    ['contractive', 'reconstruction']
    >>> bool(torch.isclose(value.total, sum(value.terms.values())))
    True
    """

    reconstruction: str = "mse"
    terms: dict[str, Term] = field(default_factory=dict)
    loss_params: dict[str, float] = field(default_factory=dict)

    def per_sample_error(self, out: AEOutput, target: torch.Tensor) -> torch.Tensor:
        return per_sample_loss(out, target, self.reconstruction, **self.loss_params)

    def per_element_error(self, out: AEOutput, target: torch.Tensor) -> torch.Tensor:
        return per_element_loss(out, target, self.reconstruction, **self.loss_params)

    def forward(self, model: Autoencoder, x: torch.Tensor) -> AEOutput:
        """The forward pass to judge: ``model(x)``, unless an active term brings its own.

        A regulariser with a ``forward_pass(model, x)`` method (the contractive penalty's
        records the code path's pre-activations) runs the pass while its weight is non-zero,
        so it can reuse what the pass computed; the training drivers call this, not ``model(x)``.
        """
        for term in self.terms.values():
            if term.weight != 0.0 and hasattr(term.fn, "forward_pass"):
                return term.fn.forward_pass(model, x)
        return model(x)

    def __call__(
        self,
        model: Autoencoder,
        x: torch.Tensor,
        target: torch.Tensor,
        out: AEOutput,
        epoch: int | None = None,
    ) -> ObjectiveValue:
        batch_mean = _BATCH_MEANS.get(self.reconstruction)
        if batch_mean is not None and not self.loss_params:
            total = batch_mean(out, target)
        else:
            total = self.per_sample_error(out, target).mean()
        parts = {"reconstruction": total}
        for name, term in self.terms.items():
            weight = term.weight_at(epoch)
            if weight != 0.0:
                parts[name] = weight * term.fn(model, x, out)
                total = total + parts[name]  # not sum(): 0 + t would add one more op per step
        return ObjectiveValue(total, parts)


@dataclass(frozen=True)
class KLSparsity:
    """The KL-sparsity regulariser at target rate ``rho``, as a (model, x, out) callable."""

    rho: float

    def __post_init__(self):
        if not 0.0 < self.rho < 1.0:
            raise ValueError(f"sparsity_target must lie strictly between 0 and 1, got {self.rho}")

    def __call__(self, model: Autoencoder, x: torch.Tensor, out: AEOutput) -> torch.Tensor:
        return kl_sparsity(out.z, self.rho)
