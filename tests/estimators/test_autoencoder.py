import numpy as np
import pytest

from aekit import AutoencoderEstimator, ConfigError, DataError
from aekit.datasets import load_font


@pytest.fixture(scope="module")
def X():
    return load_font().data


def fit(X, **params):
    return AutoencoderEstimator(max_iter=3, random_state=0, **params).fit(X)


# ---------------------------------------------------------------- the API
def test_transform_inverse_reconstruct_and_score_shapes(X):
    ae = fit(X, hidden_sizes=(10,), latent_dim=3, loss="bce")
    Z = ae.transform(X)
    assert Z.shape == (32, 3) and Z.dtype == np.float32
    R = ae.inverse_transform(Z)
    assert R.shape == (32, 35) and ((R >= 0) & (R <= 1)).all()  # sigmoid output for bce
    np.testing.assert_allclose(ae.reconstruct(X), R, rtol=1e-5, atol=1e-6)
    scores = ae.score_samples(X)
    np.testing.assert_allclose(scores, -ae.reconstruction_error(X))
    assert scores.shape == (32,) and (scores < 0).all()
    assert ae.n_features_in_ == 35 and ae.n_iter_ == 3 and ae.fit_seconds_ > 0


def test_sklearn_mlp_style_constructor_from_the_issue(X):
    ae = AutoencoderEstimator(hidden_sizes=(20,), latent_dim=2, activation="tanh", loss="bce", solver="l-bfgs-b", max_iter=5, random_state=0).fit(X)
    assert ae.transform(X).shape == (32, 2)


def test_from_layers_builds_the_seed_network(X):
    ae = AutoencoderEstimator.from_layers(
        [35, 20, 10, 2, 10, 20, 35], ["relu", "relu", "linear", "relu", "relu", "sigmoid"], loss="bce", max_iter=2, random_state=0
    ).fit(X)
    m = ae.model_
    assert [l.out_features for l in m.encoder.linears] == [20, 10]
    assert m.latent.layer.activation_names == ["linear"]
    assert [l.out_features for l in m.decoder.linears] == [10, 20, 35]
    assert m.output_activation == "sigmoid"
    assert ae.get_params()["layers"] == (35, 20, 10, 2, 10, 20, 35)


def test_paired_training_learns_x_to_target(X):
    inverted = 1.0 - X
    ae = AutoencoderEstimator(hidden_sizes=(30,), latent_dim=8, loss="bce", learning_rate=0.02, batch_size=32, max_iter=300, random_state=0)
    ae.fit(X, target=inverted)
    out = ae.reconstruct(X)
    assert (np.round(out) != inverted).mean() < 0.02
    assert ae.reconstruction_error(X, target=inverted).mean() < ae.reconstruction_error(X).mean()


def test_conv_autoencoder_on_images():
    from aekit.datasets import load_digits

    d = load_digits()
    ae = AutoencoderEstimator(architecture="conv", latent_dim=8, loss="bce", channels=(8, 16), max_iter=3, random_state=0)
    ae.fit(d.images[:64])  # (n, 8, 8): one channel inferred
    assert ae.input_shape_ == (1, 8, 8)
    assert ae.transform(d.data[:5]).shape == (5, 8)  # flat rows work at transform time
    assert ae.reconstruct(d.images[:5]).shape == (5, 64)


# ---------------------------------------------------------------- errors users get
@pytest.mark.parametrize(
    "params,message",
    [
        ({"solver": "adma"}, r"solver='adma' is not a known choice\. Expected one of \[.*\]\. Did you mean \"adam\"\?"),
        ({"loss": "bc"}, r"loss='bc' is not a known choice.*Did you mean \"bce\"\?"),
        ({"activation": "Relu6"}, r"activation='Relu6' is not a known choice.*Did you mean \"relu\"\?"),
        ({"latent": "gauss"}, r"latent='gauss' is not a known choice.*Did you mean \"gaussian\"\?"),
        ({"noise": "flip"}, r"noise='flip' is not a known choice.*Did you mean \"bitflip\"\?"),
        ({"architecture": "cnn"}, r"architecture='cnn' is not a known choice\. Expected one of \['dense', 'conv', 'fully-conv'\]"),
        ({"latent_dim": 0}, r"latent_dim must be an integer >= 1; got 0"),
        ({"hidden_sizes": (10, -3)}, r"each entry of hidden_sizes must be an integer >= 1; got -3"),
        ({"learning_rate": -1.0}, r"learning_rate must be a number in \[0.0, inf\]; got -1.0"),
        ({"validation_fraction": 1.0}, r"validation_fraction must be a number in \[0.0, 1.0\); got 1.0"),
        ({"loss": "bce", "output_activation": "linear"}, r'loss="bce" models probabilities, so output_activation must be "sigmoid".*Fix'),
        ({"sparsity_weight": 1.0}, r"sparsity_weight > 0 needs code activations in \(0, 1\).*Fix: latent_activation=\"sigmoid\""),
        ({"contractive_weight": 1.0, "latent": "gaussian"}, r"contractive_weight > 0 needs a deterministic code"),
        ({"device": "tpu9"}, r"device='tpu9' is not a device torch knows"),
    ],
)
def test_parameter_errors_name_the_parameter_and_the_fix(X, params, message):
    with pytest.raises(ConfigError, match=message):
        fit(X, **params)


def test_layers_cannot_be_combined_with_hidden_sizes(X):
    with pytest.raises(ConfigError, match=r"layers describes the whole network, so it cannot be combined with hidden_sizes.*Fix"):
        AutoencoderEstimator(layers=(35, 2, 35), layer_activations=("relu", "sigmoid"), hidden_sizes=(5,)).fit(X)


@pytest.mark.parametrize(
    "layers,acts,message",
    [
        ((35, 2, 10, 35), ("relu",) * 3, r"layers must have an odd length >= 3 .* got 4 sizes"),
        ((35, 2, 35), ("relu",), r"layer_activations needs one activation per layer: 2 for layers \[35, 2, 35\]; got 1"),
        ((35, 2, 34), ("relu", "relu"), r"layers must start and end with the number of features; got 35 and 34"),
        ((30, 2, 30), ("relu", "relu"), r"layers starts with 30 inputs but X has 35 features\. Fix"),
    ],
)
def test_layer_list_errors(X, layers, acts, message):
    with pytest.raises((ConfigError, DataError), match=message):
        AutoencoderEstimator.from_layers(layers, acts).fit(X)


def test_nan_or_inf_in_X(X):
    bad = X.copy()
    bad[3, 7] = np.nan
    with pytest.raises(DataError, match=r"X contains NaN or infinity in 1 values \(first at index \(3, 7\)\).*Fix: impute"):
        fit(bad)
    bad[3, 7] = np.inf
    with pytest.raises(DataError, match="NaN or infinity"):
        fit(bad)


def test_huge_finite_values_whose_sum_overflows_are_accepted(X):
    from aekit.estimators import validate_input

    big = np.full((4, 35), 3e38, dtype=np.float32)  # finite, but their float32 sum is inf
    assert validate_input(big)[0].shape == (4, 35)


def test_empty_X():
    with pytest.raises(DataError, match=r"X is empty: got 0 samples \(shape \(0, 35\)\); at least 1 is needed\. Fix"):
        fit(np.zeros((0, 35)))


def test_one_dimensional_X():
    with pytest.raises(DataError, match=r"X must be 2-D .* got a 1-D array of shape \(35,\)\. Fix: Reshape your data with X.reshape"):
        fit(np.zeros(35))


def test_wrong_number_of_features_at_transform(X):
    ae = fit(X)
    with pytest.raises(DataError, match=r"X has 30 features, but AutoencoderEstimator is expecting 35 features as input\. Fix"):
        ae.transform(X[:, :30])
    with pytest.raises(DataError, match=r"inverse_transform takes codes with 2 columns \(latent_dim\); got 3\. Fix"):
        ae.inverse_transform(np.zeros((4, 3)))


def test_bce_with_X_outside_zero_one(X):
    with pytest.raises(DataError, match=r'loss="bce" needs X in \[0, 1\].*got values from -1 to 2.*Fix: scale X to \[0, 1\].*or use loss="mse"'):
        fit(np.linspace(-1, 2, 70).reshape(2, 35), loss="bce")


def test_conv_input_shape_that_does_not_match_the_data(X):
    with pytest.raises(DataError, match=r"input_shape=\(1, 28, 28\) has 784 values per sample but X has 35 features\. Fix"):
        fit(X, architecture="conv", input_shape=(1, 28, 28))
    with pytest.raises(DataError, match=r"e\.g\. input_shape=\(1, 8, 8\)"):
        fit(np.zeros((4, 64)), architecture="conv", input_shape=(1, 4, 4))
    with pytest.raises(ConfigError, match=r'architecture="conv" needs images: X has flat rows of 35 features and input_shape is None'):
        fit(X, architecture="conv")


def test_target_must_match_X(X):
    with pytest.raises(DataError, match=r"target has 5 samples but X has 32\. Fix"):
        AutoencoderEstimator(max_iter=1).fit(X, target=X[:5])


def test_transform_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet"):
        AutoencoderEstimator().transform(np.zeros((2, 3)))


def test_validation_data_gives_a_validation_curve_on_your_own_set(X):
    ae = AutoencoderEstimator(hidden_sizes=(10,), loss="bce", max_iter=4, random_state=0)
    ae.fit(X[:24], validation_data=X[24:])
    assert len(ae.history_.val_loss) == 4
    held_out = ae.reconstruction_error(X[24:]).mean()  # the last epoch's val_loss is this set's loss
    assert ae.history_.val_loss[-1] == pytest.approx(held_out, rel=1e-5)
    paired = AutoencoderEstimator(hidden_sizes=(10,), loss="bce", max_iter=2, random_state=0)
    paired.fit(X[:24], target=1 - X[:24], validation_data=(X[24:], 1 - X[24:]))
    assert len(paired.history_.val_loss) == 2


def test_validation_data_errors(X):
    with pytest.raises(ConfigError, match=r"Give either validation_data or validation_fraction \(now 0.2\), not both\. Fix"):
        AutoencoderEstimator(validation_fraction=0.2).fit(X, validation_data=X)
    with pytest.raises(DataError, match=r"validation_data has 30 features, but AutoencoderEstimator is expecting 35"):
        AutoencoderEstimator(max_iter=1).fit(X, validation_data=X[:, :30])
    with pytest.raises(DataError, match=r"validation_data target has 3 samples but validation_data has 8\. Fix: pass one"):
        AutoencoderEstimator(max_iter=1).fit(X, validation_data=(X[:8], X[:3]))


def test_binary_codes_do_not_collapse_with_bce():
    # Before the bits were batch-normalised, every digit got the same 16-bit code with bce.
    from aekit.datasets import load_digits

    X = load_digits().data[:500]
    ae = AutoencoderEstimator(latent="binary", latent_dim=16, hidden_sizes=(64,), loss="bce", max_iter=20, random_state=0).fit(X)
    Z = ae.transform(X)
    assert set(np.unique(Z)) == {0.0, 1.0}
    assert len(np.unique(Z, axis=0)) > 100
    assert 0.3 < Z.mean() < 0.7  # bits balanced across the data
