"""Batch normalisation as a training-time parametrisation, folded into the weights afterwards.

``AutoencoderEstimator(batch_norm=True)`` trains every dense layer but the output layer as
``BatchNorm1d(W x + b)`` (Ioffe & Szegedy 2015: each unit's pre-activation standardised over
the mini-batch, then scaled and shifted by a learned ``gamma`` and ``beta``), and when training
ends folds each normalisation into its layer: with the mean ``m`` and (biased) variance ``v``
of the unit's pre-activation over all training rows,

    W' = W * gamma / sqrt(v + eps),    b' = (b - m) * gamma / sqrt(v + eps) + beta,

so the fitted model is the plain network, layer for layer (same sizes, same activations, no
normalisation layer in it, in the saved file or in an ONNX export). With one full batch the
folded network computes exactly what the last training step saw.

What it changes is the optimisation: the loss no longer depends on the scale of a unit's
incoming weights, no unit can drift off its data (a ReLU keeps firing on part of the batch),
and Adam's steps act on the normalised pre-activations. On the font's narrow
[35,20,10,2,10,20,35] ReLU network this is the difference between 6-8 and 10 of 10 seeds at
0 wrong pixels within 300 epochs (docs/benchmarks.md, "Font on the deeper networks").

:func:`attach_batch_norm` starts each normalisation at the statistics of a sample (``gamma``
its standard deviation, ``beta`` its mean), so attaching does not change what the network
computes on that sample; :func:`fold_batch_norm` folds them back.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

__all__ = ["BatchNormLinear", "attach_batch_norm", "fold_batch_norm"]


class BatchNormLinear(nn.Linear):
    """``nn.Linear`` followed by ``nn.BatchNorm1d`` over its outputs (a layer while it trains)."""

    def __init__(self, linear: nn.Linear):
        super().__init__(linear.in_features, linear.out_features, linear.bias is not None,
                         device=linear.weight.device, dtype=linear.weight.dtype)  # fmt: skip
        with torch.no_grad():
            self.weight.copy_(linear.weight)
            if linear.bias is not None:
                self.bias.copy_(linear.bias)
        self.batch_norm = nn.BatchNorm1d(linear.out_features, device=linear.weight.device, dtype=linear.weight.dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.batch_norm(super().forward(x))

    @torch.no_grad()
    def folded(self, mean: torch.Tensor, var: torch.Tensor) -> nn.Linear:
        """The plain ``nn.Linear`` that computes this layer given its pre-activations' ``mean`` and ``var``."""
        norm = self.batch_norm
        scale = norm.weight / torch.sqrt(var + norm.eps)
        plain = nn.Linear(self.in_features, self.out_features, device=self.weight.device, dtype=self.weight.dtype)
        plain.weight.copy_(self.weight * scale[:, None])
        bias = self.bias if self.bias is not None else torch.zeros_like(mean)
        plain.bias.copy_((bias - mean) * scale + norm.bias)
        return plain


def _dense_in_forward_order(model: nn.Module, inputs: torch.Tensor) -> list[nn.Linear]:
    order: list[nn.Linear] = []

    def record(layer, args, output):
        if layer not in order:
            order.append(layer)

    handles = [layer.register_forward_hook(record) for layer in model.modules() if isinstance(layer, nn.Linear)]
    try:
        model(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return order


def _replace(model: nn.Module, old: nn.Module, new: nn.Module) -> None:
    for parent in model.modules():
        for name, child in parent.named_children():
            if child is old:
                setattr(parent, name, new)
                return
    raise ValueError("layer not found in the model")


def _preactivation(model: nn.Module, layer: nn.Linear, inputs: torch.Tensor) -> torch.Tensor:
    seen: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda module, args, output: seen.append(nn.Linear.forward(module, args[0])))
    try:
        model(inputs)
    finally:
        handle.remove()
    return seen[0]


@torch.no_grad()
def attach_batch_norm(model: nn.Module, inputs: torch.Tensor) -> int:
    """Put a batch normalisation after every dense layer of ``model`` but the output layer; return how many.

    The output layer is the last dense layer the forward pass on ``inputs`` runs. Each
    normalisation starts at the statistics of its pre-activation over ``inputs`` (``gamma``
    the standard deviation, ``beta`` the mean), so on ``inputs`` the model computes what it
    did before. Runs the model in eval mode and restores its mode.

    Examples
    --------
    >>> from aekit.layers.dense import mlp
    >>> _ = torch.manual_seed(0)
    >>> net, x = mlp([3, 4, 2], ["relu", "linear"]), torch.randn(16, 3)
    >>> before = net(x)
    >>> attach_batch_norm(net, x)
    1
    >>> type(net.linears[0]).__name__, type(net.linears[1]).__name__
    ('BatchNormLinear', 'Linear')
    >>> bool(torch.allclose(net.train()(x), before, atol=1e-5))
    True
    """
    training = model.training
    model.eval()
    try:
        layers = _dense_in_forward_order(model, inputs)[:-1]
        for layer in layers:
            pre = _preactivation(model, layer, inputs)
            norm_layer = BatchNormLinear(layer)
            norm = norm_layer.batch_norm
            norm.weight.copy_(torch.sqrt(pre.var(0, unbiased=False) + norm.eps))
            norm.bias.copy_(pre.mean(0))
            norm.running_mean.copy_(pre.mean(0))
            norm.running_var.copy_(pre.var(0, unbiased=len(pre) > 1))
            _replace(model, layer, norm_layer)
    finally:
        model.train(training)
    return len(layers)


@torch.no_grad()
def fold_batch_norm(model: nn.Module, batches: Iterable[torch.Tensor] | torch.Tensor) -> int:
    """Fold every :class:`BatchNormLinear` of ``model`` into a plain ``nn.Linear``; return how many.

    ``batches`` is the training data: one tensor, or an iterable of input batches that can be
    iterated more than once (a list; each layer takes one pass). Layer by layer, in the order
    the forward pass runs them, the mean and biased variance of the layer's pre-activation over
    all rows (with the layers before it already folded) replace the batch statistics. With
    one full batch the folded model computes what the training step computed. Runs in eval
    mode and restores the model's mode.

    Examples
    --------
    >>> from aekit.layers.dense import mlp
    >>> _ = torch.manual_seed(0)
    >>> net, x = mlp([3, 4, 2], ["relu", "linear"]), torch.randn(16, 3)
    >>> _ = attach_batch_norm(net, x)
    >>> with torch.no_grad():
    ...     _ = net.linears[0].batch_norm.weight.mul_(3.0)  # as if training had changed it
    >>> trained = net.train()(x)
    >>> fold_batch_norm(net, x)
    1
    >>> type(net.linears[0]).__name__
    'Linear'
    >>> bool(torch.allclose(net.eval()(x), trained, atol=1e-5))
    True
    """
    batches = [batches] if isinstance(batches, torch.Tensor) else batches
    training = model.training
    model.eval()
    try:
        first = next(iter(batches), None)
        if first is None:
            return 0
        layers = [layer for layer in _dense_in_forward_order(model, first) if isinstance(layer, BatchNormLinear)]
        for layer in layers:
            total = squares = None
            count = 0
            for xb in batches:
                pre = _preactivation(model, layer, xb).double()
                total = pre.sum(0) if total is None else total + pre.sum(0)
                squares = (pre**2).sum(0) if squares is None else squares + (pre**2).sum(0)
                count += len(pre)
            mean = total / count
            var = (squares / count - mean**2).clamp_min(0.0)
            dtype = layer.weight.dtype
            _replace(model, layer, layer.folded(mean.to(dtype), var.to(dtype)))
    finally:
        model.train(training)
    return len(layers)
