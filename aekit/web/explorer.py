"""What the latent explorer shows, without HTTP: the map, a sample's panel, decodes, strips.

:class:`Explorer` holds a fitted estimator and its data, fixed at start, and answers the
page's questions with plain Python values (lists, floats, strings) ready for JSON. The
request checks (:func:`parse_request`) live here too, so the routes only parse, call and
render, and every rule can be tested without a server.

Map coordinates: codes of 1, 2 or 3 dimensions are drawn as they are (a 1-D code on a line);
wider codes through PCA, whose inverse turns a clicked map point back into a code, or t-SNE,
which has no inverse: a clicked point then decodes the inverse-distance-weighted mean of the
codes of its 8 nearest map neighbours (said on the page).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from aekit.errors import ConfigError, DataError, check_choice

__all__ = ["Explorer", "RequestError", "LIMITS", "parse_request", "resolve_image_shape"]


@dataclass(frozen=True)
class Limits:
    """What one request may ask for."""

    body_bytes: int = 64 * 1024  # a request body (JSON) larger than this is refused
    points: int = 64  # codes or map points decoded by one request
    steps: int = 32  # images in one interpolation strip
    map_points: int = 5000  # points drawn on the map (a random subsample beyond it)
    sliders: int = 64  # code dimensions the page offers a slider for


LIMITS = Limits()


class RequestError(Exception):
    """A bad request: ``status`` (4xx) and a message saying what was expected and what came."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _reject_constant(name: str) -> float:
    raise RequestError(422, f"numbers must be finite; got {name}. Fix: send finite numbers only.")


def parse_request(body: bytes, limit: int = LIMITS.body_bytes) -> dict[str, Any]:
    """The JSON object in ``body``, or a :class:`RequestError` (413 too large, 400 not a JSON object, 422 NaN/inf).

    Examples
    --------
    >>> parse_request(b'{"codes": [[0.5, 1]]}')
    {'codes': [[0.5, 1]]}
    >>> parse_request(b'[1]')
    Traceback (most recent call last):
    ...
    aekit.web.explorer.RequestError: the body must be a JSON object such as {"codes": [[0.1, 0.2]]}; got a list.
    """
    if len(body) > limit:
        raise RequestError(413, f"the body must be at most {limit} bytes; got {len(body)}. Fix: send fewer points per request.")
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RequestError(400, f"the body must be UTF-8 JSON; it does not parse ({error}).") from None
    except RecursionError:
        raise RequestError(400, "the body nests too deeply; expected a flat JSON object.") from None
    if not isinstance(value, dict):
        raise RequestError(
            400, f'the body must be a JSON object such as {{"codes": [[0.1, 0.2]]}}; got a {type(value).__name__}.'
        )
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestError(422, f"{where} must be a number; got {json.dumps(value)[:40]} ({type(value).__name__}).")
    number = float(value)
    if not math.isfinite(number):
        raise RequestError(422, f"{where} must be a finite number; got {value!r}.")
    return number


def _integer(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(422, f"{where} must be an integer in [{low}, {high}]; got {json.dumps(value)[:40]}.")
    if not low <= value <= high:
        raise RequestError(422, f"{where} must be an integer in [{low}, {high}]; got {value}.")
    return value


def point_list(value: Any, where: str, width: int, max_points: int = LIMITS.points) -> np.ndarray:
    """``value`` as an (n, width) float32 array: a non-empty list of at most ``max_points`` lists of ``width`` finite numbers.

    Examples
    --------
    >>> point_list([[0, 1.5]], "codes", 2).tolist()
    [[0.0, 1.5]]
    >>> point_list([[0, 1]], "codes", 3)
    Traceback (most recent call last):
    ...
    aekit.web.explorer.RequestError: codes[0] must hold 3 numbers (one per dimension); got 2.
    """
    if not isinstance(value, list) or not value:
        raise RequestError(422, f"{where} must be a non-empty list of points, each a list of {width} numbers; got {json.dumps(value)[:40]}.")
    if len(value) > max_points:
        raise RequestError(413, f"{where} may hold at most {max_points} points per request; got {len(value)}. Fix: split the request.")
    rows = []
    for i, point in enumerate(value):
        if not isinstance(point, list):
            raise RequestError(422, f"{where}[{i}] must be a list of {width} numbers; got {json.dumps(point)[:40]}.")
        if len(point) != width:
            raise RequestError(422, f"{where}[{i}] must hold {width} numbers (one per dimension); got {len(point)}.")
        rows.append([_number(v, f"{where}[{i}][{j}]") for j, v in enumerate(point)])
    array = np.asarray(rows, dtype=np.float64)
    if np.any(np.abs(array) > 1e6):
        raise RequestError(422, f"{where} values must lie within +-1e6; got {np.abs(array).max():.3g}.")
    return array.astype(np.float32)


def _only_keys(body: dict[str, Any], allowed: set[str], example: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise RequestError(422, f"unknown field(s) {unknown}; expected only {sorted(allowed)}, e.g. {example}.")


def resolve_image_shape(image_shape: Any, n_features: int, input_shape: tuple[int, ...] | None = None) -> tuple[tuple[int, ...] | None, str]:
    """The image shape (H, W) or (H, W, C) the page draws samples in, or None (tabular), and how it was chosen.

    ``image_shape="auto"``: a conv model's input shape, else square images when ``n_features``
    is a square of at least 64 (8 x 8), else tabular. A tuple must multiply to ``n_features``.

    Examples
    --------
    >>> resolve_image_shape("auto", 784)
    ((28, 28), 'inferred 28x28 from 784 features; pass image_shape= to set it')
    >>> resolve_image_shape("auto", 35)[0] is None
    True
    >>> resolve_image_shape((7, 5), 35)[0]
    (7, 5)
    """
    if image_shape is None:
        return None, "tabular"
    if isinstance(image_shape, str):
        check_choice("image_shape", image_shape, ["auto"])
        if input_shape is not None and len(input_shape) == 3:  # conv: (C, H, W)
            c, h, w = input_shape
            return ((h, w) if c == 1 else (h, w, c)), "the model's input shape"
        side = math.isqrt(n_features)
        if side * side == n_features and side >= 8:
            return (side, side), f"inferred {side}x{side} from {n_features} features; pass image_shape= to set it"
        return None, "tabular (no image shape given)"
    shape = tuple(int(s) for s in image_shape)
    if len(shape) not in (2, 3) or min(shape) < 1 or math.prod(shape) != n_features or (len(shape) == 3 and shape[2] not in (1, 3)):
        raise ConfigError(
            f"image_shape must be (height, width) or (height, width, 1|3) multiplying to the {n_features} features; "
            f"got {image_shape!r}. Fix: e.g. image_shape=(28, 28) for 784 features, or None for tabular data."
        )
    return shape, "given"


class Explorer:
    """A fitted estimator, its data and the map of its codes, answering the page's questions.

    Parameters
    ----------
    estimator : fitted AutoencoderEstimator or AnomalyDetector
    X : array (n_samples, n_features)
        The samples on the map (their codes are computed once, here).
    labels : sequence of length n_samples, optional
        Shown on hover and used as the points' colour.
    image_shape : "auto", tuple or None
        See :func:`resolve_image_shape`; None draws samples as per-feature bar charts.
    projection : {"auto", "pca", "tsne"}
        How codes wider than 3 dimensions reach the 2-D map ("auto": PCA).
    max_points : int
        At most this many samples are on the map (a seeded random subsample beyond it).
    feature_names : sequence of str, optional
        Names of tabular features (default ``x0``, ``x1``, ...).
    random_state : int

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> font = load_font()
    >>> ae = AutoencoderEstimator(latent_dim=2, max_iter=2, random_state=0).fit(font.data)
    >>> explorer = Explorer(ae, font.data, font.labels, image_shape=font.image_shape)
    >>> explorer.map_view()["dim"], len(explorer.map_view()["points"])
    (2, 32)
    >>> len(explorer.decode_map_points(np.zeros((1, 2), np.float32))["decoded"][0])  # 7 x 5 pixels
    35
    """

    def __init__(
        self, estimator: Any, X: Any, labels: Any = None, *, image_shape: Any = "auto", projection: str = "auto",
        max_points: int = LIMITS.map_points, feature_names: Any = None, random_state: int = 0,
    ) -> None:
        if not hasattr(estimator, "model_"):
            raise ConfigError(f"estimator must be fitted; {type(estimator).__name__} has not been. Fix: call fit(X) first, or aekit.load(path).")
        X = np.asarray(X, dtype=np.float32)
        X = X.reshape(len(X), -1) if X.ndim > 2 else X
        if X.ndim != 2 or len(X) < 2:
            raise DataError(f"X must hold at least 2 samples, (n_samples, n_features); got shape {X.shape}.")
        if X.shape[1] != estimator.n_features_in_:
            raise DataError(f"X has {X.shape[1]} features but the model takes {estimator.n_features_in_}. Fix: pass the data the model was trained on.")
        if labels is not None and len(labels) != len(X):
            raise DataError(f"labels has {len(labels)} entries for {len(X)} samples; give one label per sample, or labels=None.")
        if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 2:
            raise ConfigError(f"max_points must be an integer >= 2; got {max_points!r}.")
        self.projection = check_choice("projection", projection, ["auto", "pca", "tsne"])
        self.estimator = estimator
        self.image_shape, self.image_shape_source = resolve_image_shape(image_shape, X.shape[1], tuple(estimator.input_shape_))
        n = len(X)
        self.n_total = n
        keep = np.arange(n) if n <= max_points else np.sort(np.random.default_rng(random_state).choice(n, max_points, replace=False))
        self.X = X[keep]
        self.labels = None if labels is None else [str(labels[i]) for i in keep]
        self.codes = estimator.transform(self.X).astype(np.float64)
        self.latent_dim = self.codes.shape[1]
        # the anomaly score, in the units of an AnomalyDetector's threshold_ (the plain error otherwise)
        self.errors = (-estimator.score_samples(self.X)).astype(np.float64)
        threshold = getattr(estimator, "threshold_", None)  # an AnomalyDetector's fitted threshold
        self.threshold = None if threshold is None else float(threshold)
        self.feature_names = [str(f) for f in feature_names] if feature_names is not None else [f"x{j}" for j in range(X.shape[1])]
        low, high = float(np.min(X)), float(np.max(X))
        self.value_range = (0.0, 1.0) if low >= 0.0 and high <= 1.0 else (low, high if high > low else low + 1.0)
        self._pca = None
        self._method, self.points = self._project(random_state)
        from aekit.apps.generate import code_limits

        self.code_limits = code_limits(self.codes, margin=0.25)

    # ------------------------------------------------------------------ map
    def _project(self, random_state: int) -> tuple[str, np.ndarray]:
        if self.latent_dim <= 3 and self.projection == "auto":
            if self.latent_dim == 1:
                return "identity", np.column_stack([self.codes[:, 0], np.zeros(len(self.codes))])
            return "identity", self.codes
        if self.projection == "tsne":
            from aekit.apps.visualise import project_codes

            return "tsne", project_codes(self.codes, "tsne", random_state)
        from sklearn.decomposition import PCA

        self._pca = PCA(n_components=min(2, self.latent_dim), random_state=random_state).fit(self.codes)
        points = self._pca.transform(self.codes)
        if points.shape[1] == 1:
            points = np.column_stack([points[:, 0], np.zeros(len(points))])
        return "pca", points

    def map_view(self) -> dict[str, Any]:
        """The map: points (2 or 3 coordinates), labels, errors, threshold and what the page needs to draw."""
        unique = sorted(set(self.labels)) if self.labels is not None else []
        names = {
            "identity": [f"z{i + 1}" for i in range(self.latent_dim)] if self.latent_dim > 1 else ["z1", ""],
            "pca": ["PC1", "PC2"], "tsne": ["t-SNE 1", "t-SNE 2"],
        }[self._method]
        return {
            "dim": int(self.points.shape[1]),
            "method": self._method,
            "axis_names": names,
            "latent_dim": self.latent_dim,
            "n_total": self.n_total,
            "n_shown": len(self.points),
            "points": np.round(self.points, 5).tolist(),
            "labels": self.labels,
            "classes": unique if len(unique) <= 20 else [],
            "errors": np.round(self.errors, 6).tolist(),
            "threshold": self.threshold,
            "color_by": "error" if self.threshold is not None else ("label" if self.labels is not None else "none"),
            "kind": "image" if self.image_shape is not None else "tabular",
            "image_shape": list(self.image_shape) if self.image_shape is not None else None,
            "image_shape_source": self.image_shape_source,
            "feature_names": self.feature_names if self.image_shape is None else None,
            "code_limits": np.round(self.code_limits[: LIMITS.sliders], 5).tolist(),
            "limits": {"points": LIMITS.points, "steps": LIMITS.steps, "body_bytes": LIMITS.body_bytes},
            "click_decodes": {"identity": "the clicked latent point", "pca": "the clicked point through PCA's inverse",
                              "tsne": "the weighted mean code of the 8 nearest points (t-SNE has no inverse)"}[self._method],
        }

    def map_to_codes(self, points: np.ndarray) -> np.ndarray:
        """Map coordinates (n, map dim) to codes (n, latent_dim)."""
        if self._method == "identity":
            return points[:, : self.latent_dim].astype(np.float32)
        if self._method == "pca":
            return self._pca.inverse_transform(points[:, : self._pca.n_components_].astype(np.float64)).astype(np.float32)
        distance = np.linalg.norm(self.points[None, :, :] - points[:, None, :], axis=2)  # (n, n_map)
        nearest = np.argsort(distance, axis=1)[:, :8]
        weights = 1.0 / (np.take_along_axis(distance, nearest, axis=1) + 1e-9)
        return ((self.codes[nearest] * weights[..., None]).sum(1) / weights.sum(1, keepdims=True)).astype(np.float32)

    # -------------------------------------------------------------- answers
    def render(self, rows: np.ndarray) -> list[list[float]]:
        """Rows to what the page draws: pixels 0..255 on the data's range for images, values for tabular rows."""
        if self.image_shape is None:
            return np.round(rows.astype(np.float64), 5).tolist()
        low, high = self.value_range
        return np.clip(np.rint((rows - low) / (high - low) * 255.0), 0, 255).astype(np.uint8).tolist()

    def sample(self, index: int) -> dict[str, Any]:
        """Sample ``index`` of the map: its input, reconstruction, label, code, error (and per-feature errors when tabular)."""
        x = self.X[index : index + 1]
        out = {
            "index": index,
            "label": None if self.labels is None else self.labels[index],
            "error": float(self.errors[index]),
            "code": np.round(self.codes[index], 6).tolist(),
            "input": self.render(x)[0],
            "reconstruction": self.render(self.estimator.reconstruct(x))[0],
        }
        if self.image_shape is None:
            if hasattr(self.estimator, "explain"):  # an AnomalyDetector: each feature's share of its score
                per_feature, what = self.estimator.explain(x).contributions[0], "contribution to the anomaly score"
            else:
                per_feature, what = ((self.estimator.reconstruct(x) - x) ** 2)[0], "squared error"
            out["feature_errors"] = np.round(per_feature.astype(np.float64), 6).tolist()
            out["feature_error_kind"] = what
        return out

    def decode_codes(self, codes: np.ndarray) -> dict[str, Any]:
        """Decode codes (n, latent_dim)."""
        return {"codes": np.round(codes.astype(np.float64), 6).tolist(), "decoded": self.render(self.estimator.inverse_transform(codes))}

    def decode_map_points(self, points: np.ndarray) -> dict[str, Any]:
        """Decode the latent points under map coordinates (n, map dim)."""
        return self.decode_codes(self.map_to_codes(points))

    def interpolate(self, start: int, end: int, steps: int) -> dict[str, Any]:
        """The decoded strips between samples ``start`` and ``end``, linear and spherical, ends included."""
        from aekit.apps.generate import interpolate_samples

        a, b = self.X[start], self.X[end]
        return {
            "start": start, "end": end,
            "linear": self.render(interpolate_samples(self.estimator, a, b, steps, method="linear")),
            "spherical": self.render(interpolate_samples(self.estimator, a, b, steps, method="spherical")),
        }

    # ---------------------------------------------------- request -> answer
    def index(self, value: Any, where: str = "index") -> int:
        """A map sample's index from a request value (an int, or the text of one in a URL)."""
        if isinstance(value, str):
            if not (value.isascii() and value.isdigit() and len(value) < 10):
                raise RequestError(422, f"{where} must be an integer in [0, {len(self.X) - 1}]; got {value[:40]!r}.")
            value = int(value)
        return _integer(value, where, 0, len(self.X) - 1)

    def decode_request(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"codes": [[...latent_dim numbers], ...]}`` or ``{"map_points": [[...map dim numbers], ...]}`` decoded."""
        example = f'{{"codes": [{[0.0] * min(self.latent_dim, 3)}]}} or {{"map_points": [{[0.0] * self.points.shape[1]}]}}'
        _only_keys(body, {"codes", "map_points"}, example)
        if ("codes" in body) == ("map_points" in body):
            raise RequestError(422, f'send exactly one of "codes" (latent_dim={self.latent_dim} numbers per point) or "map_points" ({self.points.shape[1]} per point), e.g. {example}.')
        if "codes" in body:
            return self.decode_codes(point_list(body["codes"], "codes", self.latent_dim))
        return self.decode_map_points(point_list(body["map_points"], "map_points", self.points.shape[1]))

    def interpolate_request(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"start": i, "end": j, "steps": n}`` (sample indices on the map; steps 2..LIMITS.steps, default 8)."""
        _only_keys(body, {"start", "end", "steps"}, '{"start": 0, "end": 5, "steps": 8}')
        for key in ("start", "end"):
            if key not in body:
                raise RequestError(422, f'"{key}" is missing: expected {{"start": i, "end": j, "steps": n}} with sample indices i, j.')
        steps = _integer(body.get("steps", 8), "steps", 2, LIMITS.steps)
        return self.interpolate(self.index(body["start"], "start"), self.index(body["end"], "end"), steps)
