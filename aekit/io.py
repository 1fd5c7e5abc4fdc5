"""Save and load fitted estimators: config.json + model.safetensors + history.json, no pickle.

A save writes into a temporary directory beside the target and renames it into place, so an
interrupted save never leaves a half-written model under the target name. An
:class:`~aekit.AnomalyDetector` with several members (``n_members``) keeps its own network in
those three files and each other member's in the same three files under ``members/<i>/`` (i its
index among the members), listed in config.json's ``"members"``.

Numeric array state (each ``FITTED_STATE`` field declared with ``float_array``: a detector's
reference codes, a hashing rotation, ...) is stored in ``model.safetensors`` beside the weights,
as the tensor ``fitted.<key>`` in its declared dtype, and config.json's ``"fitted"`` entry for it
is ``{"tensor": "fitted.<key>"}``; scalars, names and small dicts stay JSON. This is format
version 2. :func:`load` also reads version 1, where those arrays were JSON lists in config.json
(an older aekit refuses version 2 files by their version instead of misreading them).
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
from aekit.estimators.params import TENSOR_PREFIX, MissingTensorError, dump_fitted, restore_fitted
from aekit.models import ModelSpec, build_autoencoder
from aekit.train.history import History

__all__ = ["save", "load", "FILES"]

FORMAT = "aekit-model"
FORMAT_VERSION = 2  # 2: numeric fitted arrays in model.safetensors (1: JSON lists in config.json)
READ_VERSIONS = (1, 2)
FILES = ("config.json", "model.safetensors", "history.json")
MEMBERS = "members"  # the folder of an AnomalyDetector's other members, one sub-folder each
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
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        members = getattr(estimator, "members_", None) or [estimator]
        folders = ["." if m is estimator else f"{MEMBERS}/{i}" for i, m in enumerate(members)]
        for member, folder in zip(members, folders):
            if member is not estimator:
                (staging / folder).mkdir(parents=True)
                _write(member, staging / folder)
        _write(estimator, staging, folders if len(members) > 1 else None)
        _usual_permissions(staging)
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


def _usual_permissions(folder: Path) -> None:
    """Give ``folder`` and everything in it the modes a plain mkdir/open would have (umask applied):
    the staging folder comes from mkdtemp (0700) and safetensors writes its files 0600, so a saved
    model would otherwise be unreadable to anyone but its owner."""
    umask = os.umask(0)
    os.umask(umask)
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o777 & ~umask)
        for name in files:
            os.chmod(os.path.join(root, name), 0o666 & ~umask)


def _write(estimator: AutoencoderEstimator, folder: Path, members: list[str] | None = None) -> None:
    """One network's three files in ``folder``; ``members``: the member folders config.json lists."""
    arrays: dict[str, np.ndarray] = {}
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "estimator": type(estimator).__name__,
        "params": {k: _jsonable(v) for k, v in estimator.get_params(deep=False).items()},
        "fitted": {"spec": _jsonable(asdict(estimator.spec_)), **dump_fitted(estimator, arrays)},
    }
    if members is not None:
        config["members"] = members
    state = {k: v.detach().to("cpu").contiguous() for k, v in estimator.model_.state_dict().items()}
    state.update((name, torch.from_numpy(a)) for name, a in arrays.items())  # names start with TENSOR_PREFIX
    save_file(state, str(folder / "model.safetensors"))
    (folder / "history.json").write_text(json.dumps(estimator.history_.to_dict(), indent=1))
    (folder / "config.json").write_text(json.dumps(config, indent=2))


def _read_json(path: Path, name: str) -> dict:
    try:
        return json.loads((path / name).read_text())
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path / name} is not valid JSON ({exc}); the file is truncated or corrupt. Fix: save the model again.") from None


def _not_a_model(path: Path, exc: Exception) -> ModelFileError:
    return ModelFileError(f"{path / 'config.json'} does not describe a model ({exc!r} is missing or wrong). Fix: save the model again.")


def load(path: str | os.PathLike, device: str = "cpu") -> AutoencoderEstimator:
    """Rebuild a saved estimator; its outputs equal the saved one's. Loads onto ``device``.

    A model trained on a GPU loads on the CPU (the default).
    """
    path = Path(path)
    estimator, config = _read(path, device)
    members = config.get("members")
    if members is not None:  # an AnomalyDetector's other members, each saved as one network
        scale = getattr(estimator, "member_scale_", None)
        if not isinstance(members, list) or members.count(".") != 1 or scale is None or len(members) != len(scale):
            raise ModelFileError(
                f"{path / 'config.json'} lists members {members!r} that do not match its member_scale_ (one folder "
                "per member, \".\" the detector's own). Fix: save the model again."
            )
        estimator.members_ = [estimator if folder == "." else _read_member(path, folder, device) for folder in members]
    elif isinstance(estimator, AnomalyDetector):
        estimator.members_ = [estimator]  # one network (also every detector saved before n_members existed)
    return estimator


def _read_member(path: Path, folder: str, device: str) -> AnomalyDetector:
    """One of a detector's other members, from its folder under ``path``."""
    where = path / folder
    if not (isinstance(folder, str) and folder.startswith(f"{MEMBERS}/") and where.is_dir()):
        raise ModelFileError(
            f"{path} lists the ensemble member {folder!r}, but {where} is not a folder of this model: a member's "
            f"files are missing. Fix: keep the whole folder of one save together, or save the model again."
        )
    member, _ = _read(where, device)
    if not isinstance(member, AnomalyDetector):
        raise ModelFileError(f"{where / 'config.json'} holds a {type(member).__name__}, not an AnomalyDetector member. Fix: save the model again.")
    return member


def _read(path: Path, device: str) -> tuple[AutoencoderEstimator, dict]:
    """The estimator whose three files are in ``path`` (its members not yet attached), and its config."""
    if not path.is_dir():
        raise ModelFileError(f"No saved model at {path}: the directory does not exist. Fix: check the path, or save with aekit.save(estimator, path).")
    missing = [name for name in FILES if not (path / name).is_file()]
    if missing:
        raise ModelFileError(
            f"{path} is missing {', '.join(missing)}; a saved model holds {', '.join(FILES)}. "
            "Fix: save the model again with aekit.save(estimator, path)."
        )
    config = _read_json(path, "config.json")
    if config.get("format") != FORMAT or config.get("format_version") not in READ_VERSIONS:
        raise ModelFileError(
            f"{path / 'config.json'} is not an aekit model of format version {' or '.join(map(str, READ_VERSIONS))} "
            f"(format={config.get('format')!r}, version={config.get('format_version')!r}). Fix: load it with the aekit "
            "that saved it (a newer aekit may write a newer version), or save it again with this aekit."
        )
    cls = ESTIMATORS.get(config.get("estimator"))
    if cls is None:
        raise ModelFileError(f"{path / 'config.json'} names an unknown estimator {config.get('estimator')!r}; expected one of {list(ESTIMATORS)}.")
    try:
        fitted = config["fitted"]
        estimator = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in config["params"].items()})
        spec = ModelSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in fitted["spec"].items()})
    except (KeyError, TypeError) as exc:
        raise _not_a_model(path, exc) from None
    try:
        state = load_file(str(path / "model.safetensors"), device="cpu")
    except Exception as exc:  # safetensors raises its own error types for truncation and corruption
        raise ModelFileError(f"{path / 'model.safetensors'} cannot be read ({exc}); the file is truncated or corrupt. Fix: save the model again.") from None
    arrays = {name: state.pop(name).numpy() for name in sorted(state) if name.startswith(TENSOR_PREFIX)}
    model = build_autoencoder(spec)
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    if expected != found:
        diff = sorted(set(expected.items()) ^ set(found.items()))[:4]
        raise ModelFileError(
            f"{path / 'model.safetensors'} does not match {path / 'config.json'}: tensors differ in name or shape "
            f"(first differences: {diff}). Fix: keep the three files of one save together."
        )
    try:
        restore_fitted(estimator, fitted, arrays)
    except MissingTensorError as exc:
        raise ModelFileError(
            f"{path / 'config.json'} stores the fitted {exc.key!r} as the tensor {exc.tensor!r}, but {path / 'model.safetensors'} "
            f"has no such tensor (its fitted tensors: {sorted(arrays)}). Fix: keep the three files of one save together, "
            "or save the model again."
        ) from None
    except (KeyError, TypeError) as exc:
        raise _not_a_model(path, exc) from None
    model.load_state_dict(state)
    target = resolve_device(device)
    estimator.model_ = model.to(target).eval()
    estimator.spec_ = spec
    estimator.objective_ = build_objective(estimator, spec, estimator.solver)
    estimator.device_ = str(target)
    estimator.history_ = History.from_dict(_read_json(path, "history.json"))
    return estimator, config
