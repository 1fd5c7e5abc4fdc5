"""Recipe files: parsing, defaults, and errors that name the file, the key and what was expected."""

import doctest
from pathlib import Path

import pytest

import aekit.recipes.spec
from aekit.errors import ConfigError
from aekit.recipes import load_recipe

BASE = 'name = "t"\ndata = "font"\n[model]\nlatent_dim = 2\nsolver = "adam"\n'


def write(tmp_path, text):
    path = tmp_path / "r.toml"
    path.write_text(text)
    return path


def test_docstring_examples():
    assert doctest.testmod(aekit.recipes.spec).failed == 0


def test_runs_override_the_model(tmp_path):
    recipe = load_recipe(write(tmp_path, BASE + '[[runs]]\nname = "cg"\nsolver = "cg"\nnoisy_copies = 3\nnoise_levels = [0.1, 0.2]\n'))
    (run,) = recipe.runs
    assert run.params == {"latent_dim": 2, "solver": "cg"}
    assert (run.noisy_copies, run.noise_levels) == (3, (0.1, 0.2))


def test_one_default_run(tmp_path):
    assert [r.name for r in load_recipe(write(tmp_path, BASE)).runs] == ["model"]


@pytest.mark.parametrize(("text", "message"), [
    ('data = "font"\n', r"r\.toml: key 'name': expected a string \(the key is required\); got None"),
    ("epochs = 3\n" + BASE, r"r\.toml: unknown key 'epochs'"),
    (BASE + "[figures.latent_mapp]\n", r"unknown key 'figures.latent_mapp'.*Did you mean \"latent_map\"\?"),
    (BASE + '[figures.latent_map]\nrun = "nope"\n', r"key 'figures.latent_map.run': expected names of runs in this recipe \['model'\]; got 'nope'"),
    (BASE + '[figures.interpolation]\nbetween = ["a"]\n', r"key 'figures.interpolation.between': expected two sample labels or indices"),
    (BASE + "[figures.noise_sweep]\n", r"key 'noise_sweep.levels': expected a list of bit-flip rates"),
    (BASE + "[noise_sweep]\nlevels = [0.1, 2]\n", r"key 'noise_sweep.levels\[1\]': expected a rate between 0 and 1; got 2"),
    (BASE + '[[runs]]\nname = "a"\n[[runs]]\nname = "a"\n', r"key 'runs\[1\].name': expected a name no other run has; got 'a'"),
    (BASE + '[[runs]]\nname = "a"\nnoisy_copies = 2\n', r"key 'runs\[0\].noise_levels': expected at least one bit-flip rate"),
    (BASE + '[[runs]]\nnoisy_copies = 2\n', r"key 'runs\[0\].name': expected a string naming the run; got None"),
    ("name = \n", r"r\.toml: not valid TOML"),
])
def test_errors_name_file_key_and_expectation(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_recipe(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"Recipe file '.*nope.toml' does not exist"):
        load_recipe(tmp_path / "nope.toml")


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[2] / "aekit" / "recipes" / "library").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_recipes_parse(path):
    recipe = load_recipe(path)
    assert recipe.name == path.stem and recipe.figures


def test_validation_subset_key(tmp_path):
    assert load_recipe(write(tmp_path, 'validation = "test"\n' + BASE)).validation == "test"
    assert load_recipe(write(tmp_path, BASE)).validation is None
    with pytest.raises(ConfigError, match=r"r\.toml.*validation.*a subset name such as \"test\""):
        load_recipe(write(tmp_path, "validation = 3\n" + BASE))


def test_recipes_are_found_by_name_from_any_directory(tmp_path, monkeypatch):
    from aekit.recipes import builtin_recipes, find_recipe

    monkeypatch.chdir(tmp_path)  # an installed aekit, run outside the repository
    assert {"font-2d", "font-denoising", "font-vae", "mnist-practical", "mnist-deep", "digits-3d"} <= set(builtin_recipes())
    assert load_recipe(find_recipe("font-2d")).name == "font-2d"
    local = tmp_path / "recipes" / "font-2d.toml"  # a local recipe of the same name wins
    local.parent.mkdir()
    local.write_text('name = "mine"\ndata = "font"\n[[runs]]\nname = "a"\n')
    assert find_recipe("font-2d") == Path("recipes") / "font-2d.toml"
    with pytest.raises(ConfigError, match='No recipe file or recipe named .font-2x.. Did you mean "font-2d"\\?.*Built-in recipes: '):
        find_recipe("font-2x")
