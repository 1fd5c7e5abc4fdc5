"""The scikit-learn facade: ``AutoencoderEstimator``.

``__init__`` only stores keyword arguments; ``fit`` validates them, builds the model, the
objective and the training settings, and trains. Fitted state ends in ``_``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, check_random_state

from aekit.errors import ConfigError, DataError, TrainingDivergedError
from aekit.estimators.build import build_training
from aekit.estimators.checks import check_feature_names, resolve_device, validate_input
from aekit.estimators.params import Fitted, float_array
from aekit.layers.init import initialize_from_data
from aekit.layers.latent import NORMAL_PRIOR
from aekit.likelihood import importance_sampled_log_likelihood
from aekit.models import build_autoencoder
from aekit.train.config import SCIPY_SOLVERS
from aekit.train import BatchSource, fit_full_batch, fit_minibatch
from aekit.train.batchnorm import attach_batch_norm, fold_batch_norm
from aekit.train.checkpoint import Checkpointer, Checkpointing
from aekit.train.distributed import ShardedSource, distributed_context, launched_by_torchrun

__all__ = ["AutoencoderEstimator"]

_TRANSFORM_BATCH = 4096


class AutoencoderEstimator(TransformerMixin, BaseEstimator):
    """An autoencoder with scikit-learn's interface; every classic variant by parameters.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(64,)
        Encoder layer sizes between the input and the code; the decoder mirrors them.
    latent_dim : int, default=2
        Size of the code.
    activation : str, default="relu"
        Hidden activation: relu, leaky_relu, elu, gelu, tanh, sigmoid, softplus or linear.
    latent_activation : str, default="linear"
        Activation of the code layer (deterministic latent). "sigmoid" for sparsity.
    output_activation : str, default="auto"
        Activation of the reconstruction; "auto" is sigmoid for ``loss="bce"``, else linear.
    latent : str, default="deterministic"
        The latent head: deterministic (plain code), gaussian (VAE, with a KL term), binary
        (straight-through bits, for hashing) or stochastic_binary (bits sampled in training: the
        better hashing code, docs/benchmarks.md); any head registered in :data:`aekit.layers.latent.LATENTS`.
    layers : sequence of int, default=None
        The whole network as one size list, e.g. ``[35, 20, 10, 2, 10, 20, 35]``; the middle
        entry is the code. Prefer :meth:`from_layers`. Cannot be combined with the five
        parameters above.
    layer_activations : sequence of str, default=None
        One activation per layer of ``layers`` (six for the example above); the last is the
        output's.
    architecture : {"dense", "conv", "fully-conv"}, default="dense"
        "conv": a convolutional encoder/decoder for images of ``input_shape``, around a dense
        code of ``latent_dim``. "fully-conv": conv layers only; the code is the last encoder
        layer's feature map (``transform`` returns it flattened, C*H*W values), shaped by
        ``channels``, ``decoder_channels`` and ``resampling``; ``latent_dim`` is not used.
    input_shape : tuple of int, default=None
        (channels, height, width) for ``architecture="conv"``; inferred from 3-D/4-D X.
    channels : tuple of int, default=(16, 32)
        Conv channels of the encoder (the decoder mirrors them). With "fully-conv", the last
        is the code layer's (its activation is ``latent_activation``).
    decoder_channels : tuple of int, default=None
        "fully-conv" only: the decoder's hidden conv channels, before its output conv to the
        image's channels; None mirrors ``channels`` without the code layer, () is the output
        conv alone.
    resampling : tuple of str, default=None
        "fully-conv" only: one per conv layer (encoder, decoder, output), each "none", "pool"
        (max-pooling 2), "stride", "upsample" (nearest, 2) or "transpose"; pooling halves H and
        W and up-sampling doubles them, so they must balance. None: ``downsampling`` in every
        encoder layer, ``upsampling`` in every decoder layer. The ruta talk's denoiser is
        ``channels=(16, 16), decoder_channels=(), resampling=("upsample", "pool", "none")``.
    downsampling : {"stride", "pool"}, default="stride"
        How the conv encoder halves the resolution: strided convolutions or max-pooling.
    upsampling : {"transpose", "upsample"}, default="transpose"
        How the conv decoder doubles it: transposed convolutions or up-sampling then a convolution.
    dropout : float, default=0.0
        Dropout probability after every hidden layer and after the code (training only).
    weight_init : {"glorot", "he", "torch", "data"}, default="glorot"
        How the initial weights are drawn: Glorot-uniform with zero biases (Keras's default),
        He-uniform for deep ReLU stacks, PyTorch's default, or ``"data"``: Glorot directions
        rescaled and centred on the first 1,024 training rows so that every unit starts at unit
        variance and mean 0, and the output starts at the data's mean (Salimans & Kingma 2016;
        it gets deep narrow ReLU networks moving; see :mod:`aekit.layers.init`).
    loss : {"mse", "bce", "correntropy"}, default="mse"
        Per-sample reconstruction loss, summed over features. bce needs data in [0, 1].
    correntropy_sigma : float, default=1.0
        Kernel width of the correntropy loss.
    beta : float, default=1.0
        Weight of the KL term of a gaussian latent (beta-VAE for beta > 1).
    kl_warmup : int, default=0
        Epochs over which the KL weight ramps linearly from 0 to ``beta``.
    l1_weight : float, default=0.0
        Weight of the L1 activity penalty on the code.
    sparsity_weight : float, default=0.0
        Weight of the KL sparsity penalty towards ``sparsity_target`` (needs
        ``latent_activation="sigmoid"``).
    sparsity_target : float, default=0.05
        Target mean activation of each code unit for the KL sparsity penalty.
    contractive_weight : float, default=0.0
        Weight of the contractive penalty: the squared Frobenius norm of the encoder Jacobian.
    contractive_estimator : {"exact", "hutchinson", "columns"}, default="exact"
        How the contractive penalty is computed. "exact" costs about latent_dim encoder passes
        for a deep encoder (a closed form, nearly free, for a one-layer one). The other two are
        unbiased estimates (mini-batch solvers only): "hutchinson" from one random code-space
        probe per sample, about one extra encoder pass; "columns" from one random column of the
        Jacobian per sample, which skips the first layer's product and is the cheapest for deep
        dense encoders. See :func:`aekit.contractive.contractive_penalty_estimate` and
        :func:`aekit.contractive.contractive_penalty_columns`.
    weight_decay : float, default=0.0
        L2 penalty on the weights (with ``solver="adamw"``, the optimiser's decoupled weight
        decay instead).
    noise : {None, "saltpepper", "bitflip", "gaussian", "masking"}, default=None
        Corruption of the encoder's input (denoising autoencoder): saltpepper, bitflip,
        gaussian or masking. Mini-batch solvers draw it
        per step; scipy solvers draw it once per run.
    noise_level : float, default=0.1
        Probability of corrupting a value, or sigma for gaussian noise.
    solver : str, default="adam"
        Mini-batch: adam, adamw, sgd, rmsprop; full-batch (scipy.optimize): powell,
        nelder-mead, cg, bfgs, l-bfgs-b.
    learning_rate : float, default=1e-3
        Step size of the mini-batch solvers.
    learning_rate_schedule : {"constant", "cosine"}, default="constant"
        "cosine" anneals the mini-batch step size from ``learning_rate`` towards 0 over
        ``max_iter`` epochs (Loshchilov & Hutter 2017, without restarts).
    dead_unit_resample : int, default=0
        Mini-batch solvers: after every this many epochs, each hidden unit whose activation has
        a zero derivative on all of the first 1,024 training rows (a dead ReLU) gets fresh
        incoming weights, scaled to fire on about half of them, zero outgoing weights (the
        output does not change) and a fresh optimiser state; 0 never resamples. See
        :mod:`aekit.train.resample`.
    batch_norm : bool, default=False
        Mini-batch solvers, dense networks: train every dense layer but the output layer with
        a batch normalisation after it (each unit's pre-activation standardised over the
        batch, then scaled and shifted by learned parameters), and fold each one into its
        layer's weights when training ends, with the statistics of all training rows: the
        fitted model is the plain network. It lets narrow deep ReLU networks train fast and
        on every seed (the font's [35,20,10,2,10,20,35]). Use it with full or large batches:
        the folding uses all rows' statistics, which a small batch's differ from (on the font,
        batches of 16 or 8 rows reached 0 wrong pixels on none of 30 seeds, full batches on all
        30; docs/benchmarks.md). See :mod:`aekit.train.batchnorm`.
    batch_size : int or "auto", default="auto"
        Samples per mini-batch step; "auto" is min(200, n_samples), as in scikit-learn's MLP.
    max_iter : int, default=200
        Epochs (mini-batch solvers) or iterations (scipy solvers).
    max_fun : int, default=15000
        Most objective evaluations for scipy solvers that count them.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"`` (other solvers ignore it, as in scikit-learn's MLP).
    nesterov : bool, default=False
        Nesterov momentum for ``solver="sgd"``.
    validation_fraction : float, default=0.0
        Held-out part of X for ``val_loss`` and early stopping.
    early_stopping : bool, default=False
        Stop when the validation (else training) loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and keep the best epoch's weights.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Improvement of the monitored loss that resets the patience.
    shuffle : bool, default=True
        Shuffle the samples into new batches every epoch.
    device : str, default="cpu"
        "auto" uses a GPU when there is one.
    random_state : int, RandomState or None, default=None
        Seeds weights, batches, noise and sampling: two fits with the same int are identical.

    Attributes
    ----------
    model_ : Autoencoder
    history_ : History
    n_features_in_ : int
    input_shape_ : tuple of int
    fit_seconds_ : float

    Examples
    --------
    >>> from aekit import AutoencoderEstimator
    >>> from aekit.datasets import load_font
    >>> X = load_font().data
    >>> ae = AutoencoderEstimator(hidden_sizes=(20,), latent_dim=2, activation="tanh",
    ...                           loss="bce", solver="l-bfgs-b", max_iter=50, random_state=0)
    >>> ae.fit(X).transform(X).shape
    (32, 2)
    """

    # what aekit.save writes besides the weights (model_), spec_, history_ and the parameters
    FITTED_STATE = (
        Fitted("n_features_in_", int, int),
        Fitted("_sample_shape", list, tuple, key="sample_shape"),
        Fitted("n_iter_", int, int),
        Fitted("fit_seconds_", float, float),
        Fitted("device_"),
        Fitted("feature_names_in_", lambda names: [str(n) for n in names], lambda v: np.asarray(v, dtype=object), optional=True),
        # a hashing rotation fitted on the code (aekit.apps.hashing.fit_rotation), saved with the model
        Fitted("hash_mean_", *float_array(np.float64), optional=True),
        Fitted("hash_projection_", *float_array(np.float64), optional=True),
    )

    def __init__(
        self,
        *,
        hidden_sizes: Sequence[int] = (64,),
        latent_dim: int = 2,
        activation: str = "relu",
        latent_activation: str = "linear",
        output_activation: str = "auto",
        latent: str = "deterministic",
        layers: Sequence[int] | None = None,
        layer_activations: Sequence[str] | None = None,
        architecture: str = "dense",
        input_shape: Sequence[int] | None = None,
        channels: Sequence[int] = (16, 32),
        downsampling: str = "stride",
        upsampling: str = "transpose",
        decoder_channels: Sequence[int] | None = None,
        resampling: Sequence[str] | None = None,
        dropout: float = 0.0,
        weight_init: str = "glorot",
        loss: str = "mse",
        correntropy_sigma: float = 1.0,
        beta: float = 1.0,
        kl_warmup: int = 0,
        l1_weight: float = 0.0,
        sparsity_weight: float = 0.0,
        sparsity_target: float = 0.05,
        contractive_weight: float = 0.0,
        contractive_estimator: str = "exact",
        weight_decay: float = 0.0,
        noise: str | None = None,
        noise_level: float = 0.1,
        solver: str = "adam",
        learning_rate: float = 1e-3,
        learning_rate_schedule: str = "constant",
        dead_unit_resample: int = 0,
        batch_norm: bool = False,
        batch_size: int | str = "auto",
        max_iter: int = 200,
        max_fun: int = 15000,
        momentum: float = 0.9,
        nesterov: bool = False,
        validation_fraction: float = 0.0,
        early_stopping: bool = False,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        shuffle: bool = True,
        device: str = "cpu",
        random_state: int | np.random.RandomState | None = None,
    ):
        self.hidden_sizes = hidden_sizes
        self.latent_dim = latent_dim
        self.activation = activation
        self.latent_activation = latent_activation
        self.output_activation = output_activation
        self.latent = latent
        self.layers = layers
        self.layer_activations = layer_activations
        self.architecture = architecture
        self.input_shape = input_shape
        self.channels = channels
        self.downsampling = downsampling
        self.upsampling = upsampling
        self.decoder_channels = decoder_channels
        self.resampling = resampling
        self.dropout = dropout
        self.weight_init = weight_init
        self.loss = loss
        self.correntropy_sigma = correntropy_sigma
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.l1_weight = l1_weight
        self.sparsity_weight = sparsity_weight
        self.sparsity_target = sparsity_target
        self.contractive_weight = contractive_weight
        self.contractive_estimator = contractive_estimator
        self.weight_decay = weight_decay
        self.noise = noise
        self.noise_level = noise_level
        self.solver = solver
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.dead_unit_resample = dead_unit_resample
        self.batch_norm = batch_norm
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.max_fun = max_fun
        self.momentum = momentum
        self.nesterov = nesterov
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.device = device
        self.random_state = random_state

    @classmethod
    def from_layers(cls, layers: Sequence[int], activations: Sequence[str], **params: Any) -> AutoencoderEstimator:
        """Build from the whole network's layer sizes and one activation per layer.

        The middle size is the code; the last activation is the output's.

        Examples
        --------
        >>> ae = AutoencoderEstimator.from_layers(
        ...     [35, 20, 10, 2, 10, 20, 35], ["relu", "relu", "linear", "relu", "relu", "sigmoid"],
        ...     loss="bce")
        >>> ae.layers
        (35, 20, 10, 2, 10, 20, 35)
        """
        return cls(layers=tuple(layers), layer_activations=tuple(activations), **params)

    # ------------------------------------------------------------------ fit
    def fit(
        self, X: Any, y: Any = None, *, target: Any = None, callbacks: Sequence[Any] | None = None,
        initial_state: dict[str, torch.Tensor] | None = None, validation_data: Any = None,
        checkpoint_dir: str | os.PathLike | None = None, checkpoint_every: int | None = None,
        checkpoint_seconds: float | None = None, keep_checkpoints: int = 3, resume: bool = False,
    ) -> AutoencoderEstimator:
        """Train on X (reconstruct X), or learn X -> ``target`` (paired image-to-image training).

        ``validation_data`` (X_val, or a pair (X_val, target_val)) gives ``val_loss`` per epoch
        on a set of your own (a test set, say) instead of a ``validation_fraction`` split.

        ``initial_state`` (a state dict, possibly partial) replaces the random initial weights
        it names, e.g. weights from greedy layer-wise pre-training (:func:`aekit.estimators.stacked.pretrain_stacked`).

        X may also be a :class:`aekit.train.BatchSource` (e.g. a memory-mapped file streamed
        in chunks). ``callbacks`` receive ``on_epoch_end(index, logs)`` and friends (see
        :mod:`aekit.train.callbacks`). ``y`` is ignored (scikit-learn convention).

        Checkpoints (:mod:`aekit.train.checkpoint`): with ``checkpoint_dir``, the run's whole
        state is written there atomically every ``checkpoint_every`` epochs (scipy solvers:
        iterations; default 1) and/or after the first epoch ending ``checkpoint_seconds`` after
        the last checkpoint, keeping the newest ``keep_checkpoints``. ``resume=True`` continues
        from the newest good checkpoint there (a fresh start when there is none): the result is
        bit for bit the uninterrupted run's. Only ``learning_rate`` and ``max_iter`` may change
        on resume.

        Under ``torchrun`` (several processes), training is data-parallel with
        DistributedDataParallel (see :mod:`aekit.train.distributed`); only rank 0 writes.

        Examples
        --------
        >>> import tempfile
        >>> from aekit.datasets import load_font
        >>> X = load_font().data
        >>> folder = tempfile.mkdtemp()
        >>> ae = AutoencoderEstimator(max_iter=4, random_state=0)
        >>> a = ae.fit(X, checkpoint_dir=folder, checkpoint_every=2).transform(X)
        >>> b = AutoencoderEstimator(max_iter=4, random_state=0).fit(X, checkpoint_dir=folder, resume=True).transform(X)
        >>> bool((a == b).all())
        True
        """
        if not isinstance(X, BatchSource):
            check_feature_names(self, X, reset=True)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        checkpointing = _checkpointing(self, X, checkpoint_dir, checkpoint_every, checkpoint_seconds, keep_checkpoints, resume)
        return self._fit(self, X, seed, target, callbacks, initial_state, validation_data, checkpointing)

    def _fit(
        self, params: Any, X: Any, seed: int, target: Any = None, callbacks: Sequence[Any] | None = None,
        initial_state: dict[str, torch.Tensor] | None = None, validation_data: Any = None,
        checkpointing: Checkpointing | None = None,
    ) -> AutoencoderEstimator:
        """Build from ``params`` (attributes named like this estimator's parameters) and train on X."""
        device = resolve_device(params.device)
        distributed = distributed_context(device)
        if distributed is not None:
            device = distributed.device
        checkpoints = saved = None
        if checkpointing is not None:
            checkpoints = Checkpointer(checkpointing, writer=distributed is None or distributed.main)
            saved = checkpoints.load() if checkpointing.resume else checkpoints.start_fresh()
            seed = int(saved.state["seed"]) if saved is not None else seed  # the run's own seed: same split, weights, noise
            checkpoints.run_state = {"seed": seed}
        plan = build_training(params, X, target, device, seed, validation_data, owner=type(self).__name__)
        if distributed is not None and plan.config.is_scipy:
            raise ConfigError(
                f"solver={plan.config.solver!r} cannot train under torchrun ({distributed.world_size} processes): scipy's "
                "full-batch solvers take one step on the whole objective and have no mini-batches to split across "
                'processes. Fix: use a mini-batch solver (solver="adam", "adamw", "sgd" or "rmsprop"), or run '
                "without torchrun."
            )
        self.n_features_in_ = plan.n_features
        self._sample_shape = plan.sample_shape
        self.device_ = str(device)
        started = time.perf_counter()
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(seed)
            model = build_autoencoder(plan.spec).to(device)
            if initial_state is not None:
                _load_initial_state(model, initial_state)
            elif plan.spec.weight_init == "data":
                inputs, targets = _first_rows(plan.train)
                initialize_from_data(model, inputs, targets, plan.spec.output_activation)
            if plan.config.batch_norm:
                _attach_batch_norm(model, plan.train, distributed, device)
            self.model_ = model
            self.spec_ = plan.spec
            for stale in ("hash_mean_", "hash_projection_"):  # a hashing rotation learned on the previous model's code
                self.__dict__.pop(stale, None)
            self.objective_ = plan.objective
            try:
                if plan.config.is_scipy:
                    history = fit_full_batch(
                        model, plan.objective, plan.train, plan.config, noise=plan.noise, callbacks=callbacks,
                        checkpoints=checkpoints, resume_from=saved,
                    )
                else:
                    generator = torch.Generator().manual_seed(seed)
                    train = plan.train
                    if distributed is not None:
                        torch.manual_seed(seed + distributed.rank)  # each rank its own noise and dropout draws
                        train = ShardedSource(train, distributed.rank, distributed.world_size)
                    history = fit_minibatch(
                        model, plan.objective, train, plan.config, validation=plan.validation,
                        noise=plan.noise, callbacks=callbacks, generator=generator,
                        checkpoints=checkpoints, resume_from=saved, distributed=distributed,
                    )
            except TrainingDivergedError as error:
                if plan.config.batch_norm:
                    fold_batch_norm(model, _TrainingInputs(plan.train, device))
                self._finish(error.history, started)
                raise
            if plan.config.batch_norm:  # the plain network again, with the statistics of all training rows
                fold_batch_norm(model, _TrainingInputs(plan.train, device))
        self._finish(history, started)
        return self

    @property
    def input_shape_(self) -> tuple[int, ...]:
        """The shape the model takes one sample in: (n_features,), or (C, H, W) for conv models."""
        return tuple(self.spec_.input_shape)

    def _finish(self, history, started: float) -> None:
        self.model_.eval()
        self.history_ = history
        self.n_iter_ = len(history)
        self.fit_seconds_ = time.perf_counter() - started

    # ------------------------------------------------------------ inference
    def _check_X(self, X: Any, name: str = "X") -> np.ndarray:
        check_is_fitted(self, "model_")
        if name == "X":
            check_feature_names(self, X, reset=False)
        return validate_input(X, name, self.n_features_in_, type(self).__name__)[0]

    def _batched(self, X: np.ndarray, fn) -> np.ndarray:
        device = next(self.model_.parameters()).device
        self.model_.eval()
        outs = []
        with torch.no_grad():
            for start in range(0, len(X), _TRANSFORM_BATCH):
                xb = torch.from_numpy(X[start : start + _TRANSFORM_BATCH]).to(device)
                outs.append(fn(xb).reshape(len(xb), -1).cpu().numpy())
        return np.concatenate(outs) if outs else np.zeros((0, 0), np.float32)

    def _to_model_shape(self, X: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(X.reshape(len(X), *self.input_shape_), dtype=np.float32)

    def transform(self, X: Any) -> np.ndarray:
        """The code of each sample, (n_samples, latent_dim): the mean for a VAE, bits for binary."""
        X = self._to_model_shape(self._check_X(X))
        return self._batched(X, lambda xb: self.model_.encode(xb).z)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Decode codes (n_samples, latent_dim) into reconstructions (n_samples, n_features)."""
        check_is_fitted(self, "model_")
        Z = check_array(X, dtype=np.float32)
        if Z.shape[1] != self.spec_.latent_dim:
            raise DataError(
                f"inverse_transform takes codes with {self.spec_.latent_dim} columns (latent_dim); "
                f"got {Z.shape[1]}. Fix: pass the output of transform()."
            )
        return self._batched(np.ascontiguousarray(Z), self.model_.decode)

    def reconstruct(self, X: Any) -> np.ndarray:
        """Encode then decode: (n_samples, n_features) reconstructions."""
        X = self._to_model_shape(self._check_X(X))
        return self._batched(X, lambda xb: self.model_(xb).x_hat)

    def reconstruction_error(self, X: Any, target: Any = None) -> np.ndarray:
        """Per-sample reconstruction loss (summed over features), against ``target`` if given."""
        check_is_fitted(self, "model_")
        return self._errors(X, target, self.objective_.per_sample_error)[:, 0]

    def _errors(self, X: Any, target: Any, error_fn) -> np.ndarray:
        X = self._to_model_shape(self._check_X(X))
        T = X if target is None else self._to_model_shape(self._check_X(target, name="target"))
        return self._errors_of_arrays(X, T, error_fn)

    def _errors_of_arrays(self, X: np.ndarray, T: np.ndarray, error_fn) -> np.ndarray:
        device = next(self.model_.parameters()).device
        errors = []
        self.model_.eval()
        with torch.no_grad():
            for start in range(0, len(X), _TRANSFORM_BATCH):
                xb = torch.from_numpy(X[start : start + _TRANSFORM_BATCH]).to(device)
                tb = torch.from_numpy(T[start : start + _TRANSFORM_BATCH]).to(device)
                errors.append(error_fn(self.model_(xb), tb).reshape(len(xb), -1).cpu().numpy())
        return np.concatenate(errors)

    def score_samples(self, X: Any) -> np.ndarray:
        """Negative reconstruction error: higher means more typical of the training data."""
        return -self.reconstruction_error(X)

    def log_likelihood(self, X: Any, n_samples: int = 5000, random_state: int | None = None) -> np.ndarray:
        """log p(x) of each binary sample in nats, by importance sampling (VAEs with ``loss="bce"``).

        The importance-weighted estimate of Burda et al. (2016) with ``n_samples`` draws from
        the encoder's q(z|x) (see :mod:`aekit.likelihood`); the IWAE paper's test negative
        log-likelihoods are ``-log_likelihood(X_test, 5000).mean()``. The cost is ``n_samples``
        decoder passes per sample.

        Raises ConfigError unless the model is a VAE (``latent="gaussian"``) with a Bernoulli
        decoder (``loss="bce"``), and DataError unless X holds only 0s and 1s.
        """
        check_is_fitted(self, "model_")
        traits = self.model_.latent.traits
        if not (traits.stochastic and traits.prior is NORMAL_PRIOR) or self.objective_.reconstruction != "bce":
            raise ConfigError(
                f'log_likelihood needs a VAE with a Bernoulli decoder (latent="gaussian", loss="bce"); this model has '
                f"latent={self.spec_.latent!r}, loss={self.objective_.reconstruction!r}. Fix: fit with "
                f'latent="gaussian", loss="bce" on binary data.'
            )
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
            raise ConfigError(f"n_samples must be a positive integer (the IWAE paper uses 5000); got {n_samples!r}.")
        X = self._to_model_shape(self._check_X(X))
        if not np.isin(X, (0.0, 1.0)).all():
            raise DataError(
                "log_likelihood is the probability of binary data under a Bernoulli decoder; X has values other "
                "than 0 and 1. Fix: binarise it first, e.g. aekit.datasets.binarize(X)."
            )
        generator = torch.Generator(device=next(self.model_.parameters()).device)
        generator.manual_seed(int(check_random_state(random_state).randint(np.iinfo(np.int32).max)))
        return self._batched(X, lambda xb: importance_sampled_log_likelihood(self.model_, xb, int(n_samples), generator))[:, 0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags


def _checkpointing(
    estimator: AutoencoderEstimator, X: Any, directory: Any, every: Any, seconds: Any, keep: Any, resume: Any
) -> Checkpointing | None:
    """The checkpoint settings of one fit, checked; None without ``checkpoint_dir``."""
    if directory is None:
        if resume or every is not None or seconds is not None:
            raise ConfigError(
                f"checkpoint_every={every!r}, checkpoint_seconds={seconds!r} and resume={resume!r} need a checkpoint_dir; "
                "got checkpoint_dir=None. Fix: pass fit(X, checkpoint_dir='runs/x/checkpoints', ...)."
            )
        return None
    for name, value in (("checkpoint_every", every), ("keep_checkpoints", keep)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise ConfigError(f"{name} must be a positive integer; got {value!r}. Fix: e.g. {name}=5.")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0):
        raise ConfigError(f"checkpoint_seconds must be a number of seconds > 0; got {seconds!r}. Fix: e.g. checkpoint_seconds=600.")
    solver = str(estimator.solver).lower()
    if solver in SCIPY_SOLVERS and not SCIPY_SOLVERS[solver][1]:
        raise ConfigError(
            f"checkpoint_dir with solver={solver!r}: derivative-free scipy solvers cannot be checkpointed (their "
            "state between iterations, a simplex or a direction set, is not exposed by scipy). Fix: use solver="
            '"l-bfgs-b", "bfgs" or "cg", or train without checkpoint_dir.'
        )
    if solver in SCIPY_SOLVERS and seconds is not None:
        raise ConfigError(
            f"checkpoint_seconds with solver={solver!r}: a scipy solver is checkpointed between segments of "
            "checkpoint_every iterations, so the segments (and the result) would depend on the clock. "
            "Fix: give checkpoint_every instead."
        )
    if every is None and seconds is None:
        every = 1
    params = {k: _identity_value(v) for k, v in estimator.get_params(deep=False).items()}
    shape = [int(X.n_samples)] if isinstance(X, BatchSource) else list(np.shape(X))
    identity = {**{f"params.{k}": v for k, v in params.items() if k != "random_state"}, "data_shape": shape}
    flexible = ("params.learning_rate", "params.max_iter")
    return Checkpointing(Path(directory), every, seconds, int(keep), bool(resume), identity, flexible)


def _identity_value(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_identity_value(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def _load_initial_state(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    wrong = [f"{k} {tuple(v.shape)}" for k, v in state.items() if expected.get(k) != tuple(v.shape)]
    if wrong:
        raise ConfigError(
            f"initial_state names tensors this model does not have, or has with another shape: {wrong[:3]}; the model has "
            f"{list(expected.items())[:3]}... Fix: build initial_state from a model with the same layer sizes."
        )
    model.load_state_dict(state, strict=False)


class _TrainingInputs:
    """The training rows' inputs in batches of 1,024 on ``device``, as often as they are iterated."""

    def __init__(self, source: BatchSource, device: torch.device):
        self.source, self.device = source, device

    def __iter__(self):
        return (xb.to(device=self.device) for xb, _ in self.source.batches(1024, None))


def _attach_batch_norm(model: torch.nn.Module, train: BatchSource, distributed: Any, device: torch.device) -> None:
    if distributed is not None:
        raise ConfigError(
            f"batch_norm=True cannot train under torchrun ({distributed.world_size} processes): each process would "
            "normalise over its own slice of the batch. Fix: batch_norm=False, or train in one process."
        )
    attach_batch_norm(model, _first_rows(train)[0].to(device))


def _first_rows(source: BatchSource, n: int = 1024) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets) of the first ``n`` training rows: the sample data init and batch norm start from."""
    return next(iter(source.batches(min(source.n_samples, n), None)))
