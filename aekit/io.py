"""Save and load fitted estimators: config.json + model.safetensors + history.json, no pickle.

A save writes into a temporary directory beside the target and renames it into place, so an
interrupted save never leaves a half-written model under the target name.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from aekit.errors import ModelFileError
from aekit.estimators.build import build_objective
from aekit.estimators import AnomalyDetector, AutoencoderEstimator, TableAutoencoder, resolve_device
from aekit.estimators.params import dump_fitted, restore_fitted
from aekit.models import ModelSpec, build_autoencoder
from aekit.train.history import History

__all__ = ["save", "load", "FILES"]

FORMAT = "aekit-model"
FORMAT_VERSION = 1
FILES = ("config.json", "model.safetensors", "history.json")
ESTIMATORS: dict[str, type] = {
    "AutoencoderEstimator": AutoencoderEstimator, "AnomalyDetector": AnomalyDetector, "TableAutoencoder": TableAutoencoder,
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.random.RandomState):
        return None  # a RandomState cannot be stored; the weights are saved, so nothing is lost
    return value


def save(estimator: AutoencoderEstimator, path: str | os.PathLike) -> Path:
    """Write a fitted estimator to the directory ``path`` (created or replaced atomically).

    Examples
    --------
    >>> import aekit, tempfile
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> ae = aekit.AutoencoderEstimator(hidden_sizes=(8,), max_iter=2, random_state=0).fit(X)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = aekit.save(ae, d + "/font-ae")
    ...     again = aekit.load(path)
    >>> bool((again.transform(X) == ae.transform(X)).all())
    True
    """
    if not hasattr(estimator, "model_"):
        raise ModelFileError(f"save() needs a fitted estimator; {type(estimator).__name__} has not been fitted. Fix: call fit(X) first.")
    path = Path(path)
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "estimator": type(estimator).__name__,
        "params": {k: _jsonable(v) for k, v in estimator.get_params(deep=False).items()},
        "fitted": {"spec": _jsonable(asdict(estimator.spec_)), **dump_fitted(estimator)},
    }
    state = {k: v.detach().to("cpu").contiguous() for k, v in estimator.model_.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        save_file(state, str(staging / "model.safetensors"))
        (staging / "history.json").write_text(json.dumps(estimator.history_.to_dict(), indent=1))
        (staging / "config.json").write_text(json.dumps(config, indent=2))
        if path.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, retired / "model")
            os.replace(staging, path)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path


def _read_json(path: Path, name: str) -> dict:
    try:
        return json.loads((path / name).read_text())
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path / name} is not valid JSON ({exc}); the file is truncated or corrupt. Fix: save the model again.") from None


def load(path: str | os.PathLike, device: str = "cpu") -> AutoencoderEstimator:
    """Rebuild a saved estimator; its outputs equal the saved one's. Loads onto ``device``.

    A model trained on a GPU loads on the CPU (the default).
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelFileError(f"No saved model at {path}: the directory does not exist. Fix: check the path, or save with aekit.save(estimator, path).")
    missing = [name for name in FILES if not (path / name).is_file()]
    if missing:
        raise ModelFileError(
            f"{path} is missing {', '.join(missing)}; a saved model holds {', '.join(FILES)}. "
            "Fix: save the model again with aekit.save(estimator, path)."
        )
    config = _read_json(path, "config.json")
    if config.get("format") != FORMAT or config.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path / 'config.json'} is not an aekit model of format version {FORMAT_VERSION} "
            f"(format={config.get('format')!r}, version={config.get('format_version')!r}). Fix: save it again with this aekit."
        )
    cls = ESTIMATORS.get(config.get("estimator"))
    if cls is None:
        raise ModelFileError(f"{path / 'config.json'} names an unknown estimator {config.get('estimator')!r}; expected one of {list(ESTIMATORS)}.")
    try:
        fitted = config["fitted"]
        estimator = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in config["params"].items()})
        spec = ModelSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in fitted["spec"].items()})
        restore_fitted(estimator, fitted)
    except (KeyError, TypeError) as exc:
        raise ModelFileError(f"{path / 'config.json'} does not describe a model ({exc!r} is missing or wrong). Fix: save the model again.") from None
    try:
        state = load_file(str(path / "model.safetensors"), device="cpu")
    except Exception as exc:  # safetensors raises its own error types for truncation and corruption
        raise ModelFileError(f"{path / 'model.safetensors'} cannot be read ({exc}); the file is truncated or corrupt. Fix: save the model again.") from None
    model = build_autoencoder(spec)
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    if expected != found:
        diff = sorted(set(expected.items()) ^ set(found.items()))[:4]
        raise ModelFileError(
            f"{path / 'model.safetensors'} does not match {path / 'config.json'}: tensors differ in name or shape "
            f"(first differences: {diff}). Fix: keep the three files of one save together."
        )
    model.load_state_dict(state)
    target = resolve_device(device)
    estimator.model_ = model.to(target).eval()
    estimator.spec_ = spec
    estimator.objective_ = build_objective(estimator, spec, estimator.solver)
    estimator.device_ = str(target)
    estimator.history_ = History.from_dict(_read_json(path, "history.json"))
    return estimator
