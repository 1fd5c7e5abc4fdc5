"""Anomaly detection by reconstruction error: ``AnomalyDetector``.

An autoencoder trained on (mostly) normal data reconstructs normal samples well and unusual
ones badly; the per-sample reconstruction error of standardised features is the anomaly score,
by default with the code's mean squared distance to its nearest training codes added
(``code_score``), which sees samples that lie on the learned data but far out along it or between
its clusters. By default (``n_members="auto"``, vector data) three such networks of code sizes
0.5, 1 and 2 times the default's each score the sample, and the score is the mean of their scores,
each over its median on the training rows; the middle network is the detector's own (``transform``,
``reconstruct``, export), the others only add to the score.
The detector follows scikit-learn's outlier-detector conventions (``OutlierMixin``):
``score_samples`` is higher for more normal samples, ``decision_function`` is negative for
anomalies, ``predict`` returns -1 (anomaly) or 1 (normal).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from numbers import Real
from typing import Any

import numpy as np
import torch
from sklearn.base import OutlierMixin
from sklearn.utils.validation import check_is_fitted, check_random_state

from aekit.errors import ConfigError, DataError, check_choice
from aekit.estimators.autoencoder import AutoencoderEstimator
from aekit.estimators.checks import check_feature_names, validate_input
from aekit.estimators.params import Fitted, derived_init, float_array
from aekit.estimators.tabular import TABLE_STATE, check_table_loss
from aekit.tables import TableEncoder, is_mixed_table
from aekit.train.config import SCIPY_SOLVERS

__all__ = [
    "AnomalyDetector", "AnomalyExplanation", "THRESHOLD_RULES", "SCALERS", "ERROR_SCALINGS", "CODE_SCORES", "score_dtype",
    "member_code_sizes",
]

# rule -> (default parameter, valid range as (low, high, high_open), what the parameter is)
THRESHOLD_RULES: dict[str, tuple[float, tuple[float, float, bool], str]] = {
    "percentile": (99.0, (0.0, 100.0, False), "the percentile of held-out errors, in (0, 100]"),
    "mean_std": (3.0, (0.0, math.inf, False), "k in mean + k * std of held-out errors, >= 0"),
    "median_mad": (3.5, (0.0, math.inf, False), "k in median + k * 1.4826 * MAD of held-out errors, >= 0"),
    "fpr": (0.01, (0.0, 1.0, True), "the target false-positive rate on normal data, in (0, 1)"),
}
SCALERS = ("auto", "standard", "minmax", "robust", "none")
ERROR_SCALINGS = ("feature", "none")
CODE_SCORES = ("auto", "neighbors", "mahalanobis", "none")
_SCORE_BATCH = 4096
_CODE_REFERENCE = 2048  # most distinct training codes code_score="neighbors" keeps
_NEIGHBOR_FRACTION = 0.05  # ... and the share of them a code's distance averages over
_AUTO_MEMBERS = 3  # n_members="auto" for vector data: code sizes 0.5, 1, 2 times latent_dim


def score_dtype(model: torch.nn.Module) -> torch.dtype:
    """The precision the anomaly score runs ``model`` in: float64, float32 for a convolutional one.

    In float64 the exported ONNX graph (which runs the same) gives the score to 1e-5 even where
    it reaches the hundreds (in float32 one ulp there is 1e-5 and BLAS kernels differ by several);
    ONNX Runtime has no float64 convolution, so conv models keep float32 and add up in float64.
    """
    convolutional = any(isinstance(m, torch.nn.modules.conv._ConvNd) for m in model.modules())
    return torch.float32 if convolutional else torch.float64


def _typical(values: np.ndarray) -> float:
    """The median of a score part over the training rows, floored at 1e-3 of its mean (and 1e-12)."""
    values = np.asarray(values, np.float64)
    return float(max(np.median(values), 1e-3 * float(values.mean()), 1e-12))


def member_code_sizes(latent_dim: int, n_members: int) -> list[int]:
    """The code size of each of ``n_members`` members around the detector's own ``latent_dim``.

    Member i of M has code-size factor 2 ** (2 i / (M - 1) - 1), from 0.5 to 2 evenly in log
    scale; the middle member keeps ``latent_dim`` (it is the detector's own network), the others
    ``max(2, round(factor * latent_dim))``, as ``benchmarks/anomaly_screen_ensemble.py`` measured.

    Examples
    --------
    >>> member_code_sizes(4, 3)
    [2, 4, 8]
    >>> member_code_sizes(3, 5)
    [2, 2, 3, 4, 6]
    """
    middle = n_members // 2
    return [
        latent_dim if i == middle else max(2, round(2.0 ** (2.0 * i / (n_members - 1) - 1.0) * latent_dim))
        for i in range(n_members)
    ]


def _code_gaussian(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, precision) of a Gaussian fitted to the training codes; a small ridge keeps a dead unit finite."""
    codes = np.asarray(codes, np.float64)
    center = codes.mean(0)
    cov = np.atleast_2d(np.cov(codes - center, rowvar=False)) if len(codes) > 1 else np.zeros((codes.shape[1],) * 2)
    ridge = max(1e-6 * float(np.trace(cov)) / len(cov), 1e-12)
    return center, np.linalg.pinv(cov + ridge * np.eye(len(cov)), hermitian=True)


def _code_reference(codes: np.ndarray, fraction: float = _NEIGHBOR_FRACTION) -> tuple[np.ndarray, int]:
    """(reference, k) for ``code_score="neighbors"``: at most 2,048 distinct training codes, drawn
    with a fixed seed, and k = ``fraction`` (5 %) of them (at least 10, at most all).

    Distinct, so that repeated codes (duplicate rows, a binary code) do not put a row's k nearest
    at distance 0 and the part's training median at 0; a share rather than a fixed k, so that the
    neighbourhood is the same part of the data whatever the row count.
    """
    reference = np.unique(np.asarray(codes, np.float64), axis=0)
    if len(reference) > _CODE_REFERENCE:
        reference = reference[np.sort(np.random.default_rng(0).permutation(len(reference))[:_CODE_REFERENCE])]
    k = min(len(reference), max(10, math.ceil(fraction * len(reference))))
    return reference, k


def _neighbor_distances(codes: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Mean squared Euclidean distance from each code to its ``k`` nearest reference codes.

    |c|^2 + |r|^2 - 2 c.r, clipped at 0, in float64: the exported ONNX graph computes the same.
    """
    out = np.empty(len(codes))
    norms = (reference**2).sum(1)
    for start in range(0, len(codes), 1024):
        c = codes[start : start + 1024]
        d2 = np.maximum((c**2).sum(1)[:, None] + norms[None, :] - 2.0 * (c @ reference.T), 0.0)
        out[start : start + 1024] = np.partition(d2, k - 1, axis=1)[:, :k].mean(1)
    return out


def _feature_error_scale(per_feature_errors: np.ndarray) -> np.ndarray:
    """Each feature's typical training error: its median over the rows, floored at 1e-3 of their mean.

    The median is robust to the anomalies mixed into the training data; the floor keeps a feature
    the model reconstructs perfectly (a constant column) from dividing by almost zero.
    """
    median = np.median(per_feature_errors, axis=0).astype(np.float64)
    floor = max(1e-3 * float(median.mean()), 1e-12)
    return np.maximum(median, floor)


@dataclass(frozen=True)
class AnomalyExplanation:
    """Why samples were flagged: each feature's share of the reconstruction error.

    ``contributions`` (n_samples, n_features) are the reconstruction error's share of each
    feature; with ``code``, the code's distance (the part of the score no single feature owns,
    ``code_score="neighbors"`` or ``"mahalanobis"``; zeros without it), they sum to the sample's anomaly score:
    ``contributions.sum(1) + code == -score_samples``. ``ranking`` lists feature indices from
    the largest contribution down; ``feature_names`` are the column names seen in ``fit`` (or
    ``x0``, ``x1``, ...).
    """

    contributions: np.ndarray
    ranking: np.ndarray
    feature_names: list[str]
    code: np.ndarray | None = None

    def top(self, sample: int, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` features that contribute most to sample ``sample``'s error, with their share."""
        return [(self.feature_names[j], float(self.contributions[sample, j])) for j in self.ranking[sample, :k]]


def _fit_scaler(kind: str, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(shift, scale) so that (X - shift) / scale is standardised; constant features get scale 1."""
    if kind == "standard":
        shift, scale = X.mean(0), X.std(0)
    elif kind == "minmax":
        shift, scale = X.min(0), X.max(0) - X.min(0)
    elif kind == "robust":
        q25, q50, q75 = np.percentile(X, [25, 50, 75], axis=0)
        shift, scale = q50, q75 - q25
    else:
        shift, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
    scale = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(shift)), scale, 1.0)
    return shift.astype(np.float32), scale.astype(np.float32)


def _rule_threshold(rule: str, param: float, errors: np.ndarray) -> float:
    """The error above which a sample is an anomaly, from clean held-out ``errors``."""
    if rule == "percentile":
        return float(np.percentile(errors, param))
    if rule == "mean_std":
        return float(errors.mean() + param * errors.std())
    if rule == "median_mad":
        # Iglewicz & Hoaglin 1993: modified z = 0.6745 (e - median) / MAD; 1 / 0.6745 = 1.4826.
        median = np.median(errors)
        return float(median + param * 1.4826 * np.median(np.abs(errors - median)))
    # Split-conformal quantile (Vovk et al. 2005): the ceil((n + 1)(1 - alpha))-th smallest of n
    # exchangeable normal errors bounds the false-positive rate by alpha; clamped to the largest.
    k = min(len(errors), math.ceil((len(errors) + 1) * (1.0 - param)))
    return float(np.sort(errors)[k - 1])


class AnomalyDetector(OutlierMixin, AutoencoderEstimator):
    """Flag anomalies by the reconstruction error of autoencoders trained on normal data.

    Every parameter of :class:`~aekit.AutoencoderEstimator` configures the autoencoder (a VAE
    with ``latent="gaussian"``, a convolutional one for images with ``architecture="conv"``);
    the defaults below differ from it so that raw tabular data works without tuning. Features
    are scaled by the detector (fitted on the training data) before the autoencoder sees them.

    On vector data the detector is, by default, a small ensemble (``n_members="auto"``: three
    autoencoders of code sizes 0.5, 1 and 2 times ``latent_dim``), each scoring a sample as one
    network does, the score the mean of their scores, each over its median training score. The
    middle one (code size ``latent_dim``) is the detector's own network: ``model_``,
    ``history_``, ``transform``, ``reconstruct``, ``inverse_transform``, the ONNX parts other
    than the score and the explorer's map are its; the other members only add to the score.

    Parameters
    ----------
    contamination : float, default=0.1
        Expected fraction of anomalies in the training data, in [0, 0.5]. With
        ``threshold="auto"`` the threshold flags this fraction of the training data. Use 0 for
        novelty detection on clean data: the threshold then comes from a held-out part.
    threshold : {"auto", "percentile", "mean_std", "median_mad", "fpr"} or float, default="auto"
        How the error threshold is set. "auto": from ``contamination`` when it is > 0, else
        the "fpr" rule. A named rule (needs ``contamination=0``) calibrates on the clean
        held-out errors ``e``: "percentile" the ``threshold_param``-th percentile of ``e``
        (default 99); "mean_std" mean + k std (k default 3); "median_mad" median + k * 1.4826 *
        MAD (k default 3.5, Iglewicz & Hoaglin's modified z-score); "fpr" the split-conformal
        quantile that keeps the false-positive rate at most ``threshold_param`` (default 0.01).
        A float is the reconstruction error above which a sample is an anomaly.
    threshold_param : float, default=None
        The rule's parameter; None uses the rule's default.
    holdout_fraction : float, default=0.2
        Part of the training data kept out of training to calibrate a named rule.
    error_scaling : {"feature", "none"}, default="feature"
        How the per-feature reconstruction errors add up to the anomaly score. "feature":
        each feature's error is divided by its median over the training rows (``error_scale_``)
        before the sum, so that a feature no sample reconstructs well does not drown the others
        (mean ROC-AUC over the nine ODDS sets, three seeds, defaults: 0.833 against 0.819 with
        the plain error and 0.820 for IsolationForest; docs/benchmarks.md). "none": the plain
        reconstruction error, the detector's score before this parameter existed.
    embed_above : int, default=100
        For a mixed-type table: a categorical column with more distinct values than this
        enters the network through a learned embedding instead of a one-hot block
        (:class:`aekit.tables.TableEncoder`). Ignored for numeric arrays.
    code_score : {"auto", "neighbors", "mahalanobis", "none"}, default="auto"
        What the score adds to the reconstruction error, each of the two parts divided by its
        median over the training rows, then added. The reconstruction error says how far a
        sample lies *off* the data the autoencoder learned; a sample on it but far out along it
        (an extreme value of a well-modelled feature) or between its clusters reconstructs well
        and needs the code's distance to be seen. "neighbors": the code's mean squared distance
        to its k nearest training codes (``code_reference_``: at most 2,048 distinct codes of
        the training rows, less the ``reference_trim`` share that scores worst; k = 5 % of them,
        at least 10), a density that lets normal data form
        several clusters (mean ROC-AUC over the nine ODDS sets, three seeds: 0.855 against 0.832
        with "mahalanobis"; docs/benchmarks.md). "mahalanobis": the code's squared
        Mahalanobis distance from the training codes (mean and covariance of ``transform`` on
        the training rows), one Gaussian over the codes, the default score before "neighbors".
        "auto": "neighbors" when the code is a vector, "none" for ``architecture="fully-conv"``
        (its code is a feature map) and for a mixed-type table, whose score stays the sum of
        its per-column losses, each in the column's own terms as ``explain`` gives them (on the
        tables of ``benchmarks/mixed_tables.py`` the code's distance also lowered the ROC-AUC
        on swapped categories: penguins 0.755 to 0.695, the generated table 0.867 to 0.843). "none": the reconstruction error alone, as before this
        parameter existed. See docs/benchmarks.md for what each gives on the ODDS sets.
    n_members : int or "auto", default="auto"
        How many autoencoders score a sample. Member i of M has code size ``max(2, round(f_i *
        latent_dim))``, f_i = 2 ** (2 i / (M - 1) - 1) (0.5, 1 and 2 for M = 3), except the middle
        one, which keeps ``latent_dim`` and is the detector's own network; each has the
        detector's other parameters and its own seed (drawn from ``random_state`` after the
        detector's), and trains on the same scaled training rows. Each member's score (one
        network's score, as ``code_score`` describes) is divided by its median over the training
        rows (``member_scale_``), and the anomaly score is the members' mean. Networks that see
        the data at different compressions help where more seeds or widths do not: on issue 15's
        five ODDS sets (cardio, mnist, pendigits, satellite, shuttle), paired per split, three
        members of code sizes 0.5, 1, 2 x gained over the single network on each of six seeds
        (five-set mean ROC-AUC 0.9082 / 0.9064 on seeds 0-2 / 3-5 with one network's step budget
        split between them, 0.9097 / 0.9080 with 5,000 steps each, against 0.9059 / 0.8960; three
        seeds of one code size 0.9045 / 0.9000; docs/benchmarks.md, "an ensemble of small
        autoencoders"). Cost: M networks to train, within ``max_steps`` steps in all (so about
        one network's time where ``max_steps`` binds, M times it on small data where ``max_iter``
        ends each fit first), M network passes per score, M networks in a saved model. "auto": 3
        for vector data with ``architecture="dense"``; 1 (the single network) for images (not
        measured), ``"fully-conv"`` and the ``layers=`` form (no code size to vary) and
        mixed-type tables (not supported yet). An explicit value is a positive odd integer; 1 is
        the detector before this parameter existed, bit for bit.
    reference_trim : float or "auto", default="auto"
        With ``code_score="neighbors"``: the share of training rows left out of the codes the
        neighbours are found among, those that score worst against the reference of all rows.
        The training data holds anomalies (``contamination``); kept in the reference, each makes
        the test anomalies near it look normal. "auto": ``contamination`` (0.1 by default; 0 for
        clean training data, which keeps every row). The part's median (``score_scale_``) is still
        over all training rows. Measured over twelve splits of the nine ODDS sets with the
        three-member default, paired per split against the full reference: higher on the five of
        issue 15 on each of the twelve (mean ROC-AUC 0.9101 against 0.9062, nine sets 0.8548
        against 0.8532; docs/benchmarks.md). 0: every row, the score before this parameter
        existed. Other code scores ignore it.
    max_steps : int or None, default=5000
        Most mini-batch steps the whole fit takes, shared evenly by the ``n_members`` networks:
        each takes ``max_steps // n_members`` steps (at least 1), i.e. ``max_iter`` epochs, fewer
        when the data has so many rows that they would take more steps (at least one epoch). A
        model this small needs no more steps for more rows, so the fit's time stops growing with
        the row count (IsolationForest bounds its cost by subsampling the same way). None:
        ``max_iter`` epochs for every member whatever the size, as before this parameter
        existed. Scipy solvers ignore it.
    scaler : {"auto", "standard", "minmax", "robust", "none"}, default="auto"
        Feature scaling fitted on the training data; "auto" is "minmax" for ``loss="bce"``,
        else "standard".
    hidden_sizes : tuple of int or "auto", default="auto"
        "auto": one hidden layer of min(128, max(16, 2 * n_features)) units.
    latent_dim : int or "auto", default="auto"
        "auto": max(1, round(sqrt(n_features))) for dense models, 16 for conv models.
    dropout : float, default=0.2
        Dropout after every hidden layer and the code: keeps the autoencoder from learning to
        reconstruct the anomalies mixed into the training data (mean ROC-AUC on nine ODDS sets
        0.778 without it, 0.814 with it; see docs/benchmarks.md).
    batch_size : int or "auto", default=64
    max_iter : int, default=100
    **other parameters
        As in :class:`~aekit.AutoencoderEstimator`.

    Attributes
    ----------
    threshold_ : float
        Reconstruction error above which :meth:`predict` returns -1.
    offset_ : float
        ``-threshold_``: ``decision_function = score_samples - offset_`` (scikit-learn).
    shift_, scale_ : ndarray of shape (n_features,)
        The fitted scaling, ``(X - shift_) / scale_``.
    holdout_errors_ : ndarray or None
        Errors of the held-out samples a named rule calibrated on.
    error_scale_ : ndarray of shape (n_features,) or None
        Each feature's median training error (``error_scaling="feature"``).
    code_center_, code_precision_ : ndarray or None
        Mean and inverse covariance of the training codes (``code_score="mahalanobis"``).
    code_reference_ : ndarray of shape (m, code size) or None
        The distinct training codes the code's neighbours are found among (``code_score="neighbors"``),
        without the ``reference_trim`` share of rows that scored worst.
    code_neighbors_ : int or None
        How many of the nearest reference codes the distance averages over (``"neighbors"``).
    score_scale_ : ndarray of shape (2,) or None
        Medians over the training rows of the reconstruction part and of the code part.
    members_ : list of AnomalyDetector
        The members, by code size; the middle one is the detector itself, the others fitted
        single-network detectors (``n_members=1``, ``scaler="none"``) on the scaled training rows.
    member_scale_ : ndarray of shape (n_members,) or None
        Each member's median score over the training rows (None with one member: no division).
    fit_seconds_ : float
        Seconds spent training, every member's (``history_`` and ``n_iter_`` are the detector's
        own network's).

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import AnomalyDetector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 8))   # normal data on a 5-D plane
    >>> X_test = np.vstack([X[:3], X[:1] + 10 * rng.normal(size=(1, 8))])
    >>> det = AnomalyDetector(contamination=0.05, max_iter=30, random_state=0).fit(X)
    >>> det.predict(X_test)
    array([ 1,  1,  1, -1])
    """

    # scikit-learn convention: __init__ stores every keyword argument unchanged. The detector's
    # own parameters, then every AutoencoderEstimator parameter, five with other defaults.
    __init__ = derived_init(
        AutoencoderEstimator,
        own={
            "contamination": (0.1, "float"),
            "threshold": ("auto", "str | float"),
            "threshold_param": (None, "float | None"),
            "holdout_fraction": (0.2, "float"),
            "scaler": ("auto", "str"),
            "error_scaling": ("feature", "str"),
            "embed_above": (100, "int"),
            "code_score": ("auto", "str"),
            "max_steps": (5000, "int | None"),
            "n_members": ("auto", "int | str"),
            "reference_trim": ("auto", "float | str"),
        },
        overrides={
            "hidden_sizes": ("auto", "Sequence[int] | str"),
            "latent_dim": ("auto", "int | str"),
            "dropout": (0.2, "float"),
            "batch_size": (64, "int | str"),
            "max_iter": (100, "int"),
        },
    )
    FITTED_STATE = (
        *AutoencoderEstimator.FITTED_STATE,
        Fitted("shift_", *float_array(np.float32)),
        Fitted("scale_", *float_array(np.float32)),
        Fitted("threshold_", float, float),
        Fitted("threshold_rule_"),
        Fitted("holdout_errors_", *float_array(np.float64)),
        TABLE_STATE,
        Fitted("error_scale_", *float_array(np.float64), optional=True),
        Fitted("code_center_", *float_array(np.float64), optional=True),
        Fitted("code_precision_", *float_array(np.float64), optional=True),
        Fitted("code_reference_", *float_array(np.float64), optional=True),
        Fitted("code_neighbors_", optional=True),
        Fitted("score_scale_", *float_array(np.float64), optional=True),
        Fitted("member_scale_", *float_array(np.float64), optional=True),  # the members themselves: aekit.io
    )

    # ------------------------------------------------------------------ fit
    def fit(
        self, X: Any, y: Any = None, *, target: Any = None, callbacks: Sequence[Any] | None = None,
        initial_state: dict[str, Any] | None = None, validation_data: Any = None,
    ) -> AnomalyDetector:
        """Train on (mostly) normal X and set the threshold. ``y`` is ignored.

        ``callbacks``, ``initial_state`` and ``validation_data`` (in the units of X: the
        detector scales it like X) are passed to :meth:`AutoencoderEstimator.fit`. ``target``
        is refused: the anomaly score is how well a sample reconstructs *itself*, so a model
        trained to map X to another target would score the wrong thing. With several members
        (``n_members``), ``callbacks`` and ``initial_state`` apply to the detector's own network
        (the middle member), ``validation_data`` to every member.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.random.default_rng(0).normal(size=(100, 4))
        >>> det = AnomalyDetector(contamination=0, threshold="mean_std", max_iter=5, random_state=0).fit(X)
        >>> det.threshold_ > 0
        True
        """
        if target is not None:
            raise ConfigError(
                "AnomalyDetector scores how well each sample reconstructs itself, so it trains on X alone; got a "
                "target. Fix: drop target, or train an AutoencoderEstimator(...).fit(X, target=Y) for X -> Y."
            )
        self._fit_scored(X, callbacks, initial_state, validation_data)
        return self

    def _fit_scored(self, X: Any, callbacks: Any = None, initial_state: Any = None, validation_data: Any = None) -> np.ndarray:
        """:meth:`fit`'s work; returns the anomaly scores of the training rows (after any hold-out
        split), which the threshold and, for a member, the ensemble's ``member_scale_`` come from."""
        rule, param = self._threshold_rule()
        error_scaling = check_choice("error_scaling", self.error_scaling, ERROR_SCALINGS)
        code_score = check_choice("code_score", self.code_score, CODE_SCORES)
        if code_score == "auto":  # a feature-map code has no vector to measure; a table's score is per column
            code_score = "none" if str(self.architecture).lower() == "fully-conv" or is_mixed_table(X) else "neighbors"
        trim = self._reference_trim()
        self._check_max_steps()
        n_members = self._n_members(X)
        scaler = check_choice("scaler", self.scaler, SCALERS)
        if scaler == "auto":
            scaler = "minmax" if str(self.loss).lower() == "bce" else "standard"
        table = TableEncoder(embed_above=self.embed_above).fit(X) if is_mixed_table(X) else None
        if table is not None:
            check_table_loss(self.loss)
            scaler = "none"  # the table encoder standardises the numeric columns itself
        check_feature_names(self, X, reset=True)
        self.table_ = table
        data, sample_shape = validate_input(X if table is None else table.transform(X))
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        member_seeds = [int(rng.randint(np.iinfo(np.int32).max)) for _ in range(n_members - 1)]  # after the detector's

        train, holdout = data, None
        if rule in THRESHOLD_RULES:
            fraction = self._holdout_fraction()
            n_hold = int(math.ceil(fraction * len(data)))
            if n_hold < 2 or n_hold >= len(data) - 1:
                raise DataError(
                    f"threshold={rule!r} calibrates on a held-out part of X, but holdout_fraction={fraction} of "
                    f"{len(data)} samples leaves {n_hold} held-out and {len(data) - n_hold} training samples; "
                    "both need at least 2. Fix: pass more data, change holdout_fraction, or give threshold as a number."
                )
            order = np.random.default_rng(seed).permutation(len(data))
            train, holdout = data[np.sort(order[n_hold:])], data[np.sort(order[:n_hold])]
        self.shift_, self.scale_ = _fit_scaler(scaler, train)

        if validation_data is not None:
            validation_data = self._scaled_validation(validation_data, sample_shape)
        # the autoencoder's own seed is drawn from ``seed`` as AutoencoderEstimator(random_state=seed).fit draws it
        core_seed = int(check_random_state(seed).randint(np.iinfo(np.int32).max))
        core = self._core_params(sample_shape, seed, len(train), n_members)
        scaled = self._scale(train).reshape(len(train), *sample_shape)
        self._fit(
            SimpleNamespace(**core, table_=table), scaled,
            core_seed, callbacks=callbacks, initial_state=initial_state, validation_data=validation_data,
        )
        train_scores = self._fit_score(self._to_model_shape(scaled), code_score, error_scaling, trim)

        self.members_, self.member_scale_ = [self], None
        if n_members > 1:
            fitted = [  # (member, its scores of the training rows)
                (self, train_scores) if i == n_members // 2 else self._fit_member(
                    scaled, size, core["hidden_sizes"], member_seeds.pop(0), code_score, trim, n_members, validation_data
                )
                for i, size in enumerate(member_code_sizes(core["latent_dim"], n_members))
            ]
            self.members_ = [member for member, _ in fitted]
            self.member_scale_ = np.array([_typical(scores) for _, scores in fitted])
            train_scores = self._averaged([scores for _, scores in fitted])
            self.fit_seconds_ += sum(m.fit_seconds_ for m in self.members_ if m is not self)  # the whole fit's training
        self.holdout_errors_ = None
        if rule == "contamination":
            self.threshold_ = float(np.percentile(train_scores, 100.0 * (1.0 - float(self.contamination))))
        elif rule == "explicit":
            self.threshold_ = float(self.threshold)
        else:
            self.holdout_errors_ = self._fit_errors(holdout)
            self.threshold_ = _rule_threshold(rule, param, self.holdout_errors_)
        self.threshold_rule_ = rule
        return train_scores

    def _fit_score(self, rows: np.ndarray, code_score: str, error_scaling: str, trim: float = 0.0) -> np.ndarray:
        """Fit the score's statistics of this network on its (scaled, model-shaped) training rows:
        ``error_scale_``, the code part's reference and ``score_scale_``; return their scores.

        One pass over the training rows gives every statistic and, from them, the rows' scores.
        With ``code_score="neighbors"`` and ``trim`` > 0 (``reference_trim``), the reference is
        then taken again without the ``trim`` share of rows that score worst against the first.
        """
        self.error_scale_ = self.code_center_ = self.code_precision_ = self.score_scale_ = None  # while measured
        self.code_reference_ = self.code_neighbors_ = None
        per_feature, codes = self._network_pass(rows, codes=code_score != "none")
        if error_scaling == "feature":
            self.error_scale_ = _feature_error_scale(per_feature)
        if code_score == "none":
            return self._combined(per_feature, codes)
        errors = self._combined(per_feature, codes)  # the reconstruction part alone, so far
        if code_score == "mahalanobis":
            self.code_center_, self.code_precision_ = _code_gaussian(codes)
        else:
            self.code_reference_, self.code_neighbors_ = _code_reference(codes)
        distances = self._code_distances(codes)
        if code_score == "neighbors" and trim > 0:  # drop the rows that look like the training data's anomalies
            first = errors / _typical(errors) + distances / _typical(distances)
            kept = first <= np.quantile(first, 1.0 - trim)
            self.code_reference_, self.code_neighbors_ = _code_reference(codes[kept])
            distances = self._code_distances(codes)
        self.score_scale_ = np.array([_typical(errors), _typical(distances)])
        return errors / self.score_scale_[0] + distances / self.score_scale_[1]  # as _combined adds them

    def _fit_member(
        self, scaled: np.ndarray, latent_dim: int, hidden_sizes: Any, seed: int, code_score: str, trim: float,
        n_members: int, validation_data: Any,
    ) -> tuple[AnomalyDetector, np.ndarray]:
        """One of the other members: a single-network detector with this one's parameters but its own code
        size and seed, fitted on this detector's scaled training rows (no scaling, no threshold of its own);
        with its scores of those rows."""
        params = {
            **self.get_params(deep=False), "n_members": 1, "scaler": "none", "code_score": code_score, "reference_trim": trim,
            "latent_dim": latent_dim, "hidden_sizes": hidden_sizes, "random_state": seed,
            "max_steps": self._member_steps(n_members), "contamination": 0.0, "threshold": 0.0,
        }
        member = AnomalyDetector(**params)
        return member, member._fit_scored(scaled, validation_data=validation_data)

    @property
    def offset_(self) -> float:
        """``-threshold_``: ``decision_function = score_samples - offset_`` (scikit-learn)."""
        return -self.threshold_

    def _scaled_validation(self, validation_data: Any, sample_shape: tuple[int, ...]) -> Any:
        """validation_data (X_val or (X_val, T_val)) scaled like the training data, shaped like X."""
        pair = isinstance(validation_data, tuple) and len(validation_data) == 2
        parts = validation_data if pair else (validation_data,)
        n_features = int(np.prod(sample_shape))
        names = ("validation_data", "validation_data target")
        if self.table_ is not None:
            parts = tuple(self.table_.transform(part) for part in parts)
        scaled = tuple(
            self._scale(validate_input(part, name, n_features, type(self).__name__)[0]).reshape(-1, *sample_shape)
            for part, name in zip(parts, names)
        )
        return scaled if pair else scaled[0]

    def _threshold_rule(self) -> tuple[str, float]:
        """("contamination" | "explicit" | rule name, the rule's parameter), validated."""
        c = self.contamination
        if isinstance(c, bool) or not isinstance(c, Real) or not 0.0 <= c <= 0.5:
            raise ConfigError(
                f"contamination must be a number in [0, 0.5] (the expected fraction of anomalies in the training "
                f"data); got {c!r}. Fix: e.g. contamination=0.05, or 0 for clean training data."
            )
        if isinstance(self.threshold, Real) and not isinstance(self.threshold, bool):
            if not math.isfinite(self.threshold):
                raise ConfigError(
                    f"threshold must be a finite reconstruction error when given as a number; got {self.threshold!r}. "
                    'Fix: a number such as 2.5, or a rule name such as "fpr".'
                )
            return "explicit", math.nan
        rule = check_choice("threshold", self.threshold, ["auto", *THRESHOLD_RULES])
        if rule == "auto":
            if c > 0:
                return "contamination", float(c)
            rule = "fpr"
        elif c > 0:
            raise ConfigError(
                f"threshold={self.threshold!r} calibrates on clean held-out data, so it needs contamination=0; got "
                f'contamination={c!r}. Fix: contamination=0 for novelty detection, or threshold="auto" to flag '
                "the contaminated fraction."
            )
        default, (low, high, high_open), meaning = THRESHOLD_RULES[rule]
        param = default if self.threshold_param is None else self.threshold_param
        ok = isinstance(param, Real) and not isinstance(param, bool) and low < param and (param < high if high_open else param <= high)
        if rule in ("mean_std", "median_mad"):
            ok = ok or param == 0
        if not ok:
            raise ConfigError(
                f"threshold_param for threshold={rule!r} is {meaning}; got {param!r}. "
                f"Fix: threshold_param={default} (the default), or None."
            )
        return rule, float(param)

    def _holdout_fraction(self) -> float:
        f = self.holdout_fraction
        if isinstance(f, bool) or not isinstance(f, Real) or not 0.0 < f < 1.0:
            raise ConfigError(f"holdout_fraction must be a number in (0, 1); got {f!r}. Fix: e.g. holdout_fraction=0.2.")
        return float(f)

    def _check_max_steps(self) -> None:
        m = self.max_steps
        if m is not None and (isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1):
            raise ConfigError(
                f"max_steps must be a positive integer (the most mini-batch steps of the fit) or None; got {m!r}. "
                "Fix: e.g. max_steps=5000, or None for max_iter epochs whatever the data's size."
            )

    def _n_members(self, X: Any) -> int:
        """The number of members ``n_members`` gives for X, validated."""
        n = self.n_members
        architecture = str(self.architecture).lower()
        if isinstance(n, str) and n == "auto":
            vector = architecture == "dense" and self.layers is None and not is_mixed_table(X)
            return _AUTO_MEMBERS if vector else 1
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 or n % 2 == 0:
            raise ConfigError(
                f'n_members must be "auto" or a positive odd integer (the middle member, of code size latent_dim, '
                f"is the detector's own network, with as many smaller as larger codes around it); got {n!r}. "
                'Fix: n_members=3, 1 for a single network, or "auto".'
            )
        why = None
        if n > 1 and architecture == "fully-conv":
            why = 'architecture="fully-conv" has no code size to vary (its code is the last conv layer\'s feature map)'
        elif n > 1 and self.layers is not None:
            why = "the layers= form fixes every layer's size, the code's included, so the members' code sizes cannot vary"
        elif n > 1 and is_mixed_table(X):
            why = "an ensemble of members is not supported for mixed-type tables yet (their score is per column)"
        if why is not None:
            raise ConfigError(
                f"n_members={n} needs members of different code sizes, but {why}. "
                'Fix: n_members=1 (or "auto", which is 1 here).'
            )
        return int(n)

    def _reference_trim(self) -> float:
        """The share of training rows ``code_score="neighbors"``'s reference leaves out, validated:
        ``contamination`` for "auto"."""
        t = self.reference_trim
        if isinstance(t, str) and t == "auto":
            return float(self.contamination)  # validated by _threshold_rule before this runs
        if isinstance(t, bool) or not isinstance(t, Real) or not 0.0 <= t <= 0.5:
            raise ConfigError(
                f'reference_trim must be "auto" (the contamination) or a number in [0, 0.5], the share of training '
                f"rows the neighbours' reference leaves out; got {t!r}. Fix: e.g. reference_trim=0.1, or 0 to keep every row."
            )
        return float(t)

    def _member_steps(self, n_members: int) -> int | None:
        """The most mini-batch steps each of ``n_members`` networks takes: ``max_steps`` is the whole
        fit's budget, split evenly (at least one step each). The one place that says so."""
        return None if self.max_steps is None else max(1, int(self.max_steps) // n_members)

    def _core_params(
        self, sample_shape: tuple[int, ...], seed: int, n_rows: int | None = None, n_members: int = 1
    ) -> dict[str, Any]:
        """The wrapped AutoencoderEstimator's parameters, with "auto" sizes resolved and ``max_iter``
        cut to the epochs that this network's share of ``max_steps`` (one of ``n_members``) allows
        on ``n_rows`` training rows."""
        params = {k: v for k, v in self.get_params(deep=False).items() if k in AutoencoderEstimator._get_param_names()}
        n_features = int(np.prod(sample_shape))
        if getattr(self, "table_", None) is not None:  # what the network's first layer sees, embeddings included
            n_features = self.table_.network_width
        dense = str(self.architecture).lower() == "dense"
        if isinstance(self.latent_dim, str) and self.latent_dim == "auto":
            params["latent_dim"] = max(1, round(math.sqrt(n_features))) if dense else 16
            if str(self.architecture).lower() == "fully-conv":
                params["latent_dim"] = None  # the code is the last conv layer's feature map
        if isinstance(self.hidden_sizes, str) and self.hidden_sizes == "auto":
            params["hidden_sizes"] = (min(128, max(16, 2 * n_features)),)
        if self.layers is not None:
            defaults = AutoencoderEstimator().get_params()
            for name in ("latent_dim", "hidden_sizes"):  # the layer form gives the sizes
                params[name] = defaults[name]
        params["random_state"] = seed
        minibatch = str(self.solver).lower() not in SCIPY_SOLVERS
        steps = self._member_steps(n_members)
        if steps is not None and n_rows and minibatch and isinstance(self.max_iter, (int, np.integer)):
            batch = min(200, n_rows) if isinstance(self.batch_size, str) else int(self.batch_size)
            steps_per_epoch = math.ceil(n_rows / max(1, batch))
            params["max_iter"] = int(max(1, min(self.max_iter, steps // steps_per_epoch)))
        return params

    # ------------------------------------------------------------ inference
    def _scale(self, X: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray((X - self.shift_) / self.scale_, dtype=np.float32)

    def _check_X(self, X: Any, name: str = "X") -> np.ndarray:
        if getattr(self, "table_", None) is not None:
            check_is_fitted(self, "model_")
            return self._scale(self.table_.transform(X))
        return self._scale(super()._check_X(X, name))

    def _fit_errors(self, rows: np.ndarray) -> np.ndarray:
        """Anomaly scores (errors, as ``error_scaling`` adds them up) of rows of X already validated in fit."""
        return self._scored_errors(self._to_model_shape(self._scale(rows)))

    def _network_pass(self, X: np.ndarray, codes: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """One pass over scaled rows in the score's precision (:func:`score_dtype`): the (n, n_features)
        reconstruction errors and, with ``codes``, the (n, code size) codes, both float64."""
        model = copy.deepcopy(self.model_).eval()
        device = next(model.parameters()).device
        dtype = score_dtype(model)
        if device.type == "mps" and dtype == torch.float64:
            device = torch.device("cpu")  # MPS has no float64
        model = model.to(device=device, dtype=dtype)
        error = self.objective_.per_element_error
        errors, zs = [], []
        with torch.no_grad():
            for start in range(0, len(X), _SCORE_BATCH):
                xb = torch.from_numpy(X[start : start + _SCORE_BATCH]).to(device=device, dtype=dtype)
                out = model(xb)
                errors.append(error(out, xb).reshape(len(xb), -1).cpu().numpy().astype(np.float64))
                if codes:
                    zs.append(out.z.reshape(len(xb), -1).cpu().numpy().astype(np.float64))
        if not errors:  # no rows
            return np.zeros((0, 0)), (np.zeros((0, 0)) if codes else None)
        return np.concatenate(errors), (np.concatenate(zs) if codes else None)

    def _code_scored(self) -> bool:
        """Whether the score adds the code's distance (a fitted ``code_score`` other than "none")."""
        return getattr(self, "code_precision_", None) is not None or getattr(self, "code_reference_", None) is not None

    def _code_distances(self, codes: np.ndarray) -> np.ndarray:
        """The code part: mean squared distance to the nearest training codes ("neighbors") or the
        squared Mahalanobis distance from their mean ("mahalanobis")."""
        if getattr(self, "code_reference_", None) is not None:
            return _neighbor_distances(codes, self.code_reference_, int(self.code_neighbors_))
        centered = codes - self.code_center_
        return ((centered @ self.code_precision_) * centered).sum(axis=1)

    def _combined(self, per_feature: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        """The anomaly score from a :meth:`_network_pass`: the reconstruction error, per feature over
        ``error_scale_`` when it is set (``error_scaling="feature"``), then, when ``code_score`` adds
        the code's distance, each part over its typical training value (``score_scale_``) and added.

        Per-feature errors add up in float64, as the exported ONNX graph does.
        """
        scale = getattr(self, "error_scale_", None)
        errors = (per_feature if scale is None else per_feature / scale).sum(axis=1)
        if not self._code_scored():
            return errors
        return errors / self.score_scale_[0] + self._code_distances(codes) / self.score_scale_[1]

    def _own_scores(self, X: np.ndarray) -> np.ndarray:
        """This network's score of scaled rows in the model's shape (see :meth:`_combined`): one member's."""
        return self._combined(*self._network_pass(X, codes=self._code_scored()))

    def _members(self) -> list[AnomalyDetector]:
        """The fitted members; a detector saved before ``n_members`` existed is its one network."""
        return getattr(self, "members_", None) or [self]

    def _averaged(self, member_values: list[np.ndarray]) -> np.ndarray:
        """The members' scores (or parts of them), each over its member's median training score, averaged."""
        return sum(v / s for v, s in zip(member_values, self.member_scale_)) / len(member_values)

    def _scored_errors(self, X: np.ndarray) -> np.ndarray:
        """Per-sample anomaly score of scaled rows in the model's shape: one network's (see
        :meth:`_combined`), or the members' mean, each over its median training score."""
        members = self._members()
        if len(members) == 1:
            return self._own_scores(X)
        return self._averaged([m._own_scores(X) for m in members])

    def reconstruct(self, X: Any) -> Any:
        """Reconstructions in the units of X (the scaling undone).

        For a mixed-type table, a DataFrame with its columns and dtypes: missing cells filled in
        with the model's values, each category its most likely one.
        """
        if getattr(self, "table_", None) is not None:  # logits, one per category of an embedded column
            return self.table_.decode(super().reconstruct(X), index=X.index)
        return super().reconstruct(X) * self.scale_ + self.shift_

    def inverse_transform(self, X: Any) -> Any:
        """Decode codes into samples in the units of the training data (a DataFrame for a table)."""
        if getattr(self, "table_", None) is not None:  # the table's scaling is its encoder's
            return self.table_.decode(super().inverse_transform(X))
        return super().inverse_transform(X) * self.scale_ + self.shift_

    def score_samples(self, X: Any) -> np.ndarray:
        """Negative anomaly score: higher is more normal.

        The score is the reconstruction error of the scaled features, each feature's error over
        its typical training error (``error_scale_``) with ``error_scaling="feature"``, the
        plain error with ``"none"``; with a ``code_score`` other than "none" that error over its
        median on the training rows plus the code's distance over its median (``score_scale_``):
        its mean squared distance to its nearest training codes ("neighbors", the default) or its
        squared Mahalanobis distance from their mean ("mahalanobis"). That is one network's score;
        with several members (``n_members``, 3 by default on vector data) the score is the mean of
        the members' scores, each over its median on the training rows (``member_scale_``).

        Examples
        --------
        >>> import numpy as np
        >>> X = np.random.default_rng(0).normal(size=(60, 3))
        >>> det = AnomalyDetector(max_iter=2, random_state=0).fit(X)
        >>> det.score_samples(X[:2]).shape
        (2,)
        """
        check_is_fitted(self, "model_")
        return -self._scored_errors(self._to_model_shape(self._check_X(X)))

    def decision_function(self, X: Any) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for anomalies, positive for normal samples."""
        return self.score_samples(X) - self.offset_

    def predict(self, X: Any) -> np.ndarray:
        """-1 for anomalies (error above ``threshold_``), 1 for normal samples."""
        return np.where(self.decision_function(X) < 0, -1, 1)

    def _own_parts(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """This network's score of scaled rows, in parts: (per-feature contributions, code part)."""
        with_code = self._code_scored()
        contributions, codes = self._network_pass(X, codes=with_code)
        if getattr(self, "error_scale_", None) is not None:  # in the units of the score
            contributions = contributions / self.error_scale_
        code = np.zeros(len(contributions))
        if with_code:
            contributions = contributions / self.score_scale_[0]
            code = self._code_distances(codes) / self.score_scale_[1]
        return contributions, code

    def explain(self, X: Any) -> AnomalyExplanation:
        """Each feature's contribution to each sample's reconstruction error.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(150, 4))
        >>> det = AnomalyDetector(max_iter=20, random_state=0).fit(X)
        >>> odd = X[:1].copy(); odd[0, 2] = 25.0
        >>> det.explain(odd).top(0, k=1)[0][0]
        'x2'
        """
        check_is_fitted(self, "model_")
        rows = self._to_model_shape(self._check_X(X))
        members = self._members()
        if len(members) == 1:
            contributions, code = self._own_parts(rows)
        else:  # each member's parts in its own score's units, weighted as the score averages them
            parts = [m._own_parts(rows) for m in members]
            contributions, code = self._averaged([p[0] for p in parts]), self._averaged([p[1] for p in parts])
        ranking = np.argsort(-contributions, axis=1, kind="stable")
        if getattr(self, "table_", None) is not None:  # one loss per column, in that column's terms
            return AnomalyExplanation(contributions, ranking, [c.name for c in self.table_.columns_], code)
        names = getattr(self, "feature_names_in_", None)
        names = [str(n) for n in names] if names is not None else [f"x{j}" for j in range(self.n_features_in_)]
        return AnomalyExplanation(contributions, ranking, names, code)
