"""The explorer's answers and request checks, without a server."""

import numpy as np
import pytest

from aekit import AutoencoderEstimator
from aekit.errors import ConfigError, DataError
from aekit.web.explorer import LIMITS, Explorer, RequestError, parse_request, point_list, resolve_image_shape


def test_two_dimensional_codes_are_drawn_as_they_are(font_model, font_explorer):
    ae, font = font_model
    view = font_explorer.map_view()
    assert view["dim"] == 2 and view["method"] == "identity" and view["kind"] == "image"
    np.testing.assert_allclose(view["points"], ae.transform(font.data), atol=1e-4)
    assert view["labels"] == list(font.labels) and view["threshold"] is None


def test_a_sample_has_input_reconstruction_label_and_error(font_model, font_explorer):
    ae, font = font_model
    s = font_explorer.sample(3)
    assert s["label"] == font.labels[3] and len(s["input"]) == len(s["reconstruction"]) == 35
    assert s["input"] == [int(v * 255) for v in font.data[3]]
    assert s["error"] == pytest.approx(float(ae.reconstruction_error(font.data[3:4])[0]), rel=1e-5)


def test_a_clicked_point_decodes_through_the_model(font_model, font_explorer):
    ae, _ = font_model
    out = font_explorer.decode_map_points(np.array([[0.3, -0.2]], np.float32))
    expected = np.rint(ae.inverse_transform(np.array([[0.3, -0.2]], np.float32)) * 255)
    np.testing.assert_allclose(out["decoded"], expected, atol=1)


def test_interpolation_gives_linear_and_spherical_strips_with_the_ends(font_explorer):
    out = font_explorer.interpolate(1, 2, 5)
    assert len(out["linear"]) == len(out["spherical"]) == 5
    ends = font_explorer.decode_codes(font_explorer.codes[[1, 2]].astype(np.float32))["decoded"]
    np.testing.assert_allclose([out["linear"][0], out["linear"][-1]], ends, atol=1)


def test_wide_codes_go_through_pca_and_a_map_point_inverts_to_a_code(font_model):
    _, font = font_model
    ae = AutoencoderEstimator(hidden_sizes=(16,), latent_dim=5, max_iter=5, random_state=0).fit(font.data)
    explorer = Explorer(ae, font.data, image_shape=(7, 5))
    assert explorer.map_view()["method"] == "pca" and explorer.map_view()["dim"] == 2
    code = explorer.map_to_codes(explorer.points[:1].astype(np.float32))
    assert code.shape == (1, 5)
    tsne = Explorer(ae, font.data, image_shape=(7, 5), projection="tsne")
    assert tsne.map_view()["method"] == "tsne" and tsne.map_to_codes(tsne.points[:2].astype(np.float32)).shape == (2, 5)


def test_three_dimensional_codes_make_a_three_dimensional_map(font_model):
    _, font = font_model
    ae = AutoencoderEstimator(hidden_sizes=(16,), latent_dim=3, max_iter=5, random_state=0).fit(font.data)
    view = Explorer(ae, font.data, image_shape=(7, 5)).map_view()
    assert view["dim"] == 3 and len(view["points"][0]) == 3 and len(view["code_limits"]) == 3


def test_beyond_max_points_the_map_is_a_subsample(font_model):
    ae, font = font_model
    X = np.repeat(font.data, 4, axis=0)
    view = Explorer(ae, X, max_points=50, image_shape=(7, 5)).map_view()
    assert view["n_total"] == 128 and view["n_shown"] == 50 and len(view["points"]) == 50


def test_an_anomaly_detector_colours_by_error_with_its_threshold_and_tabular_data_gets_bars(tabular_detector):
    detector, X = tabular_detector
    explorer = Explorer(detector, X, image_shape="auto")
    view = explorer.map_view()
    assert view["color_by"] == "error" and view["threshold"] == pytest.approx(detector.threshold_)
    # the colours are the detector's anomaly scores, in the threshold's units
    np.testing.assert_allclose(view["errors"], -detector.score_samples(X[: len(view["errors"])]), rtol=1e-4, atol=1e-5)
    assert view["kind"] == "tabular" and view["feature_names"] == [f"x{j}" for j in range(6)]
    s = explorer.sample(0)
    np.testing.assert_allclose(s["feature_errors"], detector.explain(X[:1]).contributions[0], rtol=1e-4, atol=1e-6)
    assert "anomaly score" in s["feature_error_kind"]


def test_image_shape_is_inferred_only_for_square_images_and_says_so():
    assert resolve_image_shape("auto", 784) == ((28, 28), "inferred 28x28 from 784 features; pass image_shape= to set it")
    assert resolve_image_shape("auto", 16)[0] is None  # 4 x 4 is too small to call it an image
    assert resolve_image_shape("auto", 35, (1, 7, 5))[0] == (7, 5)
    with pytest.raises(ConfigError, match=r"image_shape must be .* multiplying to the 35 features; got \(6, 6\)"):
        resolve_image_shape((6, 6), 35)


def test_explorer_refuses_bad_arguments(font_model):
    ae, font = font_model
    with pytest.raises(DataError, match="X has 34 features but the model takes 35"):
        Explorer(ae, font.data[:, :34])
    with pytest.raises(DataError, match="labels has 2 entries for 32 samples"):
        Explorer(ae, font.data, ["a", "b"])
    with pytest.raises(ConfigError, match="projection"):
        Explorer(ae, font.data, projection="umap")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"x" * (LIMITS.body_bytes + 1), 413, "at most 65536 bytes"),
        (b"{", 400, "does not parse"),
        (b"\xff", 400, "UTF-8 JSON"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (b'{"codes": [[NaN, 1]]}', 422, "finite"),
        (b'{"codes": [[Infinity, 1]]}', 422, "finite"),
        (b"[" * 100000 + b"]" * 100000, 413, "at most"),
        (b"[" * 30000, 400, "nests too deeply"),
    ],
)
def test_parse_request_refuses_each_bad_body(body, status, message):
    with pytest.raises(RequestError, match=message) as caught:
        parse_request(body)
    assert caught.value.status == status


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x", "non-empty list of points"),
        ([], "non-empty list of points"),
        ([[0.0]], r"codes\[0\] must hold 2 numbers"),
        ([[0, 1, 2]], r"codes\[0\] must hold 2 numbers"),
        ([3.0], r"codes\[0\] must be a list"),
        ([[0, "1"]], r"codes\[0\]\[1\] must be a number; got \"1\""),
        ([[0, None]], r"codes\[0\]\[1\] must be a number"),
        ([[0, True]], r"must be a number; got true"),
        ([[0, 1e300]], r"within \+-1e6"),
        ([[0, float("nan")]], "finite"),
        ([[0.0, 0.0]] * (LIMITS.points + 1), "at most 64 points"),
    ],
)
def test_point_list_refuses_each_bad_value(value, message):
    with pytest.raises(RequestError, match=message):
        point_list(value, "codes", 2)


def test_decode_and_interpolate_requests_name_what_they_expect(font_explorer):
    with pytest.raises(RequestError, match='exactly one of "codes"'):
        font_explorer.decode_request({})
    with pytest.raises(RequestError, match="unknown field"):
        font_explorer.decode_request({"codes": [[0, 0]], "path": "/etc/passwd"})
    with pytest.raises(RequestError, match="steps must be an integer in \\[2, 32\\]; got 33"):
        font_explorer.interpolate_request({"start": 0, "end": 1, "steps": 33})
    with pytest.raises(RequestError, match='"end" is missing'):
        font_explorer.interpolate_request({"start": 0})
    with pytest.raises(RequestError, match="start must be an integer in \\[0, 31\\]; got -1"):
        font_explorer.interpolate_request({"start": -1, "end": 1})
