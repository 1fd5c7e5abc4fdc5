"""Each loss and regulariser against a reference: closed forms or brute-force autograd."""

import math

import numpy as np
import pytest
import torch

from aekit.contractive import CodePathOutput, code_path_forward, contractive_penalty
from aekit.losses import (
    KLSparsity,
    Objective,
    Term,
    bce_loss,
    correntropy_loss,
    gaussian_kl,
    kl_sparsity,
    mse_loss,
)
from aekit.models import AEOutput, ModelSpec, build_autoencoder

torch.set_default_dtype(torch.float32)


def _out(logits, x_hat=None):
    x_hat = torch.sigmoid(logits) if x_hat is None else x_hat
    return AEOutput(logits=logits, x_hat=x_hat, z=torch.zeros(len(logits), 1))


def test_bce_from_logits_is_stable_and_matches_the_definition():
    logits = torch.tensor([[-200.0, 0.0, 200.0, 3.0]])
    target = torch.tensor([[0.0, 1.0, 1.0, 0.0]])
    loss = bce_loss(_out(logits), target)
    expected = 0.0 + math.log(2) + 0.0 + (3 + math.log1p(math.exp(-3)))
    assert torch.isfinite(loss).all()
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_mse_is_a_per_sample_sum():
    out = _out(torch.zeros(2, 3), x_hat=torch.tensor([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0]]))
    assert mse_loss(out, torch.zeros(2, 3)).tolist() == [5.0, 0.0]


def test_correntropy_closed_form_and_boundedness():
    x_hat = torch.tensor([[0.1, 100.0]])
    loss = correntropy_loss(_out(torch.zeros(1, 2), x_hat), torch.zeros(1, 2), sigma=0.5)
    expected = (1 - math.exp(-0.01 / 0.5)) + (1 - math.exp(-1e4 / 0.5))
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    assert loss.item() <= 2.0  # bounded: an outlier costs at most 1 per feature


def test_kl_sparsity_matches_closed_form():
    z = torch.tensor([[0.1, 0.5], [0.3, 0.7]])
    rho = 0.05
    rho_hat = np.array([0.2, 0.6])
    expected = np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    assert kl_sparsity(z, rho).item() == pytest.approx(expected, rel=1e-5)
    assert kl_sparsity(torch.full((4, 3), rho), rho).item() == pytest.approx(0.0, abs=1e-6)


def test_kl_sparsity_rejects_a_target_outside_zero_one():
    with pytest.raises(ValueError, match="sparsity_target must lie strictly between 0 and 1, got 1.5"):
        KLSparsity(1.5)


def test_gaussian_kl_matches_torch_distributions():
    mu = torch.randn(5, 3, dtype=torch.float64)
    logvar = torch.randn(5, 3, dtype=torch.float64)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    expected = torch.distributions.kl_divergence(q, p).sum(1)
    assert torch.allclose(gaussian_kl(mu, logvar), expected)


def _brute_force_jacobian_norm(model, x):
    total = 0.0
    for xi in x:
        jac = torch.autograd.functional.jacobian(lambda v: model.encode(v.unsqueeze(0)).z.squeeze(0), xi)
        total += (jac**2).sum().item()
    return total / len(x)


@pytest.mark.parametrize(
    "hidden,acts,code_act",
    [
        ((), (), "sigmoid"),  # one layer: Rifai's closed form
        ((5,), ("tanh",), "linear"),
        ((7, 4), ("softplus", "elu"), "sigmoid"),  # h1 > d: direct product
        ((3, 4), ("gelu", "leaky_relu"), "tanh"),  # h1 < d: Gram-matrix trick
    ],
)
def test_contractive_penalty_is_the_exact_jacobian_norm(hidden, acts, code_act):
    torch.manual_seed(0)
    model = build_autoencoder(
        ModelSpec(input_shape=(6,), hidden_sizes=hidden, activations=acts or "relu", latent_dim=3, latent_activation=code_act)
    ).double()
    x = torch.randn(4, 6, dtype=torch.float64)
    exact = contractive_penalty(model, x, model(x)).item()
    assert exact == pytest.approx(_brute_force_jacobian_norm(model, x), rel=1e-9)


def test_contractive_penalty_for_conv_encoders_uses_autograd():
    torch.manual_seed(0)
    model = build_autoencoder(ModelSpec(input_shape=(1, 6, 6), latent_dim=2, architecture="conv", channels=(2,), activations="tanh")).double()
    x = torch.rand(3, 1, 6, 6, dtype=torch.float64)
    value = contractive_penalty(model, x, model(x)).item()
    assert value == pytest.approx(_brute_force_jacobian_norm(model, x), rel=1e-9)


def test_contractive_penalty_gradient_flows_to_the_weights():
    model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(5,), activations="tanh", latent_dim=2))
    x = torch.randn(4, 6)
    contractive_penalty(model, x, model(x)).backward()
    assert model.encoder.linears[0].weight.grad.abs().sum() > 0


def test_objective_terms_sum_to_total_and_kl_warms_up():
    model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(5,), latent_dim=2, latent="gaussian"))
    from aekit.losses import REGULARISERS

    objective = Objective("mse", {"kl": Term(2.0, REGULARISERS["kl"], warmup_epochs=4)})
    x = torch.rand(8, 6)
    model.eval()
    out = model(x)
    for epoch, factor in [(0, 0.25), (1, 0.5), (3, 1.0), (10, 1.0)]:
        value = objective(model, x, x, out, epoch)
        assert torch.isclose(value.total, sum(value.terms.values()))
        kl = gaussian_kl(out.stats["mu"], out.stats["logvar"]).mean()
        assert value.terms["kl"].item() == pytest.approx(2.0 * factor * kl.item(), rel=1e-5)


@pytest.mark.parametrize("estimator", ["hutchinson", "columns"])
@pytest.mark.parametrize(
    "spec",
    [
        ModelSpec(input_shape=(6,), hidden_sizes=(5, 4), activations=("tanh", "elu"), latent_dim=3, latent_activation="sigmoid"),
        ModelSpec(input_shape=(1, 6, 6), latent_dim=2, architecture="conv", channels=(2,), activations="tanh"),
    ],
    ids=["dense", "conv"],
)
def test_stochastic_estimates_average_to_the_exact_norm_and_gradient(spec, estimator):
    from aekit.contractive import CONTRACTIVE_ESTIMATORS

    estimate_fn = CONTRACTIVE_ESTIMATORS[estimator]
    torch.manual_seed(0)
    model = build_autoencoder(spec).double()
    x = torch.rand(3, *spec.input_shape, dtype=torch.float64)

    def value_and_grads(fn, batch):
        model.zero_grad()
        value = fn(model, batch, model(batch))
        value.backward()
        encoder = [*model.encoder.parameters(), *model.latent.parameters()]  # hidden layers and the code layer
        # a linear code layer's bias does not enter the Jacobian: no gradient, in either
        return value.item(), [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in encoder]

    exact, exact_grads = value_and_grads(contractive_penalty, x)
    many = x.repeat(6000, *[1] * (x.dim() - 1))  # 6000 probes for each of the 3 samples
    estimate, grads = value_and_grads(estimate_fn, many)
    assert estimate == pytest.approx(exact, rel=0.03)
    for g, e in zip(grads, exact_grads):
        assert (g - e).norm() <= 0.05 * e.norm() + 1e-12  # the expected gradient is the exact one
    single = estimate_fn(model, x, model(x)).item()
    assert single != pytest.approx(exact, rel=1e-6)  # one probe is noisy: it is an estimate


def test_hutchinson_estimate_is_exact_for_a_one_dimensional_code():
    from aekit.contractive import contractive_penalty_estimate

    torch.manual_seed(0)
    model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(5,), activations="tanh", latent_dim=1)).double()
    x = torch.randn(4, 6, dtype=torch.float64)
    # u = +-1, so ||J^T u||^2 = ||J||^2 whatever the draw
    assert contractive_penalty_estimate(model, x, model(x)).item() == pytest.approx(contractive_penalty(model, x, model(x)).item(), rel=1e-12)


@pytest.mark.parametrize("estimator", ["hutchinson", "columns"])
def test_stochastic_estimators_are_chosen_by_name_and_refused_for_scipy_solvers(digits_small, estimator):
    from aekit import AutoencoderEstimator
    from aekit.errors import ConfigError
    from aekit.contractive import CONTRACTIVE_ESTIMATORS, contractive_penalty_columns, contractive_penalty_estimate

    ae = AutoencoderEstimator(
        hidden_sizes=(16,), latent_dim=4, contractive_weight=0.1, contractive_estimator=estimator, max_iter=2, random_state=0
    ).fit(digits_small)
    assert ae.history_.terms["contractive"][-1] > 0
    expected = {"hutchinson": contractive_penalty_estimate, "columns": contractive_penalty_columns}[estimator]
    assert ae.objective_.terms["contractive"].fn is expected is CONTRACTIVE_ESTIMATORS[estimator]
    with pytest.raises(ConfigError, match=f'"{estimator}" draws random probes.*scipy solvers need a deterministic'):
        AutoencoderEstimator(contractive_weight=0.1, contractive_estimator=estimator, solver="cg").fit(digits_small)


def test_contractive_forward_records_preactivations_of_the_dense_code_path():
    model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(5, 4), latent_dim=2))
    x = torch.rand(3, 6)
    out = code_path_forward(model, x)
    assert [a.shape[1] for a in out.preactivations] == [5, 4, 2]
    assert torch.allclose(out.z, model.encode(x).z)  # the recording path computes the same code
    assert torch.allclose(out.preactivations[0], model.encoder.linears[0](x))


def test_a_plain_forward_records_nothing_and_the_objective_records_only_for_an_active_contractive_term():
    model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(5,), latent_dim=2))
    x = torch.rand(3, 6)
    plain = model(x)
    assert type(plain) is AEOutput
    assert type(Objective("mse").forward(model, x)) is AEOutput
    assert type(Objective("mse", {"contractive": Term(0.0, contractive_penalty)}).forward(model, x)) is AEOutput
    recorded = Objective("mse", {"contractive": Term(0.1, contractive_penalty)}).forward(model, x)
    assert isinstance(recorded, CodePathOutput)
    for name in ("logits", "x_hat", "z"):
        assert torch.equal(getattr(recorded, name), getattr(plain, name))  # bit for bit


@pytest.mark.parametrize("estimator", ["exact", "hutchinson", "columns"])
def test_each_estimator_gives_the_same_value_with_or_without_the_recorded_pass(estimator):
    from aekit.contractive import CONTRACTIVE_ESTIMATORS

    fn = CONTRACTIVE_ESTIMATORS[estimator]
    model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(5, 4), activations="tanh", latent_dim=3))
    x = torch.rand(4, 6)
    torch.manual_seed(1)
    recorded = fn(model, x, code_path_forward(model, x))
    torch.manual_seed(1)
    recomputed = fn(model, x, model(x))
    assert torch.equal(recorded, recomputed)


def test_dropout_on_the_code_path_uses_the_eval_mode_jacobian():
    model = build_autoencoder(ModelSpec(input_shape=(6,), hidden_sizes=(5,), activations="tanh", latent_dim=2, dropout=0.5))
    x = torch.rand(4, 6)
    model.train()
    out = code_path_forward(model, x)
    assert not isinstance(out, CodePathOutput)  # the dropped-out pass has no deterministic a_k to reuse
    in_training = contractive_penalty(model, x, out)
    model.eval()
    assert torch.equal(in_training, contractive_penalty(model, x, code_path_forward(model, x)))


def test_a_fitted_objective_with_a_contractive_term_pickles_by_reference():
    import pickle

    from aekit.contractive import CONTRACTIVE_ESTIMATORS

    for fn in CONTRACTIVE_ESTIMATORS.values():
        assert pickle.loads(pickle.dumps(fn)) is fn
    objective = Objective("mse", {"contractive": Term(0.1, contractive_penalty)})
    assert pickle.loads(pickle.dumps(objective)).terms["contractive"].fn is contractive_penalty
