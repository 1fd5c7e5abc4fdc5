"""DirectFusedAdam against torch.optim's fused Adam and AdamW: the same update, bit for bit."""

import pytest
import torch
from torch import nn

from aekit.train.optimizers import DirectFusedAdam


def _model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(12, 5), nn.Tanh(), nn.Linear(5, 12))


def _train(model, optimizer, steps=25, lrs=None):
    torch.manual_seed(1)
    for step in range(steps):
        if lrs is not None:
            optimizer.param_groups[0]["lr"] = lrs[step]
        x = torch.randn(8, 12)
        optimizer.zero_grad(set_to_none=True)
        ((model(x) - x) ** 2).sum().backward()
        optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize("decoupled, decay", [(False, 0.0), (True, 0.01)])
def test_same_parameters_as_torch_optim_fused_after_many_steps(decoupled, decay):
    lrs = [1e-2 * 0.9**k for k in range(25)]  # a schedule changes param_groups[0]["lr"]
    ours, theirs = _model(0), _model(0)
    reference = (torch.optim.AdamW if decoupled else torch.optim.Adam)(theirs.parameters(), lr=1e-2, weight_decay=decay, fused=True)
    expected = _train(theirs, reference, lrs=lrs)
    got = _train(ours, DirectFusedAdam(ours.parameters(), lr=1e-2, weight_decay=decay, decoupled=decoupled), lrs=lrs)
    for a, b in zip(got, expected):
        assert torch.equal(a, b)


def test_parameters_without_a_gradient_are_left_alone_like_torch_optim():
    def run(make):
        torch.manual_seed(0)
        used, unused = nn.Linear(3, 3), nn.Linear(3, 3)
        optimizer = make([*used.parameters(), *unused.parameters()])
        for _ in range(5):
            optimizer.zero_grad()
            used(torch.ones(2, 3)).sum().backward()
            optimizer.step()
        return [p.detach().clone() for p in (*used.parameters(), *unused.parameters())]

    before = run(lambda p: DirectFusedAdam(p, lr=0.1))
    after = run(lambda p: torch.optim.Adam(p, lr=0.1, fused=True))
    assert all(torch.equal(a, b) for a, b in zip(before, after))


def test_mixed_dtypes_are_refused():
    with pytest.raises(ValueError, match="one device in one dtype"):
        DirectFusedAdam([nn.Parameter(torch.zeros(2)), nn.Parameter(torch.zeros(2, dtype=torch.float64))], lr=0.1)
