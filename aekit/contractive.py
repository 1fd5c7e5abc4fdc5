"""The contractive penalty: the squared Frobenius norm of the encoder's Jacobian, exact or estimated.

Rifai et al. 2011 (contractive autoencoders). The machinery that computes it lives here and
nowhere else: finding the dense code path, recording its pre-activations, the Jacobian's
factors, and the forward pass that records them. A term built on one of
:data:`CONTRACTIVE_ESTIMATORS` brings that forward pass (:meth:`JacobianRegulariser.forward_pass`),
which :meth:`aekit.losses.Objective.forward` runs only while the term's weight is non-zero, so a
plain forward pass (``reconstruct``, any other model) records nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.autograd.forward_ad as fwAD
from torch import nn

from aekit.layers.dense import DenseStack
from aekit.layers.latent import DeterministicLatent, LatentOutput
from aekit.models import AEOutput, Autoencoder

__all__ = [
    "CONTRACTIVE_ESTIMATORS",
    "CodePathOutput",
    "JacobianRegulariser",
    "code_path_forward",
    "contractive_penalty",
    "contractive_penalty_columns",
    "contractive_penalty_estimate",
    "dense_code_path",
]


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


# how the contractive term is computed: exactly, or by an unbiased one-probe estimate (a random
# code-space probe, or a random input coordinate)
CONTRACTIVE_ESTIMATORS = {
    "exact": contractive_penalty,
    "hutchinson": contractive_penalty_estimate,
    "columns": contractive_penalty_columns,
}
