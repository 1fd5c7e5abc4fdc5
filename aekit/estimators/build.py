"""Translate an estimator's parameters and data into what the training loop takes.

Kept apart from the facade: every parameter check lives here, each error naming the
parameter, what was expected, what was received and the fix.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, replace
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch

from aekit.errors import ConfigError, DataError, check_choice
from aekit.estimators.checks import validate_input
from aekit.layers.activations import ACTIVATIONS
from aekit.layers.conv import DOWNSAMPLING, UPSAMPLING
from aekit.layers.fullconv import RESAMPLING, feature_map_shape
from aekit.layers.init import WEIGHT_INITS
from aekit.layers.latent import latent_head
from aekit.contractive import CONTRACTIVE_ESTIMATORS
from aekit.losses import (
    RECONSTRUCTION_LOSSES,
    REGULARISERS,
    KLSparsity,
    Objective,
    Term,
)
from aekit.models import ModelSpec, fully_conv_layers
from aekit.noise import Corruption, make_noise
from aekit.train import LEARNING_RATE_SCHEDULES, SCIPY_SOLVERS, SOLVERS, BatchSource, InMemorySource, TrainConfig

# The estimator's parameters as attributes: an estimator, or a namespace of resolved get_params().
Parameters = Any

__all__ = ["TrainingPlan", "build_objective", "build_training", "model_spec"]

ARCHITECTURES = ("dense", "conv", "fully-conv")
IMAGE_ARCHITECTURES = ("conv", "fully-conv")
_SHAPE_DEFAULTS = {
    "hidden_sizes": (64,),
    "latent_dim": 2,
    "activation": "relu",
    "latent_activation": "linear",
    "output_activation": "auto",
}


@dataclass(frozen=True)
class TrainingPlan:
    """What one fit needs: the data's width and sample shape, the model, objective, settings and batches."""

    n_features: int
    sample_shape: tuple[int, ...]
    input_shape: tuple[int, ...]
    spec: ModelSpec
    objective: Objective
    config: TrainConfig
    train: BatchSource
    validation: BatchSource | None
    noise: Corruption | None


def _positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _real(name: str, value: Any, low: float = 0.0, high: float = math.inf, high_open: bool = False) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and low <= value and (value < high if high_open else value <= high)
    if not ok:
        bracket = ")" if high_open else "]"
        raise ConfigError(f"{name} must be a number in [{low}, {high}{bracket}; got {value!r}.")
    return float(value)


def _sizes(name: str, value: Any) -> tuple[int, ...]:
    if isinstance(value, Integral) and not isinstance(value, bool):
        value = (value,)
    try:
        sizes = tuple(value)
    except TypeError:
        raise ConfigError(f"{name} must be a sequence of positive integers such as (64, 32); got {value!r}.") from None
    for s in sizes:
        _positive_int(f"each entry of {name}", s)
    return tuple(int(s) for s in sizes)


def _layer_form(est: Parameters) -> dict[str, Any]:
    """Split ``layers``/``layer_activations`` into encoder, code and decoder parts."""
    changed = [k for k, v in _SHAPE_DEFAULTS.items() if getattr(est, k) != v]
    if changed:
        raise ConfigError(
            f"layers describes the whole network, so it cannot be combined with {', '.join(changed)}. "
            f"Fix: give either layers (with layer_activations) or {', '.join(changed)}."
        )
    layers = _sizes("layers", est.layers)
    acts = list(est.layer_activations or [])
    if len(layers) < 3 or len(layers) % 2 == 0:
        raise ConfigError(
            f"layers must have an odd length >= 3 (input, ..., code, ..., output; the middle entry is "
            f"the code); got {len(layers)} sizes: {list(layers)}."
        )
    if len(acts) != len(layers) - 1:
        raise ConfigError(
            f"layer_activations needs one activation per layer: {len(layers) - 1} for layers "
            f"{list(layers)}; got {len(acts)}: {acts}."
        )
    if layers[0] != layers[-1]:
        raise ConfigError(f"layers must start and end with the number of features; got {layers[0]} and {layers[-1]}.")
    mid = len(layers) // 2
    for a in acts:
        check_choice("layer_activations", a, ACTIVATIONS)
    return {
        "hidden_sizes": layers[1:mid],
        "activations": tuple(acts[: mid - 1]),
        "latent_dim": layers[mid],
        "latent_activation": acts[mid - 1],
        "decoder_sizes": layers[mid + 1 : -1],
        "decoder_activations": tuple(acts[mid:-1]),
        "output_activation": acts[-1],
        "n_features": layers[0],
    }


def _output_activation(est: Parameters, loss: str, requested: str) -> str:
    if requested == "auto":
        return "sigmoid" if loss == "bce" else "linear"
    output = check_choice("output_activation", requested, ACTIVATIONS)
    if loss == "bce" and output != "sigmoid":
        raise ConfigError(
            f'loss="bce" models probabilities, so output_activation must be "sigmoid" (or "auto"); '
            f'got {requested!r}. Fix: drop output_activation, or use loss="mse".'
        )
    return output


def model_spec(est: Parameters, sample_shape: tuple[int, ...]) -> ModelSpec:
    """The ModelSpec for these parameters and data of ``sample_shape`` (features or C, H, W)."""
    spec = _network_spec(est, sample_shape)
    table = getattr(est, "table_", None)
    if table is None or not table.embedded_inputs:
        return spec
    # a mixed-type table with embedded categories: index slots in, one logit per category out
    names = [c.name for c in table.columns_ if c.embedded]
    if spec.architecture != "dense":
        raise ConfigError(
            f"Embedded category columns ({names}) need a dense network; got architecture={spec.architecture!r}. "
            'Fix: architecture="dense".'
        )
    for name, value, off in (("noise", est.noise, None), ("contractive_weight", est.contractive_weight, 0)):
        if value not in (off, "none", 0.0):
            raise ConfigError(
                f"{name}={value!r} acts on every input slot, but the columns {names} enter as category indices that "
                f"the network embeds. Fix: drop {name}, or one-hot those columns (raise embed_above above their "
                "number of categories)."
            )
    return replace(spec, embedded=table.embedded_inputs, output_features=table.n_outputs_)


def _network_spec(est: Parameters, sample_shape: tuple[int, ...]) -> ModelSpec:
    loss = check_choice("loss", est.loss, RECONSTRUCTION_LOSSES)
    latent = latent_head(est.latent).kind
    architecture = check_choice("architecture", est.architecture, ARCHITECTURES)
    dropout = _real("dropout", est.dropout, 0.0, 1.0, high_open=True)
    weight_init = check_choice("weight_init", est.weight_init, WEIGHT_INITS)
    n_features = int(np.prod(sample_shape))
    if est.layers is not None:
        if architecture != "dense":
            raise ConfigError(f'layers describes a dense network; it cannot be used with architecture="{architecture}".')
        parts = _layer_form(est)
        if parts.pop("n_features") != n_features:
            raise DataError(
                f"layers starts with {est.layers[0]} inputs but X has {n_features} features. "
                f"Fix: make the first and last entries of layers {n_features}."
            )
        parts["output_activation"] = _output_activation(est, loss, parts["output_activation"])
        return ModelSpec(input_shape=(n_features,), latent=latent, dropout=dropout, weight_init=weight_init, **parts)

    if architecture == "fully-conv":
        return _fully_conv_spec(est, sample_shape, latent, loss, dropout, weight_init)
    latent_dim = _positive_int("latent_dim", est.latent_dim)
    activation = check_choice("activation", est.activation, ACTIVATIONS)
    latent_activation = check_choice("latent_activation", est.latent_activation, ACTIVATIONS)
    output = _output_activation(est, loss, est.output_activation)
    if architecture == "dense":
        return ModelSpec(
            input_shape=(n_features,), hidden_sizes=_sizes("hidden_sizes", est.hidden_sizes),
            activations=activation, latent_dim=latent_dim, latent=latent,
            latent_activation=latent_activation, output_activation=output, dropout=dropout,
            weight_init=weight_init,
        )
    return ModelSpec(
        input_shape=_conv_shape(est, sample_shape), activations=activation, latent_dim=latent_dim,
        latent=latent, latent_activation=latent_activation, output_activation=output, dropout=dropout,
        weight_init=weight_init, architecture="conv", channels=_sizes("channels", est.channels),
        downsampling=check_choice("downsampling", est.downsampling, DOWNSAMPLING),
        upsampling=check_choice("upsampling", est.upsampling, UPSAMPLING),
    )


def _fully_conv_spec(
    est: Parameters, sample_shape: tuple[int, ...], latent: str, loss: str, dropout: float, weight_init: str
) -> ModelSpec:
    """A conv network whose code is the encoder's last feature map (no dense layer anywhere)."""
    if latent != "deterministic":
        raise ConfigError(
            f'architecture="fully-conv" has a convolutional feature map as its code; latent={est.latent!r} '
            'needs a dense code layer to draw from. Fix: latent="deterministic", or architecture="conv" '
            "(a conv encoder/decoder around a dense code)."
        )
    if est.latent_dim not in (None, 2):  # 2 is the default: the code's size here follows from the layers
        raise ConfigError(
            f'latent_dim={est.latent_dim!r} cannot be set with architecture="fully-conv": the code is the last '
            "encoder layer's feature map, of size channels[-1] * H * W. Fix: drop latent_dim (or pass None); "
            "shape the code with channels and resampling."
        )
    channels = _sizes("channels", est.channels)
    if not channels:
        raise ConfigError('channels must list at least one conv layer (the last is the code) for architecture="fully-conv"; got ().')
    decoder = tuple(reversed(channels[:-1])) if est.decoder_channels is None else _sizes("decoder_channels", est.decoder_channels)
    n_layers = len(channels) + len(decoder) + 1
    if est.resampling is None:
        down = check_choice("downsampling", est.downsampling, DOWNSAMPLING)
        up = check_choice("upsampling", est.upsampling, UPSAMPLING)
        resampling = (down,) * len(channels) + (up,) * (n_layers - len(channels))
    else:
        resampling = (est.resampling,) if isinstance(est.resampling, str) else tuple(est.resampling)
        if len(resampling) != n_layers:
            raise ConfigError(
                f"resampling needs one entry per conv layer: {len(channels)} encoder (channels), {len(decoder)} "
                f"decoder (decoder_channels) and the output layer, {n_layers} in all; got {len(resampling)}: "
                f"{list(resampling)}. Fix: e.g. resampling={['none'] * n_layers}."
            )
        resampling = tuple(check_choice("resampling", r, tuple(RESAMPLING)) for r in resampling)
    if sum(RESAMPLING[r] for r in resampling):
        raise ConfigError(
            f"resampling {list(resampling)} does not bring the output back to the input's resolution: every "
            '"pool"/"stride" halves H and W and every "upsample"/"transpose" doubles them, so the network needs '
            'as many of one as of the other. Fix: balance them (e.g. "upsample" in a decoder layer).'
        )
    spec = ModelSpec(
        input_shape=_conv_shape(est, sample_shape), activations=check_choice("activation", est.activation, ACTIVATIONS),
        latent=latent, latent_activation=check_choice("latent_activation", est.latent_activation, ACTIVATIONS),
        output_activation=_output_activation(est, loss, est.output_activation), dropout=dropout,
        weight_init=weight_init, architecture="fully-conv", channels=channels, decoder_channels=decoder,
        resampling=resampling, latent_dim=1,
    )
    code_size = int(np.prod(feature_map_shape(spec.input_shape, fully_conv_layers(spec)[0])))
    return dataclasses.replace(spec, latent_dim=code_size)


def _conv_shape(est: Parameters, sample_shape: tuple[int, ...]) -> tuple[int, int, int]:
    n_features = int(np.prod(sample_shape))
    if est.input_shape is not None:
        shape = _sizes("input_shape", est.input_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        if len(shape) != 3:
            raise ConfigError(f"input_shape must be (channels, height, width) or (height, width); got {est.input_shape!r}.")
        if int(np.prod(shape)) != n_features:
            side = math.isqrt(n_features)
            hint = f", e.g. input_shape=(1, {side}, {side})" if side * side == n_features else ""
            raise DataError(
                f"input_shape={tuple(est.input_shape)} has {int(np.prod(shape))} values per sample but X has "
                f"{n_features} features. Fix: pass the (channels, height, width) of your images{hint}."
            )
        return shape
    if len(sample_shape) == 3:
        return tuple(int(s) for s in sample_shape)
    if len(sample_shape) == 2:
        return (1, *(int(s) for s in sample_shape))
    side = math.isqrt(n_features)
    hint = f" e.g. input_shape=(1, {side}, {side})," if side * side == n_features else ""
    raise ConfigError(
        f'architecture="conv" needs images: X has flat rows of {n_features} features and input_shape is None. '
        f"Fix: pass input_shape=(channels, height, width),{hint} or X shaped (n, C, H, W)."
    )


def build_objective(est: Parameters, spec: ModelSpec, solver: str) -> Objective:
    """The Objective for these parameters: reconstruction loss plus the weighted regularisers."""
    loss = check_choice("loss", est.loss, RECONSTRUCTION_LOSSES)
    traits = latent_head(spec.latent).traits
    terms: dict[str, Term] = {}
    if traits.regulariser is not None:  # the head's own term (a VAE's KL), weighted by beta
        terms[traits.regulariser] = Term(
            _real("beta", est.beta), REGULARISERS[traits.regulariser], _positive_int("kl_warmup", est.kl_warmup, 0)
        )
    if _real("l1_weight", est.l1_weight):
        terms["l1"] = Term(float(est.l1_weight), REGULARISERS["l1"])
    if _real("sparsity_weight", est.sparsity_weight):
        if not traits.smooth_code or spec.latent_activation != "sigmoid":
            raise ConfigError(
                "sparsity_weight > 0 needs code activations in (0, 1) (the KL sparsity penalty compares "
                f'mean activations with sparsity_target); got latent={spec.latent!r}, latent_activation={spec.latent_activation!r}. '
                'Fix: latent_activation="sigmoid", or use l1_weight for an L1 penalty.'
            )
        rho = _real("sparsity_target", est.sparsity_target, 0.0, 1.0, high_open=True)
        if rho == 0.0:
            raise ConfigError("sparsity_target must lie strictly between 0 and 1; got 0.")
        terms["sparsity"] = Term(float(est.sparsity_weight), KLSparsity(rho))
    if _real("contractive_weight", est.contractive_weight):
        if spec.architecture == "fully-conv":
            raise ConfigError(
                f'contractive_weight > 0 is not supported with architecture="fully-conv": the code is a feature '
                f"map of {spec.latent_dim} values, so the encoder's Jacobian has {spec.latent_dim} rows. "
                'Fix: contractive_weight=0, or architecture="conv" with a small latent_dim.'
            )
        if not traits.smooth_code:
            raise ConfigError(
                f"contractive_weight > 0 needs a deterministic code; got latent={spec.latent!r}. "
                'Fix: latent="deterministic" (a VAE already regularises its code through beta).'
            )
        estimator = check_choice("contractive_estimator", est.contractive_estimator, CONTRACTIVE_ESTIMATORS)
        if estimator != "exact" and solver in SCIPY_SOLVERS:
            raise ConfigError(
                f'contractive_estimator="{estimator}" draws random probes at every evaluation, which {solver!r} '
                'cannot take: scipy solvers need a deterministic objective. Fix: contractive_estimator="exact", '
                'or solver="adam".'
            )
        terms["contractive"] = Term(float(est.contractive_weight), CONTRACTIVE_ESTIMATORS[estimator])
    if _real("weight_decay", est.weight_decay) and solver != "adamw":
        terms["weight_decay"] = Term(float(est.weight_decay), REGULARISERS["weight_decay"])
    params = {"sigma": _real("correntropy_sigma", est.correntropy_sigma)} if loss == "correntropy" else {}
    if loss == "correntropy" and params["sigma"] == 0:
        raise ConfigError("correntropy_sigma must be > 0; got 0.")
    table = getattr(est, "table_", None)
    if table is not None:  # a mixed-type table (aekit.tables): one loss head per column instead
        return table.objective(terms)
    return Objective(loss, terms, params)


def _config(est: Parameters, n_train: int) -> TrainConfig:
    solver = check_choice("solver", est.solver, SOLVERS)
    schedule = check_choice("learning_rate_schedule", est.learning_rate_schedule, LEARNING_RATE_SCHEDULES)
    if solver in SCIPY_SOLVERS and schedule != "constant":
        raise ConfigError(
            f"learning_rate_schedule={schedule!r} sets a mini-batch solver's step size per epoch; {solver!r} is a "
            f'scipy solver that chooses its own steps. Fix: drop learning_rate_schedule, or use solver="adam".'
        )
    if est.batch_size == "auto":
        batch_size = min(200, n_train)
    else:
        batch_size = _positive_int("batch_size", est.batch_size)
    return TrainConfig(
        solver=solver,
        learning_rate=_real("learning_rate", est.learning_rate, 0.0) if solver not in SCIPY_SOLVERS else float(est.learning_rate),
        learning_rate_schedule=schedule,
        batch_size=batch_size,
        max_iter=_positive_int("max_iter", est.max_iter),
        max_fun=_positive_int("max_fun", est.max_fun),
        momentum=_real("momentum", est.momentum, 0.0, 1.0),
        nesterov=bool(est.nesterov),
        decoupled_weight_decay=float(est.weight_decay) if solver == "adamw" else 0.0,
        early_stopping=bool(est.early_stopping),
        n_iter_no_change=_positive_int("n_iter_no_change", est.n_iter_no_change),
        tol=_real("tol", est.tol),
        shuffle=bool(est.shuffle),
        dead_unit_resample=_dead_unit_resample(est.dead_unit_resample, solver),
        batch_norm=_flag("batch_norm", est.batch_norm),
    )


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"{name} must be True or False; got {value!r}. Fix: {name}=True or {name}=False.")
    return bool(value)


def _check_batch_norm(est: Parameters, spec: ModelSpec, config: TrainConfig) -> None:
    """batch_norm=True trains dense layers with a mini-batch solver; refuse what it cannot go with."""
    if not config.batch_norm:
        return
    refusals = (
        (config.is_scipy, f"solver={config.solver!r} is a scipy solver that runs as one call on the whole objective, "
         "with no batches to normalise over", 'use solver="adam"'),
        (spec.architecture != "dense", f"architecture={spec.architecture!r} has convolution layers, which it does not "
         "normalise", 'use architecture="dense"'),
        (bool(_real("contractive_weight", est.contractive_weight)), "the contractive penalty's exact Jacobian does not "
         "see the normalisation", "set contractive_weight=0"),
        (bool(config.dead_unit_resample), "every unit is already centred on each batch, so none dies to resample",
         "drop dead_unit_resample (0)"),
    )  # fmt: skip
    for refused, why, fix in refusals:
        if refused:
            raise ConfigError(
                f"batch_norm=True trains dense layers with batch normalisation under a mini-batch solver; here {why}. "
                f"Fix: {fix}, or batch_norm=False."
            )


def _dead_unit_resample(value: Any, solver: str) -> int:
    every = _positive_int("dead_unit_resample", value, minimum=0)
    if every and solver in SCIPY_SOLVERS:
        raise ConfigError(
            f"dead_unit_resample={every} resamples dead units between a mini-batch solver's epochs; {solver!r} is a "
            'scipy solver that runs as one call. Fix: drop dead_unit_resample (0), or use solver="adam".'
        )
    return every


def _refuse_stochastic_scipy(solver: str, spec: ModelSpec) -> None:
    reasons = []
    refusal = latent_head(spec.latent).traits.scipy_refusal
    if refusal is not None:
        reasons.append(refusal)
    if spec.dropout > 0:
        reasons.append("dropout draws a new mask at every evaluation")
    if reasons:
        raise ConfigError(
            f"solver={solver!r} is a full-batch scipy optimiser: its line searches need a deterministic, "
            f"smooth objective, but {' and '.join(reasons)}. Fix: use a mini-batch solver such as "
            f'solver="adam" (noise is fine with scipy solvers: it is drawn once per run).'
        )


def _check_range(name: str, data: np.ndarray, loss: str) -> None:
    if loss == "bce" and len(data) and (data.min() < 0 or data.max() > 1):
        raise DataError(
            f'loss="bce" needs {name} in [0, 1] (it is the target of a Bernoulli likelihood); got values '
            f"from {data.min():.4g} to {data.max():.4g}. Fix: scale {name} to [0, 1] (e.g. "
            f'sklearn.preprocessing.MinMaxScaler) or use loss="mse".'
        )


def build_training(
    est: Parameters, X: Any, target: Any, device: torch.device, seed: int, validation_data: Any = None,
    owner: str = "the model",
) -> TrainingPlan:
    """Validate parameters and data; return the model spec, objective, settings and batches.

    ``est`` holds the estimator's parameters as attributes (the estimator itself, or a
    namespace of resolved parameters); nothing is written to it. ``owner`` names the
    estimator in data errors.
    """
    noise = make_noise(est.noise, est.noise_level)
    fraction = _real("validation_fraction", est.validation_fraction, 0.0, 1.0, high_open=True)
    if isinstance(X, BatchSource):
        if validation_data is not None:
            raise ConfigError("validation_data is not supported with a streamed BatchSource. Fix: pass arrays.")
        return _streaming_plan(est, X, target, noise, fraction)
    if validation_data is not None and fraction > 0:
        raise ConfigError(
            f"Give either validation_data or validation_fraction (now {fraction}), not both. "
            "Fix: set validation_fraction=0 to validate on validation_data."
        )

    data, sample_shape = validate_input(X)
    spec = model_spec(est, sample_shape)
    loss = check_choice("loss", est.loss, RECONSTRUCTION_LOSSES)
    _check_range("X", data, loss)
    checked = functools.partial(_checked_target, n_features=data.shape[1], owner=owner, loss=loss)
    goal = data if target is None else checked(target, "target", data, "X")
    n_val = int(math.ceil(fraction * len(data))) if fraction > 0 else 0
    if n_val >= len(data):
        raise DataError(
            f"validation_fraction={fraction} leaves no training samples out of {len(data)}. "
            "Fix: lower validation_fraction or pass more data."
        )
    config = _config(est, len(data) - n_val)
    _check_batch_norm(est, spec, config)
    if config.is_scipy:
        _refuse_stochastic_scipy(config.solver, spec)
    objective = build_objective(est, spec, config.solver)

    shape = spec.input_shape

    def tensor(rows: np.ndarray) -> torch.Tensor:
        rows = np.ascontiguousarray(rows.reshape(len(rows), *shape))
        if not rows.flags.writeable:  # torch.from_numpy warns on read-only memory
            rows = rows.copy()
        return torch.from_numpy(rows).to(device)

    paired = target is not None
    if n_val:
        order = np.random.default_rng(seed).permutation(len(data))
        train_idx, val_idx = np.sort(order[n_val:]), np.sort(order[:n_val])
        train_rows, goal_rows = data[train_idx], goal[train_idx]
    else:
        # no split: the training tensor may share X's memory (training only reads it), which
        # saves a copy of the data set per fit (a few percent of a short fit on MNIST)
        train_rows, goal_rows = data, goal
    train = InMemorySource(tensor(train_rows), tensor(goal_rows) if paired else None)
    validation = None
    if n_val:
        validation = InMemorySource(tensor(data[val_idx]), tensor(goal[val_idx]) if paired else None)
    elif validation_data is not None:
        validation = _validation_source(validation_data, checked, tensor)
    return TrainingPlan(data.shape[1], sample_shape, tuple(shape), spec, objective, config, train, validation, noise)


def _checked_target(
    target: Any, name: str, inputs: np.ndarray | None, inputs_name: str, *, n_features: int, owner: str, loss: str
) -> np.ndarray:
    """Rows as wide as the training data, in range for the loss; with ``inputs``, one per input row."""
    goal, _ = validate_input(target, name, n_features, owner)
    _check_range(name, goal, loss)
    if inputs is None:
        return goal
    if len(goal) != len(inputs):
        raise DataError(
            f"{name} has {len(goal)} samples but {inputs_name} has {len(inputs)}. "
            f"Fix: pass one {name} row per row of {inputs_name}."
        )
    return goal


def _validation_source(validation_data: Any, checked, tensor) -> InMemorySource:
    pair = isinstance(validation_data, tuple) and len(validation_data) == 2
    X_val, T_val = validation_data if pair else (validation_data, None)
    X_val = checked(X_val, "validation_data", None, "")
    if T_val is None:
        return InMemorySource(tensor(X_val))
    T_val = checked(T_val, "validation_data target", X_val, "validation_data")
    return InMemorySource(tensor(X_val), tensor(T_val))


def _streaming_plan(est, source: BatchSource, target: Any, noise, fraction: float) -> TrainingPlan:
    if target is not None or fraction > 0:
        raise ConfigError(
            "A streamed BatchSource trains on itself: target and validation_fraction are not supported with it. "
            "Fix: pass arrays, or stream the target inside the source."
        )
    if getattr(source, "sample_shape", None) is None and getattr(source, "n_features", None) is None:
        raise ConfigError(
            f"{type(source).__name__} does not say what one sample is. Fix: give the source an n_features "
            "attribute (values per flat row) or a sample_shape (e.g. (1, 28, 28) for conv models)."
        )
    sample_shape = tuple(int(s) for s in (getattr(source, "sample_shape", None) or (source.n_features,)))
    spec = model_spec(est, sample_shape)
    config = _config(est, source.n_samples)
    _check_batch_norm(est, spec, config)
    if config.is_scipy:
        raise ConfigError(
            f"solver={config.solver!r} needs the whole data set in memory (full batch); a streamed source "
            'is for mini-batch solvers. Fix: solver="adam", or load the data as an array.'
        )
    objective = build_objective(est, spec, config.solver)
    n_features = int(np.prod(sample_shape))
    return TrainingPlan(n_features, sample_shape, tuple(spec.input_shape), spec, objective, config, source, None, noise)
