"""Command-line options derived from an estimator's signature and its numpydoc docstring.

``aekit train`` takes one flag per :class:`~aekit.AutoencoderEstimator` parameter; the flags,
their types and their help are read from the estimator itself, so a new parameter needs no
edit here. Sequences are typed as comma-separated text (``--hidden-sizes 20,10``), booleans
as ``--name/--no-name`` switches, and every option defaults to "not given" (None), so the
estimator's own defaults apply.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Optional

import typer

from aekit.errors import ConfigError

__all__ = ["EstimatorOption", "estimator_options", "parameter_help", "with_options"]


def parameter_help(cls: type) -> dict[str, str]:
    """Each parameter's description from the numpydoc ``Parameters`` section of ``cls``'s docstring.

    Examples
    --------
    >>> class A:
    ...     '''Parameters
    ...     ----------
    ...     size : int, default=3
    ...         How big. Longer text.
    ...     '''
    >>> parameter_help(A)
    {'size': 'How big. Longer text.'}
    """
    doc = inspect.cleandoc(cls.__doc__ or "")
    section = re.search(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
    helps: dict[str, str] = {}
    name = None
    for line in (section.group(1) if section else "").splitlines():
        entry = re.match(r"^(\w+) :", line)
        if entry:
            name = entry.group(1)
            helps[name] = ""
        elif name and line.startswith("    "):
            helps[name] = f"{helps[name]} {line.strip()}".strip()
    return helps


def _first_sentence(text: str) -> str:
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text).replace("``", "")
    match = re.match(r"(.+?\.)(?=\s+[A-Z\"(]|$)", text)
    return match.group(1) if match else text


@dataclass(frozen=True)
class EstimatorOption:
    """How one estimator parameter is typed on the command line and converted back."""

    name: str
    cli_type: type
    parse: Callable[[Any], Any]
    hint: str = ""
    flag: str | None = None


def _ints_or_text(name: str, text: str) -> tuple:
    try:
        return tuple(int(item) for item in _items(text))
    except ValueError:
        raise ConfigError(f"--{name.replace('_', '-')} expects comma-separated integers, e.g. 20,10; got {text!r}.") from None


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _int_or_word(name: str, text: str) -> int | str:
    if not text.lstrip("-").isdigit():
        return text  # a word such as "auto": the estimator validates it
    return _ints_or_text(name, text)[0]


def _option(name: str, annotation: Any) -> EstimatorOption:
    """The CLI form of a parameter annotated ``annotation`` (evaluated)."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    args = [a for a in typing.get_args(annotation) if a is not type(None)] if union else [annotation]
    sequences = [a for a in args if typing.get_origin(a) in (Sequence, list, tuple)]
    if sequences:
        inner = typing.get_args(sequences[0])[0]
        if inner is int:
            return EstimatorOption(name, str, lambda text: _ints_or_text(name, text), " Comma-separated, e.g. 20,10.")
        return EstimatorOption(name, str, lambda text: tuple(_items(text)), " Comma-separated.")
    if bool in args:
        flag = f"--{name.replace('_', '-')}/--no-{name.replace('_', '-')}"
        return EstimatorOption(name, bool, bool, flag=flag)
    if int in args and str in args:
        return EstimatorOption(name, str, lambda text: _int_or_word(name, text))
    for kind in (int, float, str):
        if kind in args:
            return EstimatorOption(name, kind, kind)
    raise TypeError(f"no command-line form for parameter {name!r} annotated {annotation!r}")


def estimator_options(cls: type) -> dict[str, EstimatorOption]:
    """One :class:`EstimatorOption` per parameter of ``cls.__init__``, in signature order."""
    signature = inspect.signature(cls.__init__, eval_str=True)
    return {name: _option(name, p.annotation) for name, p in signature.parameters.items() if name != "self"}


def with_options(
    command: Callable[..., Any], cls: type, panels: dict[str, str], before: str
) -> Callable[..., Any]:
    """``command`` with one Typer option per ``cls`` parameter inserted before its parameter ``before``.

    ``panels`` maps the first parameter of each help panel to the panel's title. The
    command receives the options the user gave (others are None) and converts them with
    :func:`given_params`.
    """
    helps = parameter_help(cls)
    signature = inspect.signature(command, eval_str=True)
    fixed = [p for p in signature.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
    at = [p.name for p in fixed].index(before)
    added, panel = [], None
    for name, option in estimator_options(cls).items():
        panel = panels.get(name, panel)
        decls = (option.flag,) if option.flag else ()
        info = typer.Option(*decls, help=_first_sentence(helps.get(name, "")) + option.hint, rich_help_panel=panel,
                            show_default=False)
        annotation = Annotated[Optional[option.cli_type], info]
        added.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation))
    fixed = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in fixed]
    command.__signature__ = signature.replace(parameters=[*fixed[:at], *added, *fixed[at:]])
    return command


def given_params(cls: type, given: dict[str, Any]) -> dict[str, Any]:
    """The options the user gave (not None), converted to ``cls``'s parameter types."""
    options = estimator_options(cls)
    return {name: options[name].parse(value) for name, value in given.items() if name in options and value is not None}
