"""Recipes: TOML files that reproduce the classic experiments, and the runner that writes their reports."""

from aekit.noise import flip_bits
from aekit.recipes.results import RecipeResult, RunResult
from aekit.recipes.runner import run_recipe, train_run
from aekit.recipes.spec import FIGURES, Recipe, RunSpec, builtin_recipes, find_recipe, load_recipe

__all__ = [
    "FIGURES",
    "Recipe",
    "RecipeResult",
    "RunResult",
    "RunSpec",
    "builtin_recipes",
    "find_recipe",
    "flip_bits",
    "load_recipe",
    "run_recipe",
    "train_run",
]
