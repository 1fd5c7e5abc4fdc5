"""Recipes: TOML files that reproduce the classic experiments, and the runner that writes their reports."""

from aekit.recipes.runner import RecipeResult, RunResult, flip_bits, run_recipe, train_run
from aekit.recipes.spec import FIGURES, Recipe, RunSpec, load_recipe

__all__ = ["FIGURES", "Recipe", "RecipeResult", "RunResult", "RunSpec", "flip_bits", "load_recipe", "run_recipe", "train_run"]
