"""Export a fitted estimator to ONNX: score and encode without Python or aekit.

Each part is the graph of one estimator method, scaling included, so an ONNX runtime gives
what the estimator gives (tested with onnxruntime on 1,000 rows to 1e-5):

=================  ==========================  ==========================  =====================
part               input                       output                      the estimator's
=================  ==========================  ==========================  =====================
``encoder``        ``x`` (batch, *input_shape)  ``z`` (batch, latent_dim)   ``transform``
``decoder``        ``z`` (batch, latent_dim)    ``x_hat`` (batch, n_feat)   ``inverse_transform``
``autoencoder``    ``x`` (batch, *input_shape)  ``x_hat`` (batch, n_feat)   ``reconstruct``
``anomaly-score``  ``x`` (batch, *input_shape)  ``score`` (batch,)          ``score_samples``
=================  ==========================  ==========================  =====================

``input_shape`` is ``(n_features,)`` for dense models and ``(C, H, W)`` for convolutional
ones (``estimator.input_shape_``); the batch dimension is dynamic. The code is the one
``transform`` gives: the mean for a VAE, hard 0/1 bits for a binary latent. An
:class:`~aekit.AnomalyDetector`'s graphs start with its scaling ``(x - shift_) / scale_`` (and
the decoder's end with ``x * scale_ + shift_``); its score is ``score_samples``: minus the
reconstruction loss the detector was trained with, each feature's loss over ``error_scale_``
with ``error_scaling="feature"``, all in float64 (the network too, unless it is convolutional:
ONNX Runtime has no float64 convolution; the output is float64), plus the code's distance
(its mean squared distance to its nearest training codes with ``code_score="neighbors"``, a
TopK over ``code_reference_``; its squared Mahalanobis distance from them with
``"mahalanobis"``), the two parts over their training medians (``score_scale_``); a detector of
several members (``n_members``) runs every member's network on the scaled input and averages
their scores, each over its median training score (``member_scale_``), while the other parts
are the detector's own network (the middle member). Its threshold is in the metadata
(``aekit.threshold``: a row is an anomaly when ``score < -threshold``). A plain estimator's
score is minus its float32 reconstruction loss, as its ``score_samples``.

The file records ``aekit.version``, ``aekit.estimator``, ``aekit.part``, ``aekit.params``
(the estimator's parameters, JSON) and ``aekit.input_shape`` as ONNX metadata. Exporting the
same model twice writes the same bytes.

The exporter is PyTorch's ``torch.export``-based one (``torch.onnx.export(..., dynamo=True)``,
needs ``onnxscript``): the TorchScript-based one is deprecated since PyTorch 2.9 and warns
that it will be removed. Install the extra with ``pip install "aekit[onnx]"``.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from aekit.errors import ConfigError, ModelFileError, check_choice
from aekit.estimators.anomaly import score_dtype

__all__ = ["PARTS", "OPSET", "export_onnx"]

PARTS = ("encoder", "decoder", "autoencoder", "anomaly-score")
OPSET = 18
_EXPORT_BATCH = 2  # the example batch the graph is traced with; the batch dimension stays dynamic


class _Scaling(nn.Module):
    """``(x - shift) / scale`` of a detector (identity for a plain estimator), on flat features."""

    def __init__(self, estimator: Any):
        super().__init__()
        shift = getattr(estimator, "shift_", None)
        scale = getattr(estimator, "scale_", None)
        # a table's numeric columns are standardised by its encoder (the detector's scaler is
        # then the identity), and an embedded category makes the output wider than the input
        self.active = shift is not None and getattr(estimator, "table_", None) is None
        if self.active:
            self.register_buffer("shift", torch.as_tensor(np.asarray(shift, np.float32)).reshape(1, -1))
            self.register_buffer("scale", torch.as_tensor(np.asarray(scale, np.float32)).reshape(1, -1))

    def scaled(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.shift) / self.scale if self.active else x

    def unscaled(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + self.shift if self.active else x


class _NetworkScore(nn.Module):
    """One detector network's score of scaled input, as ``score_samples`` computes it for one network:
    per-feature errors summed in float64, each over ``error_scale_`` (error_scaling="feature"), plus
    the code's distance (code_score="neighbors" or "mahalanobis"), the two parts over their training
    medians. Positive: higher is more anomalous."""

    def __init__(self, estimator: Any):
        super().__init__()
        self.model = copy.deepcopy(estimator.model_).to("cpu").eval()
        self.dtype = score_dtype(self.model)
        self.model = self.model.to(self.dtype)  # as score_samples runs it
        self.per_element_error = estimator.objective_.per_element_error
        error_scale = getattr(estimator, "error_scale_", None)
        self.error_scaled = error_scale is not None
        if self.error_scaled:
            self.register_buffer("error_scale", _float64(error_scale).reshape(1, -1))
        precision = getattr(estimator, "code_precision_", None)
        reference = getattr(estimator, "code_reference_", None)
        self.code_scored = precision is not None or reference is not None
        self.code_neighbors = None if reference is None else int(estimator.code_neighbors_)
        if reference is not None:  # code_score="neighbors"
            self.register_buffer("code_reference", _float64(reference))
            self.register_buffer("code_reference_norms", _float64((np.asarray(reference, np.float64) ** 2).sum(1)).reshape(1, -1))
        elif precision is not None:
            self.register_buffer("code_center", _float64(estimator.code_center_).reshape(1, -1))
            self.register_buffer("code_precision", _float64(precision))
        if self.code_scored:
            self.register_buffer("score_scale", _float64(estimator.score_scale_))

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        xs = xs.to(self.dtype)
        out = self.model(xs)
        errors = self.per_element_error(out, xs).reshape(xs.shape[0], -1).to(torch.float64)
        score = (errors / self.error_scale if self.error_scaled else errors).sum(1)
        if self.code_scored:
            z = out.z.reshape(xs.shape[0], -1).to(torch.float64)  # the forward pass's code
            if self.code_neighbors is not None:  # mean of the k smallest squared distances, as _neighbor_distances
                d2 = (z * z).sum(1, keepdim=True) + self.code_reference_norms - 2.0 * (z @ self.code_reference.T)
                distance = torch.topk(d2.clamp(min=0.0), self.code_neighbors, dim=1, largest=False).values.mean(1)
            else:
                centered = z - self.code_center
                distance = ((centered @ self.code_precision) * centered).sum(1)
            score = score / self.score_scale[0] + distance / self.score_scale[1]
        return score


class _Part(nn.Module):
    """One exportable part: the model plus the estimator's scaling and (for scores) its loss."""

    def __init__(self, estimator: Any, part: str):
        super().__init__()
        self.part = part
        self.scaling = _Scaling(estimator)
        self.input_shape = tuple(int(s) for s in estimator.input_shape_)
        self.per_sample_error = estimator.objective_.per_sample_error
        # An AnomalyDetector's score: its one network's, or its members' mean, each over its median
        # training score (member_scale_), as score_samples computes it.
        self.detector = hasattr(estimator, "threshold_")
        if not (self.detector and part == "anomaly-score"):
            self.model = copy.deepcopy(estimator.model_).to("cpu").eval()
        else:  # the members hold the networks
            members = getattr(estimator, "members_", None) or [estimator]
            self.members = nn.ModuleList([_NetworkScore(m) for m in members])
            if len(members) > 1:
                self.register_buffer("member_scale", _float64(estimator.member_scale_))

    def _model_input(self, x: torch.Tensor) -> torch.Tensor:
        flat = self.scaling.scaled(x.reshape(x.shape[0], -1))
        return flat.reshape(x.shape[0], *self.input_shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.part == "decoder":
            x_hat = self.model.decode(x)
            return self.scaling.unscaled(x_hat.reshape(x_hat.shape[0], -1))
        xs = self._model_input(x)
        if self.detector and self.part == "anomaly-score":
            if len(self.members) == 1:
                return -self.members[0](xs)
            scores = [member(xs) / self.member_scale[i] for i, member in enumerate(self.members)]
            return -(sum(scores) / len(scores))  # as AnomalyDetector._averaged
        if self.part == "encoder":
            return self.model.encode(xs).z
        out = self.model(xs)
        if self.part == "autoencoder":
            return self.scaling.unscaled(out.x_hat.reshape(out.x_hat.shape[0], -1))
        return -self.per_sample_error(out, xs).reshape(-1)


def _float64(values: Any) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values, np.float64))


def _metadata(estimator: Any, part: str) -> dict[str, str]:
    from importlib.metadata import version  # aekit/__init__.py sits above this module; it reads the same number

    __version__ = version("aekit")
    params = {k: _jsonable(v) for k, v in estimator.get_params(deep=False).items()}
    meta = {
        "aekit.version": __version__,
        "aekit.estimator": type(estimator).__name__,
        "aekit.part": part,
        "aekit.params": json.dumps(params, sort_keys=True),
        "aekit.input_shape": json.dumps(list(estimator.input_shape_)),
        "aekit.latent_dim": str(int(estimator.spec_.latent_dim)),
        "aekit.loss": str(estimator.objective_.reconstruction),
    }
    if hasattr(estimator, "threshold_"):
        meta["aekit.threshold"] = repr(float(estimator.threshold_))
    table = getattr(estimator, "table_", None)
    if table is not None:  # a mixed-type table: the graph takes the encoded matrix; this says how to encode
        meta["aekit.table_encoder"] = json.dumps(table.to_dict(), sort_keys=True)
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        meta["aekit.feature_names"] = json.dumps([str(n) for n in names])
    return meta


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)  # e.g. a RandomState: not reproducible from the file, named for the record


def _require_onnx() -> Any:
    try:
        import onnx
        import onnxscript  # noqa: F401  (torch's exporter needs it)
    except ImportError as exc:
        raise ConfigError(
            f"export_onnx needs the onnx extra ({exc.name} is not installed). Fix: pip install \"aekit[onnx]\"."
        ) from None
    return onnx


def export_onnx(estimator: Any, path: str | os.PathLike, part: str = "autoencoder") -> Path:
    """Write one part of a fitted estimator to the ONNX file ``path``.

    Parameters
    ----------
    estimator : AutoencoderEstimator or AnomalyDetector
        Fitted; dense or convolutional, any latent head (the code is what ``transform`` gives).
    path : str or path-like
        The ``.onnx`` file to write (its folder is created).
    part : {"encoder", "decoder", "autoencoder", "anomaly-score"}, default="autoencoder"
        Which method's graph to write; see the module docstring for inputs and outputs.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ConfigError
        For an unknown ``part``, or when the onnx extra is not installed.
    ModelFileError
        When the estimator is not fitted, or its model cannot be expressed in ONNX (the
        message gives PyTorch's reason).

    Examples
    --------
    >>> import numpy as np, tempfile, onnxruntime
    >>> from aekit import AnomalyDetector, export_onnx
    >>> X = np.random.default_rng(0).normal(size=(64, 5)).astype(np.float32)
    >>> det = AnomalyDetector(max_iter=2, random_state=0).fit(X)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = export_onnx(det, d + "/score.onnx", part="anomaly-score")
    ...     session = onnxruntime.InferenceSession(str(path))
    ...     (score,) = session.run(None, {"x": X[:3]})
    >>> bool(np.allclose(score, det.score_samples(X[:3]), atol=1e-5))
    True
    """
    part = check_choice("part", part, PARTS)
    if not hasattr(estimator, "model_"):
        raise ModelFileError(
            f"export_onnx needs a fitted estimator; {type(estimator).__name__} has not been fitted. Fix: call fit(X) or aekit.load(path) first."
        )
    onnx = _require_onnx()
    module = _Part(estimator, part).eval()
    if part == "decoder":
        example = torch.zeros(_EXPORT_BATCH, int(estimator.spec_.latent_dim))
        names = (["z"], ["x_hat"])
    else:
        example = torch.zeros(_EXPORT_BATCH, *module.input_shape)
        names = (["x"], {"encoder": ["z"], "autoencoder": ["x_hat"], "anomaly-score": ["score"]}[part])
    batch = torch.export.Dim("batch", min=1)
    try:
        program = _quiet_export(module, example, names, batch)
    except Exception as exc:  # torch raises many types here; the reason is in the message
        raise ModelFileError(
            f"The {part} of this {type(estimator).__name__} cannot be exported to ONNX: {type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no reason given'}. Fix: export another part, "
            "or build the model from the standard layers (architecture='dense' or 'conv')."
        ) from exc
    proto = program.model_proto
    fixed = [v.name for v in [*proto.graph.input, *proto.graph.output] if not v.type.tensor_type.shape.dim[0].dim_param]
    if fixed:
        raise ModelFileError(
            f"The {part} of this {type(estimator).__name__} exported with a fixed batch size in {fixed}: some layer "
            "reads the batch size as a Python number (e.g. view(len(x), ...)). Fix: write that layer with "
            "flatten/unflatten or x.shape[0], so ONNX keeps the batch dimension dynamic."
        )
    proto.doc_string = f"aekit {type(estimator).__name__} {part}"
    del proto.metadata_props[:]
    for key, value in sorted(_metadata(estimator, part).items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(proto.SerializeToString(deterministic=True))
    onnx.checker.check_model(str(path))
    return path


def _quiet_export(module: nn.Module, example: torch.Tensor, names: tuple[list[str], list[str]], batch: Any) -> Any:
    """torch.onnx.export (the torch.export-based exporter) without its progress prints."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")  # the exporter's own FutureWarnings about torch internals
            return torch.onnx.export(
                module, (example,), input_names=names[0], output_names=names[1], opset_version=OPSET,
                dynamic_shapes=({0: batch},), dynamo=True, external_data=False, verbose=False,
            )
    finally:
        logger.setLevel(level)
