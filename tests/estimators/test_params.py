"""One parameter list and one fitted-state declaration: the detector, the CLI and save/load derive from them."""

import inspect

import numpy as np
import pytest
from sklearn.base import clone

import aekit
from aekit import AnomalyDetector, AutoencoderEstimator
from aekit.errors import ConfigError
from aekit.estimators.params import Fitted, MissingTensorError, derived_init, dump_fitted, float_array, restore_fitted


def _names(cls):
    return [n for n in inspect.signature(cls.__init__).parameters if n != "self"]


def test_the_detector_signature_is_its_own_parameters_then_the_estimators():
    own = ["contamination", "threshold", "threshold_param", "holdout_fraction", "scaler", "error_scaling", "embed_above", "code_score", "max_steps", "n_members", "reference_trim"]
    assert _names(AnomalyDetector) == own + _names(AutoencoderEstimator)
    defaults = AnomalyDetector().get_params()
    assert (defaults["hidden_sizes"], defaults["latent_dim"], defaults["dropout"], defaults["max_iter"]) == ("auto", "auto", 0.2, 100)
    assert defaults["solver"] == AutoencoderEstimator().solver  # not overridden: the estimator's default


def test_a_new_estimator_parameter_reaches_a_derived_init():
    class Base:
        def __init__(self, *, a: int = 1, new_one: float = 0.5):
            pass

    class Child(Base):
        __init__ = derived_init(Base, {"own": (3, "int")}, {})

    assert vars(Child(new_one=2.0)) == {"own": 3, "a": 1, "new_one": 2.0}


def test_a_derived_init_refuses_unknown_and_positional_arguments():
    with pytest.raises(TypeError, match="unexpected keyword argument 'hiden_sizes'"):
        AnomalyDetector(hiden_sizes=(3,))
    with pytest.raises(TypeError):
        AnomalyDetector(0.1)
    with pytest.raises(TypeError, match="shadow"):
        derived_init(AutoencoderEstimator, {"solver": ("x", "str")}, {})


def test_clone_and_set_params_see_every_detector_parameter():
    det = AnomalyDetector(contamination=0.05, solver="rmsprop", hidden_sizes=(7,))
    again = clone(det)
    assert again.get_params() == det.get_params()
    assert again.set_params(beta=2.0).beta == 2.0


def test_fitted_state_round_trips_through_its_declaration():
    class Thing:
        FITTED_STATE = (Fitted("n_", int, int), Fitted("_shape", list, tuple, key="shape"), Fitted("names_", optional=True))

    thing = Thing()
    thing.n_, thing._shape = 3, (1, 2)
    saved = dump_fitted(thing)
    assert saved == {"n_": 3, "shape": [1, 2]}  # the optional field is absent, so not written
    fresh = Thing()
    restore_fitted(fresh, saved)
    assert (fresh.n_, fresh._shape, hasattr(fresh, "names_")) == (3, (1, 2), False)
    with pytest.raises(KeyError, match="shape"):
        restore_fitted(Thing(), {"n_": 1})


def test_array_fields_go_to_tensors_in_their_declared_dtype_and_come_back():
    class Thing:
        FITTED_STATE = (
            Fitted("n_", int, int),
            Fitted("shift_", *float_array(np.float32)),
            Fitted("ref_", *float_array(np.float64), key="reference"),
            Fitted("empty_", *float_array(np.float64)),
            Fitted("scalar_", *float_array(np.float64)),
            Fitted("none_", *float_array(np.float64)),
        )

    thing = Thing()
    thing.n_, thing.shift_, thing.ref_ = 2, np.array([1.5, -2.0], np.float32), np.random.default_rng(0).normal(size=(3, 2))
    thing.empty_, thing.scalar_, thing.none_ = np.zeros((0, 4)), np.float64(0.1), None
    tensors = {}
    saved = dump_fitted(thing, tensors)
    assert saved["n_"] == 2 and saved["reference"] == {"tensor": "fitted.reference"} and saved["none_"] is None
    assert sorted(tensors) == ["fitted.empty_", "fitted.reference", "fitted.scalar_", "fitted.shift_"]
    assert tensors["fitted.shift_"].dtype == np.float32 and tensors["fitted.reference"].dtype == np.float64
    fresh = Thing()
    restore_fitted(fresh, saved, tensors)
    for name in ("shift_", "ref_", "empty_", "scalar_"):
        want, got = np.asarray(getattr(thing, name)), getattr(fresh, name)
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want), name
    assert fresh.none_ is None
    old = Thing()  # the JSON lists of format version 1 still restore
    restore_fitted(old, dump_fitted(thing))
    np.testing.assert_array_equal(old.ref_, thing.ref_)
    del tensors["fitted.reference"]
    with pytest.raises(MissingTensorError) as caught:
        restore_fitted(Thing(), saved, tensors)
    assert (caught.value.key, caught.value.tensor) == ("reference", "fitted.reference")


def test_save_keeps_the_feature_names(tmp_path):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)), columns=["a", "b", "c"])
    det = AnomalyDetector(max_iter=2, random_state=0).fit(X)
    again = aekit.load(aekit.save(det, tmp_path / "det"))
    assert list(again.feature_names_in_) == ["a", "b", "c"]
    assert again.explain(X.iloc[:1]).feature_names == ["a", "b", "c"]


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(0)
    return rng.normal(size=(120, 3)) @ rng.normal(size=(3, 6)) * 10 + 5


def test_detector_fit_takes_validation_data_in_the_units_of_X(X):
    det = AnomalyDetector(max_iter=3, random_state=0).fit(X[:100], validation_data=X[100:])
    assert len(det.history_.val_loss) == 3
    # scaled like X: the validation loss is of the order of the training loss, not of X's raw units
    assert det.history_.val_loss[-1] < 10 * det.history_.loss[-1]


def test_detector_fit_takes_initial_state(X):
    first = AnomalyDetector(max_iter=3, random_state=0).fit(X)
    # a step size of 0 keeps the initial weights, so they must be the ones given
    second = AnomalyDetector(max_iter=1, learning_rate=0.0, random_state=1).fit(X, initial_state=first.model_.state_dict())
    assert all((a == b).all() for a, b in zip(first.model_.state_dict().values(), second.model_.state_dict().values()))


def test_detector_fit_refuses_a_target_and_says_why(X):
    with pytest.raises(ConfigError, match=r"reconstructs itself.*Fix: drop target"):
        AnomalyDetector(max_iter=1).fit(X, target=X)
