"""Dead-unit resampling: give hidden units that never fire fresh incoming weights.

A ReLU unit whose pre-activation is negative on every training row outputs 0 and gets no
gradient: nothing in plain gradient descent can bring it back. In a narrow deep network (the
font's [35,20,10,2,10,20,35]) enough of them die that two characters end up with the same
code and stay merged. Sparse-autoencoder practice resamples such units during training
(Bricken et al. 2023, "Towards monosemanticity"); :func:`resample_dead_units` does it for every
dense layer whose activation has a zero derivative on all of a sample of the training rows:

- its incoming weights get a fresh Glorot-uniform direction, rescaled and centred on the
  sample as ``weight_init="data"`` does (unit variance, mean 0: the unit fires on about half
  the rows again);
- its outgoing weights (in every dense layer that reads it) are set to 0, so the network's
  output, and the loss, are exactly what they were before the resampling; the gradient grows
  them from there;
- the optimiser's per-parameter state (Adam's moments, momentum) for those weights is zeroed.

``AutoencoderEstimator(dead_unit_resample=k)`` calls it after every k-th epoch on up to 1,024
training rows (the first ones, in order).
"""

from __future__ import annotations

import torch
from torch import nn

from aekit.layers.dense import DenseStack
from aekit.layers.init import unit_variance_scale

__all__ = ["resample_dead_units"]


def _optimizer_state(optimizer) -> dict[int, dict]:
    """id(parameter) -> its state entry, through ``state_dict()`` (whose tensors are the live ones)."""
    if optimizer is None:
        return {}
    packed = optimizer.state_dict()
    params = [p for group in optimizer.param_groups for p in group["params"]]
    indices = [i for group in packed["param_groups"] for i in group["params"]]
    return {id(p): packed["state"].get(i, {}) for p, i in zip(params, indices)}


def _zero_state(state: dict[int, dict], param: torch.Tensor, index) -> None:
    for value in state.get(id(param), {}).values():
        if isinstance(value, torch.Tensor) and value.shape == param.shape:
            value[index] = 0


@torch.no_grad()
def resample_dead_units(model: nn.Module, inputs: torch.Tensor, optimizer: torch.optim.Optimizer | None = None) -> int:
    """Resample the dead hidden units of ``model``'s dense stacks on ``inputs``; return how many.

    A unit is dead when its activation's derivative is 0 on every row of ``inputs`` (a ReLU
    below 0 everywhere; tanh or sigmoid units never count). Runs the model in eval mode and
    restores its mode. The new directions come from torch's global random generator.

    Examples
    --------
    >>> from aekit.layers.dense import mlp
    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(mlp([3, 4], "relu"), mlp([4, 3], "linear"))
    >>> x = torch.rand(64, 3)
    >>> with torch.no_grad():
    ...     _ = net[0].linears[0].bias.fill_(-10.0)  # all four units dead
    >>> before = net(x)
    >>> resample_dead_units(net, x)
    4
    >>> bool((net[0](x) > 0).any(0).all()), bool(torch.equal(net(x), before))
    (True, True)
    """
    stacks = [m for m in model.modules() if isinstance(m, DenseStack)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    pre: dict[nn.Module, torch.Tensor] = {}
    layer_in: dict[nn.Module, torch.Tensor] = {}
    post: dict[int, nn.Module] = {}  # id of an activation's output -> the linear that made it

    def record_linear(layer, args, output):
        layer_in.setdefault(layer, args[0])
        pre.setdefault(layer, output)

    def record_act(linear):
        def hook(module, args, output):
            if args[0] is pre.get(linear):
                post[id(output)] = linear
                readers.setdefault(linear, [])
        return hook

    readers: dict[nn.Module, list[nn.Module]] = {}

    def record_reader(layer, args):
        maker = post.get(id(args[0]))
        if maker is not None and layer not in readers[maker]:
            readers[maker].append(layer)

    handles = [layer.register_forward_hook(record_linear) for layer in linears]
    handles += [layer.register_forward_pre_hook(record_reader) for layer in linears]
    for stack in stacks:
        for linear, act in zip(stack.linears, stack.act_modules):
            handles.append(act.register_forward_hook(record_act(linear)))
    training = model.training
    model.eval()
    try:
        model(inputs)
    finally:
        for handle in handles:
            handle.remove()
        model.train(training)
    state = _optimizer_state(optimizer)
    resampled = 0
    for stack in stacks:
        for linear, activation in zip(stack.linears, stack.activations):
            if linear not in pre or not readers.get(linear):
                continue  # not run, or nothing reads it (the output layer)
            dead = (activation.derivative(pre[linear]) == 0).all(0)
            if not dead.any():
                continue
            index = dead.nonzero().flatten()
            fresh = torch.empty(len(index), linear.in_features, dtype=linear.weight.dtype, device=linear.weight.device)
            bound = (6.0 / (linear.in_features + linear.out_features)) ** 0.5
            fresh.uniform_(-bound, bound)
            z = layer_in[linear] @ fresh.T
            mean, std = z.mean(0), z.std(0)
            scale = unit_variance_scale(std)
            linear.weight[index] = fresh * scale[:, None]
            _zero_state(state, linear.weight, index)
            if linear.bias is not None:
                linear.bias[index] = -mean * scale
                _zero_state(state, linear.bias, index)
            for reader in readers[linear]:
                reader.weight[:, index] = 0
                _zero_state(state, reader.weight, (slice(None), index))
            resampled += len(index)
    return resampled
