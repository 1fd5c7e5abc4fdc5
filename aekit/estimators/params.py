"""Each estimator's parameters and fitted state, declared once and derived everywhere else.

The parameter list is :class:`~aekit.AutoencoderEstimator`'s ``__init__`` signature. The
anomaly detector's ``__init__`` is derived from it (:func:`derived_init`), and so are the
``aekit train`` options; a new parameter is one keyword in that signature plus its docstring
entry. The fitted state that :func:`aekit.save` writes and :func:`aekit.load` restores is each
class's ``FITTED_STATE``, a tuple of :class:`Fitted` fields. A numeric array field (declared
with :func:`float_array`) is written as a tensor ``fitted.<key>`` beside the weights when the
caller collects tensors (:func:`dump_fitted`'s ``tensors``), and as a JSON list otherwise.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Fitted", "MissingTensorError", "TENSOR_PREFIX", "derived_init", "dump_fitted", "restore_fitted", "float_array"]

TENSOR_PREFIX = "fitted."  # the name of an array field's tensor: this, then its key in the file


def derived_init(
    base: type, own: dict[str, tuple[Any, str]], overrides: dict[str, tuple[Any, str]]
) -> Callable[..., None]:
    """An ``__init__`` taking ``own`` parameters, then every parameter of ``base.__init__``.

    ``own`` and ``overrides`` map a name to ``(default, annotation)``; ``overrides`` replaces
    the default and annotation of a ``base`` parameter. The result stores every keyword
    argument unchanged (scikit-learn's convention), refuses unknown ones with a TypeError as a
    written-out signature would, and carries the full signature, so ``get_params``, ``clone``,
    ``help()`` and the CLI see every parameter.

    Examples
    --------
    >>> class Base:
    ...     def __init__(self, *, a: int = 1, b: str = "x"):
    ...         self.a, self.b = a, b
    >>> class Child(Base):
    ...     __init__ = derived_init(Base, {"c": (0.5, "float")}, {"a": (2, "int")})
    >>> vars(Child(b="y"))
    {'c': 0.5, 'a': 2, 'b': 'y'}
    >>> str(inspect.signature(Child))
    "(*, c: 'float' = 0.5, a: 'int' = 2, b: 'str' = 'x')"
    """
    keyword = inspect.Parameter.KEYWORD_ONLY
    inherited = [p for name, p in inspect.signature(base.__init__).parameters.items() if name != "self"]
    clash = set(own) & {p.name for p in inherited}
    if clash or set(overrides) - {p.name for p in inherited}:
        raise TypeError(f"own parameters {sorted(clash)} shadow {base.__name__}'s, or overrides name unknown ones")
    parameters = [inspect.Parameter(name, keyword, default=d, annotation=a) for name, (d, a) in own.items()]
    for p in inherited:
        if p.name in overrides:
            default, annotation = overrides[p.name]
            p = p.replace(default=default, annotation=annotation)
        parameters.append(p)
    signature = inspect.Signature([inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *parameters])

    def __init__(self, **params: Any) -> None:
        bound = signature.bind(self, **params)
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            if name != "self":
                setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _ArrayDump:
    """The dump of a :func:`float_array` field: a JSON list, or (see :func:`dump_fitted`) a tensor of ``dtype``."""

    dtype: Any

    def __call__(self, a: Any) -> Any:
        return None if a is None else np.asarray(a).tolist()


def float_array(dtype: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(dump, load) for a numeric ndarray attribute of ``dtype`` (None stays None).

    :func:`dump_fitted` writes it as a tensor when given ``tensors`` (what :func:`aekit.save`
    does), else as a JSON list; ``load`` takes either back as an array of ``dtype``.
    """
    return _ArrayDump(np.dtype(dtype)), (lambda v: None if v is None else np.asarray(v, dtype))


class MissingTensorError(KeyError):
    """A fitted field's marker names a tensor that the tensors given to :func:`restore_fitted` lack."""

    def __init__(self, key: str, tensor: str):
        super().__init__(key)
        self.key, self.tensor = key, tensor


@dataclass(frozen=True)
class Fitted:
    """One fitted attribute as :func:`aekit.save` writes it into ``config.json``.

    ``key`` is its name in the file (default: the attribute's); ``dump`` turns the value into
    JSON, ``load`` back (a :func:`float_array` field is saved as a tensor in ``model.safetensors``
    instead, with a marker in ``config.json``); ``optional`` fields are skipped when the estimator lacks them (e.g.
    ``feature_names_in_`` exists only after a fit on a DataFrame) and when a file lacks them.
    """

    name: str
    dump: Callable[[Any], Any] = _same
    load: Callable[[Any], Any] = _same
    key: str | None = None
    optional: bool = False

    @property
    def file_key(self) -> str:
        return self.key or self.name

    @property
    def array(self) -> bool:
        """Whether this is a numeric array field (declared with :func:`float_array`)."""
        return isinstance(self.dump, _ArrayDump)


def dump_fitted(estimator: Any, tensors: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
    """The ``FITTED_STATE`` of ``estimator`` as a JSON-ready dict.

    With ``tensors``, each array field that is not None goes into it instead, as an array of its
    declared dtype named ``"fitted." + key``, and the dict holds ``{"tensor": that name}`` for it.

    Examples
    --------
    >>> class Thing:
    ...     FITTED_STATE = (Fitted("n_", int, int), Fitted("mean_", *float_array(np.float64)))
    >>> thing = Thing()
    >>> thing.n_, thing.mean_ = 2, np.array([0.5, 1.5])
    >>> dump_fitted(thing)
    {'n_': 2, 'mean_': [0.5, 1.5]}
    >>> tensors = {}
    >>> dump_fitted(thing, tensors), tensors
    ({'n_': 2, 'mean_': {'tensor': 'fitted.mean_'}}, {'fitted.mean_': array([0.5, 1.5])})
    """
    out = {}
    for field in type(estimator).FITTED_STATE:
        if field.optional and not hasattr(estimator, field.name):
            continue
        value = getattr(estimator, field.name)
        if tensors is not None and field.array and value is not None:
            name = TENSOR_PREFIX + field.file_key
            tensors[name] = np.array(value, dtype=field.dump.dtype, order="C")  # a copy; a 0-d array stays 0-d
            out[field.file_key] = {"tensor": name}
        else:
            out[field.file_key] = field.dump(value)
    return out


def _marker(value: Any) -> str | None:
    """The tensor name in an array field's ``{"tensor": name}`` entry, or None for any other entry."""
    if isinstance(value, dict) and set(value) == {"tensor"} and isinstance(value["tensor"], str):
        return value["tensor"]
    return None


def restore_fitted(estimator: Any, fitted: dict[str, Any], tensors: dict[str, np.ndarray] | None = None) -> None:
    """Set each ``FITTED_STATE`` attribute of ``estimator`` from a dict written by :func:`dump_fitted`.

    An array field's entry is a JSON list or a ``{"tensor": name}`` marker, taken from
    ``tensors``. Raises KeyError naming the first required key that is missing, and
    :class:`MissingTensorError` (a KeyError) for a marker whose tensor ``tensors`` lacks.
    """
    for field in type(estimator).FITTED_STATE:
        if field.file_key in fitted:
            value = fitted[field.file_key]
            name = _marker(value) if field.array else None
            if name is not None:
                if tensors is None or name not in tensors:
                    raise MissingTensorError(field.file_key, name)
                value = tensors[name]
            setattr(estimator, field.name, field.load(value))
        elif not field.optional:
            raise KeyError(field.file_key)
