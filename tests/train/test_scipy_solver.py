import time

import pytest
import torch
from sklearn.decomposition import PCA

from aekit import AutoencoderEstimator, ConfigError
from aekit.datasets import load_digits

SCIPY = ["powell", "nelder-mead", "cg", "bfgs", "l-bfgs-b"]


@pytest.fixture(scope="module")
def X():
    return load_digits().data[:150]


def test_linear_autoencoder_with_lbfgs_reaches_the_pca_optimum(X):
    # A linear AE with a k-dim code spans the same subspace as PCA-k at its optimum
    # (Baldi & Hornik 1989): a reference that checks the flat-buffer gradients end to end.
    k = 4
    ae = AutoencoderEstimator(
        hidden_sizes=(), latent_dim=k, output_activation="linear", solver="l-bfgs-b",
        max_iter=2000, random_state=0,
    ).fit(X)
    pca = PCA(k).fit(X)
    pca_sse = ((X - pca.inverse_transform(pca.transform(X))) ** 2).sum(1).mean()
    assert ae.reconstruction_error(X).mean() == pytest.approx(pca_sse, rel=1e-3)


@pytest.mark.parametrize("solver", SCIPY)
def test_every_scipy_solver_lowers_the_loss_and_records_history(X, solver):
    ae = AutoencoderEstimator(hidden_sizes=(8,), latent_dim=2, activation="tanh", solver=solver, max_iter=15, max_fun=1500, random_state=0).fit(X)
    h = ae.history_
    assert h.unit == ("evaluation" if solver in ("powell", "nelder-mead") else "iteration")
    assert len(h.loss) >= 2 and h.loss[-1] < h.loss[0]
    assert h.evaluations == sorted(h.evaluations) and h.evaluations[-1] <= 1500 + 200
    assert next(ae.model_.parameters()).dtype == torch.float32  # back to float32 after float64 solving
    assert all(p.grad is None for p in ae.model_.parameters())


def test_scipy_noise_is_drawn_once_per_run(X):
    # Deterministic objective: the same fixed corrupted copy at every evaluation, so two runs agree.
    params = dict(hidden_sizes=(8,), noise="masking", noise_level=0.3, solver="l-bfgs-b", max_iter=10, random_state=1)
    a = AutoencoderEstimator(**params).fit(X)
    b = AutoencoderEstimator(**params).fit(X)
    assert a.history_.loss == b.history_.loss
    assert all(x >= y for x, y in zip(a.history_.loss, a.history_.loss[1:]))  # L-BFGS-B: monotone


@pytest.mark.parametrize(
    "params,reason",
    [
        ({"latent": "gaussian"}, "a gaussian latent samples z at every evaluation"),
        ({"latent": "binary"}, "a binary code makes the objective piecewise constant"),
        ({"dropout": 0.2}, "dropout draws a new mask at every evaluation"),
    ],
)
def test_stochastic_models_are_refused_with_scipy(X, params, reason):
    with pytest.raises(ConfigError, match=rf"solver='cg' is a full-batch scipy optimiser.*{reason}.*Fix: use a mini-batch solver"):
        AutoencoderEstimator(solver="cg", **params).fit(X)


def test_one_evaluation_costs_little_more_than_forward_and_backward():
    # CG's own work per step is a few vector operations, so its wall time per evaluation is
    # ours. (L-BFGS-B's own routine costs tens of ms per call at this parameter count.)
    X = load_digits().data
    ae = AutoencoderEstimator(hidden_sizes=(256,), latent_dim=2, solver="cg", max_iter=25, random_state=0).fit(X)
    h = ae.history_
    # Minimum over iterations of seconds per evaluation (minima resist a loaded machine).
    per_eval = min(
        (t1 - t0) / (e1 - e0)
        for t0, t1, e0, e1 in zip(h.seconds, h.seconds[1:], h.evaluations, h.evaluations[1:])
        if e1 > e0
    )
    model = ae.model_.double()
    x = torch.from_numpy(X).double()
    times = []
    for _ in range(15):
        start = time.perf_counter()
        out = model(x)
        ae.objective_(model, x, x, out).total.backward()
        times.append(time.perf_counter() - start)
    plain = min(times)
    assert per_eval < 1.6 * plain, f"scipy evaluation {per_eval * 1e3:.2f} ms vs forward+backward {plain * 1e3:.2f} ms"
