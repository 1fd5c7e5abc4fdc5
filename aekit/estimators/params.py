"""Each estimator's parameters and fitted state, declared once and derived everywhere else.

The parameter list is :class:`~aekit.AutoencoderEstimator`'s ``__init__`` signature. The
anomaly detector's ``__init__`` is derived from it (:func:`derived_init`), and so are the
``aekit train`` options; a new parameter is one keyword in that signature plus its docstring
entry. The fitted state that :func:`aekit.save` writes and :func:`aekit.load` restores is each
class's ``FITTED_STATE``, a tuple of :class:`Fitted` fields.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Fitted", "derived_init", "dump_fitted", "restore_fitted", "float_array"]


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


def float_array(dtype: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(dump, load) for an ndarray attribute kept as a JSON list (None stays None)."""
    return (lambda a: None if a is None else np.asarray(a).tolist()), (lambda v: None if v is None else np.asarray(v, dtype))


@dataclass(frozen=True)
class Fitted:
    """One fitted attribute as :func:`aekit.save` writes it into ``config.json``.

    ``key`` is its name in the file (default: the attribute's); ``dump`` turns the value into
    JSON, ``load`` back; ``optional`` fields are skipped when the estimator lacks them (e.g.
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


def dump_fitted(estimator: Any) -> dict[str, Any]:
    """The ``FITTED_STATE`` of ``estimator`` as a JSON-ready dict."""
    out = {}
    for field in type(estimator).FITTED_STATE:
        if field.optional and not hasattr(estimator, field.name):
            continue
        out[field.file_key] = field.dump(getattr(estimator, field.name))
    return out


def restore_fitted(estimator: Any, fitted: dict[str, Any]) -> None:
    """Set each ``FITTED_STATE`` attribute of ``estimator`` from a dict written by :func:`dump_fitted`.

    Raises KeyError naming the first required key that is missing.
    """
    for field in type(estimator).FITTED_STATE:
        if field.file_key in fitted:
            setattr(estimator, field.name, field.load(fitted[field.file_key]))
        elif not field.optional:
            raise KeyError(field.file_key)
