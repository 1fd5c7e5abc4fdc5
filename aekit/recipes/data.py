"""The data a recipe runs on: its dataset (or the user's folder), else its stand-in, said in the report."""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field

from sklearn.utils import Bunch

from aekit.errors import ConfigError, DatasetError

__all__ = ["RecipeData", "load_recipe_data"]


@dataclass
class RecipeData:
    """The training set, the held-out set (``validation = "test"``), and what the report must say.

    ``name`` is the dataset actually used (the recipe's, or its fallback); ``notes`` say why a
    stand-in was used.
    """

    train: Bunch
    held_out: Bunch | None
    name: str
    notes: list[str] = field(default_factory=list)


def _options(spec: str, options: dict, data_dir: str | os.PathLike | None, smoke: bool) -> dict:
    """The loader's keyword arguments: the recipe's, the user's folder, and no download in a smoke run."""
    from aekit.datasets.resolve import loader_for

    accepted = inspect.signature(loader_for(spec)).parameters if loader_for(spec) else {}
    options = dict(options)
    if data_dir is not None:
        where = next((p for p in ("path", "data_dir") if p in accepted), None)
        if where is None:
            raise ConfigError(
                f"data_dir={str(data_dir)!r}: the dataset {spec!r} is not read from a folder. "
                "Fix: leave out --data for this recipe."
            )
        options[where] = data_dir
    if smoke and "download" in accepted:
        options["download"] = False  # a smoke run checks the pipeline; it never downloads
    return options


def _load(spec: str, options: dict, samples: int | None, subset: str | None) -> Bunch:
    from aekit.datasets import first_samples, load_dataset

    return first_samples(load_dataset(spec, **options, **({"subset": subset} if subset else {})), samples)


def load_recipe_data(recipe, *, smoke: bool = False, data_dir: str | os.PathLike | None = None,
                     samples: int | None = None) -> RecipeData:
    """Load ``recipe.data`` (from ``data_dir`` when given), else ``recipe.fallback`` with a note.

    ``samples`` (default ``recipe.samples``) keeps the first samples of the training and the
    held-out set. The fallback is used only when the data's files are absent or unreadable
    (a DatasetError); a folder the user passed is never replaced by the stand-in.

    Examples
    --------
    >>> from aekit.recipes import find_recipe, load_recipe
    >>> from aekit.recipes.data import load_recipe_data
    >>> data = load_recipe_data(load_recipe(find_recipe("font-vae")))
    >>> data.name, data.train.data.shape, data.notes
    ('font', (32, 35), [])
    """
    samples = samples or recipe.samples
    try:
        options = _options(recipe.data, recipe.data_options, data_dir, smoke)
        train = _load(recipe.data, options, samples, None)
        held_out = _load(recipe.data, options, samples, recipe.validation) if recipe.validation else None
        return RecipeData(train, held_out, recipe.data)
    except DatasetError as error:
        if recipe.fallback is None or data_dir is not None:
            raise
        reason = str(error)
    options = _options(recipe.fallback, recipe.fallback_options, None, smoke)
    train = _load(recipe.fallback, options, samples, None)
    held_out = _load(recipe.fallback, options, samples, recipe.validation) if recipe.validation else None
    note = (f"Stand-in data: {recipe.data!r} could not be loaded, so this run used {recipe.fallback!r} instead "
            f"(give the files with `aekit run {recipe.name} --data DIR`). Why: {reason}")
    return RecipeData(train, held_out, recipe.fallback, [note])
