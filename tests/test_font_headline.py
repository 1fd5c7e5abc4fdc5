"""The seed assignment's headline result: a 2-D code reconstructs all 32 letters."""

import time

import numpy as np
import pytest
from sklearn.decomposition import PCA

from aekit import AutoencoderEstimator
from aekit.metrics import wrong_pixels

FONT_AE = dict(hidden_sizes=(20,), latent_dim=2, activation="tanh", latent_activation="linear", loss="bce")


def test_two_dimensional_code_reconstructs_every_letter_without_a_wrong_pixel(font):
    start = time.perf_counter()
    ae = AutoencoderEstimator(**FONT_AE, solver="adam", learning_rate=0.05, batch_size=32, max_iter=400, random_state=0).fit(font.data)
    seconds = time.perf_counter() - start
    wrong = wrong_pixels(font.data, ae.reconstruct(font.data))
    assert wrong.max() == 0, f"wrong pixels per letter: {dict(zip(font.labels, wrong))}"
    assert seconds < 30  # a few seconds on a laptop CPU; generous for a loaded CI machine
    codes = ae.transform(font.data)
    assert codes.shape == (32, 2) and len(np.unique(codes.round(3), axis=0)) == 32


def test_pca_with_two_components_leaves_more_than_five_wrong_pixels_per_letter(font):
    pca = PCA(2).fit(font.data)
    wrong = wrong_pixels(font.data, pca.inverse_transform(pca.transform(font.data)))
    assert wrong.mean() > 5.0
    assert wrong.mean() == pytest.approx(7.2, abs=0.1)  # the published figure is about 7.2


# Powell searches along one direction at a time: with ~1500 weights, 2000 evaluations touch a
# fraction of them, so its budget-limited gain is small; CG uses the gradient.
@pytest.mark.parametrize("solver,at_most", [("powell", 0.995), ("cg", 0.9)])
def test_powell_and_cg_lower_the_loss_on_a_small_budget(font, solver, at_most):
    ae = AutoencoderEstimator(**FONT_AE, solver=solver, max_iter=40, max_fun=2000, random_state=0).fit(font.data)
    h = ae.history_
    assert h.loss[-1] < at_most * h.loss[0]


class StopWhenAtMostOneWrongPixel:
    """Checks the letters every 100 iterations; the scipy solver runs the model in float64."""

    def __init__(self, estimator, X):
        self.estimator, self.X = estimator, X

    def on_epoch_end(self, index, logs):
        if index % 100:
            return False
        import torch

        model = self.estimator.model_
        x = torch.from_numpy(self.X).to(next(model.parameters()).dtype)
        with torch.no_grad():
            out = model(x).x_hat.numpy()
        return wrong_pixels(self.X, out).max() <= 1


SEED_NETWORK = ([35, 20, 10, 2, 10, 20, 35], ["relu", "relu", "linear", "relu", "relu", "sigmoid"])


def _lbfgs_font(font, seed, network=None):
    if network is None:  # 35-40-2-40-35, tanh: measured, 4 of 5 seeds reach 0 wrong pixels
        ae = AutoencoderEstimator(hidden_sizes=(40,), latent_dim=2, activation="tanh", loss="bce", solver="l-bfgs-b", max_iter=6000, max_fun=100_000, random_state=seed)
    else:
        ae = AutoencoderEstimator.from_layers(*network, loss="bce", solver="l-bfgs-b", max_iter=6000, max_fun=100_000, random_state=seed)
    ae.fit(font.data, callbacks=[StopWhenAtMostOneWrongPixel(ae, font.data)])
    return wrong_pixels(font.data, ae.reconstruct(font.data)).max()


def test_full_batch_lbfgs_reaches_at_most_one_wrong_pixel_per_letter(font):
    # The seed assignment's own network; this seed converges in about 3000 iterations.
    # Others land in local minima (2 of 5 seeds reach the goal), see the slow test.
    assert _lbfgs_font(font, seed=4, network=SEED_NETWORK) <= 1


@pytest.mark.slow
def test_lbfgs_gets_there_on_most_of_five_seeds(font):
    # Measured here: 35-40-2-40-35 tanh reaches 0 wrong pixels on 4 of 5 seeds within 6000
    # iterations; the fifth lands in a local minimum (2 wrong pixels). docs/benchmarks.md.
    reached = sum(_lbfgs_font(font, seed) <= 1 for seed in range(5))
    assert reached >= 3
