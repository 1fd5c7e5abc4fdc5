import pytest
import torch

from aekit.layers.conv import ConvDecoder, ConvEncoder
from aekit.layers.dense import mlp


def test_mlp_sizes_and_per_layer_activations():
    net = mlp([35, 20, 10, 2], ["relu", "relu", "linear"])
    assert [lin.out_features for lin in net.linears] == [20, 10, 2]
    assert net.activation_names == ["relu", "relu", "linear"]
    assert net(torch.zeros(3, 35)).shape == (3, 2)


def test_mlp_rejects_wrong_activation_count():
    with pytest.raises(ValueError, match="3 sizes need 2 activations, got 1"):
        mlp([4, 3, 2], ["relu"])


def test_dropout_only_in_training_and_not_after_last_layer_when_asked():
    net = mlp([10, 50, 10], "linear", dropout=0.5, dropout_last=False).eval()
    x = torch.ones(4, 10)
    assert torch.equal(net(x), net(x))  # eval: no dropout
    net.train()
    torch.manual_seed(0)
    out = net(x)
    # The last layer is linear with no dropout after it: outputs are not exactly zero.
    assert (out != 0).all()


@pytest.mark.parametrize("shape", [(1, 7, 5), (1, 8, 8), (3, 28, 28), (2, 9, 13)])
@pytest.mark.parametrize("down,up", [("stride", "transpose"), ("pool", "upsample")])
def test_conv_round_trip_matches_the_input_shape(shape, down, up):
    enc = ConvEncoder(shape, (8, 16), "relu", down)
    dec = ConvDecoder(3, shape, enc.feature_shape, (16, 8), "relu", up)
    x = torch.rand(2, *shape)
    h = enc(x)
    assert h.shape == (2, enc.out_features)
    z = torch.nn.Linear(enc.out_features, 3)(h)
    assert dec(z).shape == (2, *shape)
