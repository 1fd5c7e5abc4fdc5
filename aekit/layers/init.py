"""Weight initialisation: the scheme a freshly built model's weights are drawn from.

- ``"glorot"``: Glorot & Bengio (2010) uniform, U(-a, a) with a = sqrt(6 / (fan_in + fan_out)),
  zero biases. Keras's default for dense and conv layers, and aekit's.
- ``"he"``: He et al. (2015) uniform for ReLU layers, a = sqrt(6 / fan_in), zero biases.
- ``"torch"``: PyTorch's own default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
  Its weights are narrower than Glorot's for a wide input layer (0.036 against 0.086 for 784 -> 32):
  on the Keras tutorial's 784-32-784 it ends 50 epochs at a per-pixel test BCE of 0.104,
  Glorot at 0.092 (benchmarks/quality.py).
- ``"data"``: data-dependent, the initialisation of Salimans & Kingma (2016, weight
  normalisation) and Krähenbühl et al. (2016): Glorot directions, then, layer by layer in the
  order the forward pass runs them, each unit's weights are rescaled so that its pre-activation
  has unit variance over a sample of the training data and its bias centres it at 0 (so a ReLU
  unit starts active on about half the samples, none dead, none saturated). The last layer keeps
  its Glorot scale and gets the bias that puts its mean output at the data's mean, per feature
  (sigmoid: logit of the mean; linear: the mean; tanh: its atanh). :func:`initialize_weights`
  draws the directions; :func:`initialize_from_data` does the rest once the data is known
  (``AutoencoderEstimator.fit`` calls it on up to 1,024 training rows). On the font's deep ReLU
  network it turns 0 of 10 seeds at 0 wrong pixels within 300 epochs into most of them
  (docs/benchmarks.md, "Font on the deeper networks").
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["WEIGHT_INITS", "initialize_from_data", "initialize_weights", "unit_variance_scale"]

WEIGHT_INITS = ("glorot", "he", "torch", "data")
_LAYERS = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)


def initialize_weights(model: nn.Module, scheme: str) -> nn.Module:
    """Redraw the weights of every dense and conv layer of ``model`` in place (torch's global RNG).

    Batch-norm layers keep their unit scale and zero shift. ``"torch"`` leaves the model as built.
    """
    if scheme not in WEIGHT_INITS:
        raise ValueError(f"weight_init must be one of {WEIGHT_INITS}; got {scheme!r}")
    if scheme == "torch":
        return model
    for layer in model.modules():
        if isinstance(layer, _LAYERS):
            if scheme in ("glorot", "data"):
                nn.init.xavier_uniform_(layer.weight)
            else:
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return model


def _unit_axis(layer: nn.Module) -> int:
    """The weight axis that indexes output units (a transposed conv keeps them on axis 1)."""
    return 1 if isinstance(layer, nn.ConvTranspose2d) else 0


def _per_unit(tensor: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard deviation of each output unit (feature, or conv channel over positions)."""
    dims = [0] + list(range(2, tensor.dim()))
    return tensor.mean(dims), tensor.std(dims)


def unit_variance_scale(std: torch.Tensor) -> torch.Tensor:
    """``1 / std`` per unit, and 1 for a unit constant over the sample (std below 1e-8), whose weights stay as they are."""
    return torch.where(std > 1e-8, 1.0 / std.clamp_min(1e-8), torch.ones_like(std))


def _inverse_output(mean: torch.Tensor, output_activation: str) -> torch.Tensor | None:
    if output_activation == "sigmoid":
        mean = mean.clamp(0.01, 0.99)
        return torch.log(mean / (1 - mean))
    if output_activation == "tanh":
        return torch.atanh(mean.clamp(-0.99, 0.99))
    if output_activation == "linear":
        return mean
    return None


@torch.no_grad()
def initialize_from_data(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, output_activation: str) -> nn.Module:
    """Finish ``weight_init="data"``: rescale and centre each unit on a sample of the data, in place.

    ``model(inputs)`` must run every dense and conv layer once; the last one it runs is the
    output layer, whose pre-activations are compared with ``targets`` (what the model's
    ``output_activation`` should reproduce). Every other layer, taken in the order the forward
    pass runs them, has its weights rescaled per output unit to give that unit's
    pre-activation unit variance over ``inputs`` and its bias set to make the mean 0; a unit
    constant over the sample keeps its weights. The output layer keeps its weights, and its
    bias makes the mean pre-activation the inverse of ``output_activation`` at the targets' mean
    (sigmoid, tanh or linear; any other output activation keeps a zero mean). Runs in eval
    mode (no dropout) and restores the model's mode.

    Examples
    --------
    >>> from torch import nn
    >>> net = initialize_weights(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3)), "data")
    >>> x = torch.rand(64, 3)
    >>> _ = initialize_from_data(net, x, x, "linear")
    >>> hidden = net[0](x)
    >>> bool(hidden.mean(0).abs().max() < 1e-5), bool((hidden.std(0) - 1).abs().max() < 1e-4)
    (True, True)
    >>> bool(torch.allclose(net(x).mean(0), x.mean(0), atol=1e-5))
    True
    """
    order: list[nn.Module] = []

    def record(layer, args, output):
        if layer not in order:
            order.append(layer)

    def run(layer: nn.Module) -> torch.Tensor:
        seen: list[torch.Tensor] = []
        handle = layer.register_forward_hook(lambda module, args, output: seen.append(output))
        try:
            model(inputs)
        finally:
            handle.remove()
        return seen[0]

    training = model.training
    model.eval()
    try:
        handles = [layer.register_forward_hook(record) for layer in model.modules() if isinstance(layer, _LAYERS)]
        try:
            model(inputs)
        finally:
            for handle in handles:
                handle.remove()
        for layer in order[:-1]:
            mean, std = _per_unit(run(layer))
            scale = unit_variance_scale(std)
            shape = [1] * layer.weight.dim()
            shape[_unit_axis(layer)] = -1
            layer.weight.mul_(scale.reshape(shape))
            if layer.bias is not None:  # (w x + b - mean) / std
                layer.bias.sub_(mean).mul_(scale)
        if order and order[-1].bias is not None:
            output = order[-1]
            mean, _ = _per_unit(run(output))
            goal = _inverse_output(_per_unit(targets)[0], output_activation)
            if goal is not None and goal.shape == output.bias.shape:
                output.bias.add_(goal - mean)
    finally:
        model.train(training)
    return model
