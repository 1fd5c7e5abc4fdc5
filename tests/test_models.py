import torch

from aekit.layers.latent import BinaryLatent, DeterministicLatent, GaussianLatent
from aekit.models import ModelSpec, build_autoencoder


def test_seed_assignment_spec_is_expressible():
    # [35, 20, 10, 2, 10, 20, 35] with relu, relu, linear, relu, relu, sigmoid
    spec = ModelSpec(
        input_shape=(35,), hidden_sizes=(20, 10), activations=("relu", "relu"), latent_dim=2,
        latent_activation="linear", decoder_activations=("relu", "relu"), output_activation="sigmoid",
    )
    model = build_autoencoder(spec)
    assert [l.out_features for l in model.encoder.linears] == [20, 10]
    assert model.latent.layer.linears[0].out_features == 2
    assert [l.out_features for l in model.decoder.linears] == [10, 20, 35]
    assert model.decoder.activation_names == ["relu", "relu", "linear"]  # logits out
    out = model(torch.rand(5, 35))
    assert out.z.shape == (5, 2)
    assert torch.allclose(out.x_hat, torch.sigmoid(out.logits))


def test_decoder_mirrors_encoder_unless_given():
    model = build_autoencoder(ModelSpec(input_shape=(10,), hidden_sizes=(8, 6), activations=("tanh", "relu"), latent_dim=3))
    assert [l.out_features for l in model.decoder.linears] == [6, 8, 10]
    assert model.decoder.activation_names == ["relu", "tanh", "linear"]
    model = build_autoencoder(ModelSpec(input_shape=(10,), hidden_sizes=(8,), latent_dim=3, decoder_sizes=(4, 5)))
    assert [l.out_features for l in model.decoder.linears] == [4, 5, 10]


def test_latent_heads():
    h = torch.randn(6, 4)
    det = DeterministicLatent(4, 2, "tanh")
    assert det(h).z.abs().max() < 1
    gauss = GaussianLatent(4, 2)
    gauss.eval()
    out = gauss(h)
    assert torch.equal(out.z, out.stats["mu"])  # eval: the mean
    gauss.train()
    assert not torch.equal(gauss(h).z, out.stats["mu"])  # train: a sample
    binary = BinaryLatent(4, 8)
    z = binary(h).z
    assert set(z.unique().tolist()) <= {0.0, 1.0}
    z.sum().backward()  # straight-through: the gradient reaches the layer
    assert binary.layer.weight.grad.abs().sum() > 0


def test_dropout_acts_even_without_hidden_layers():
    # 784-64-784 with dropout: the code itself is dropped in training (it was silently a no-op).
    model = build_autoencoder(ModelSpec(input_shape=(20,), hidden_sizes=(), latent_dim=50, dropout=0.5, latent_activation="relu"))
    x = torch.rand(8, 20)
    model.eval()
    assert torch.equal(model(x).x_hat, model(x).x_hat)
    model.train()
    torch.manual_seed(0)
    a = model(x).x_hat
    torch.manual_seed(1)
    b = model(x).x_hat
    assert not torch.allclose(a, b)
