"""A recipe file: TOML naming the data, the runs to train, the evaluations and the figures.

```toml
name = "font-2d"                 # the run directory: runs/<name>/
title = "5x7 font, 2-D code"
data = "font"                    # built-in name or file, as for `aekit train --data`
validation = "test"              # optional: a subset of data whose loss is drawn each epoch

[model]                          # AutoencoderEstimator parameters shared by every run
hidden_sizes = [20]
latent_dim = 2

[[runs]]                         # one trained model each; other keys override [model]
name = "adam"
solver = "adam"
noisy_copies = 3                 # optional: train on noisy copies (target: the clean data)
noise_levels = [0.1, 0.2]        # bit-flip rate of each set of copies

[noise_sweep]                    # optional: wrong pixels vs bit-flip rate at test time
levels = [0.05, 0.1, 0.2]

[figures.latent_map]             # every figure the report must show, with its options
run = "adam"

[smoke]                          # overrides for a quick check (`aekit run --smoke`)
max_iter = 3
```
"""

from __future__ import annotations


import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from aekit.errors import ConfigError, suggest

__all__ = ["Recipe", "RunSpec", "load_recipe", "FIGURES"]

# figure name -> the options it accepts (besides "title")
FIGURES: dict[str, tuple[str, ...]] = {
    "loss_curves": ("runs", "logy", "logx", "x"),
    "reconstructions": ("run", "noise_level", "max_images"),
    "latent_map": ("run", "label_kind", "projection"),
    "decoded_grid": ("run", "n"),
    "interpolation": ("run", "between", "n"),
    "traversal": ("run", "span", "n"),
    "error_histogram": ("runs", "noise_level"),
    "errors_per_label": ("runs", "noise_level"),
    "noise_sweep": ("runs",),
    "prior_samples": ("run", "n", "seed"),
    "denoising": ("run", "noise", "noise_level", "max_images", "seed", "psnr"),
    "anomaly_timeline": ("run", "threshold_quantile"),
    "hamming_cosine": ("run", "max_distance", "max_samples", "seed"),
}
# options every figure takes: its title, what the original experiment did (shown beside the
# figure), and which builder draws it (default: the table's name), so one builder can be
# listed twice, e.g. [figures.map_2d] and [figures.map_3d] with figure = "latent_map"
COMMON_FIGURE_OPTIONS = ("title", "original", "figure")
TOP_LEVEL = (
    "name", "title", "description", "data", "data_options", "fallback", "fallback_options", "samples",
    "validation", "model", "runs", "noise_sweep", "figures", "smoke",
)
RUN_ONLY = ("name", "noisy_copies", "noise_levels")
SWEEP_KEYS = ("levels", "repeats")


@dataclass(frozen=True)
class RunSpec:
    """One model to train: its name, estimator parameters, and optional noisy training copies."""

    name: str
    params: dict[str, object]
    noisy_copies: int = 0
    noise_levels: tuple[float, ...] = ()


@dataclass(frozen=True)
class Recipe:
    """A parsed, validated recipe; see the module docstring for the file format."""

    path: Path
    name: str
    title: str
    description: str
    data: str
    model: dict[str, object]
    runs: list[RunSpec]
    figures: dict[str, dict[str, object]]
    validation: str | None = None  # a subset of data (e.g. "test") for val_loss each epoch
    noise_sweep: dict[str, object] = field(default_factory=dict)
    smoke: dict[str, object] = field(default_factory=dict)
    data_options: dict[str, object] = field(default_factory=dict)  # keyword arguments of data's loader
    fallback: str | None = None  # the stand-in dataset when ``data`` cannot be loaded (files absent)
    fallback_options: dict[str, object] = field(default_factory=dict)
    samples: int | None = None  # train on the first ``samples`` samples (and as many held out)

    def run(self, name: str) -> RunSpec:
        """The run called ``name``."""
        for spec in self.runs:
            if spec.name == name:
                return spec
        raise KeyError(name)


class _Checker:
    """Words every error as '<file>: key <key>: expected ..., got ...'."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, expected: str, got: object) -> ConfigError:
        return ConfigError(f"{self.path}: key '{key}': expected {expected}; got {got!r}.")

    def known(self, key: str, table: dict, allowed: tuple[str, ...]) -> None:
        for name in table:
            if name not in allowed:
                raise ConfigError(
                    f"{self.path}: unknown key '{key}{name}'. Expected one of {list(allowed)}."
                    + suggest(name, allowed)
                )

    def typed(self, key: str, value: object, kind: type | tuple[type, ...], expected: str) -> object:
        if isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(key, expected, value)
        return value


LIBRARY = Path(__file__).parent / "library"  # the recipes that ship with aekit


def builtin_recipes() -> list[str]:
    """Names of the recipes that ship with aekit (``aekit run NAME``)."""
    return sorted(p.stem for p in LIBRARY.glob("*.toml"))


def find_recipe(recipe: str | Path) -> Path:
    """A recipe file: ``recipe`` itself if it is a file, else ``./recipes/<recipe>.toml``, else the built-in one.

    Examples
    --------
    >>> from aekit.recipes import find_recipe
    >>> find_recipe("font-2d").name
    'font-2d.toml'
    """
    path = Path(recipe)
    if path.is_file():
        return path
    for candidate in (Path("recipes") / f"{recipe}.toml", LIBRARY / f"{recipe}.toml"):
        if candidate.is_file():
            return candidate
    names = builtin_recipes()
    raise ConfigError(
        f"No recipe file or recipe named {str(recipe)!r}.{suggest(str(recipe), names)} Built-in recipes: {', '.join(names)}. "
        "Fix: pass one of those names or the path of a .toml recipe."
    )


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe file.

    Errors name the file, the key and what was expected.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from aekit.recipes import load_recipe
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.toml"
    >>> _ = path.write_text('name = "tiny"\\ndata = "font"\\n[[runs]]\\nname = "a"\\n[figures.loss_curves]\\n')
    >>> recipe = load_recipe(path)
    >>> recipe.name, [r.name for r in recipe.runs], list(recipe.figures)
    ('tiny', ['a'], ['loss_curves'])
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Recipe file {str(path)!r} does not exist; pass the path of a .toml recipe.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}.") from None
    check = _Checker(path)
    check.known("", raw, TOP_LEVEL)
    for key in ("name", "data"):
        if key not in raw:
            raise check.fail(key, "a string (the key is required)", None)
        check.typed(key, raw[key], str, "a string")
    model = dict(check.typed("model", raw.get("model", {}), dict, "a table of estimator parameters"))
    runs = _runs(check, raw.get("runs", [{"name": "model"}]), model)
    figures = _figures(check, raw.get("figures", {}), [r.name for r in runs])
    sweep = check.typed("noise_sweep", raw.get("noise_sweep", {}), dict, "a table")
    check.known("noise_sweep.", sweep, SWEEP_KEYS)
    if "noise_sweep" in figures and "levels" not in sweep:
        raise check.fail("noise_sweep.levels", "a list of bit-flip rates (the noise_sweep figure needs it)", None)
    for i, level in enumerate(sweep.get("levels", [])):
        _rate(check, f"noise_sweep.levels[{i}]", level)
    return Recipe(
        path=path,
        name=raw["name"],
        title=str(raw.get("title", raw["name"])),
        description=str(raw.get("description", "")),
        data=raw["data"],
        validation=check.typed("validation", raw.get("validation", ""), str, 'a subset name such as "test"') or None,
        model=model,
        runs=runs,
        figures=figures,
        noise_sweep=sweep,
        smoke=dict(check.typed("smoke", raw.get("smoke", {}), dict, "a table of parameter overrides")),
        data_options=dict(check.typed("data_options", raw.get("data_options", {}), dict, "a table of loader options")),
        fallback=check.typed("fallback", raw.get("fallback", ""), str, 'a dataset name such as "mnist"') or None,
        fallback_options=dict(check.typed("fallback_options", raw.get("fallback_options", {}), dict, "a table of loader options")),
        samples=_samples(check, raw.get("samples")),
    )


def _samples(check: _Checker, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise check.fail("samples", "a whole number of samples >= 1", value)
    return value


def _rate(check: _Checker, key: str, value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise check.fail(key, "a rate between 0 and 1", value)
    return float(value)


def _runs(check: _Checker, raw: object, model: dict) -> list[RunSpec]:
    if not isinstance(raw, list) or not raw or not all(isinstance(r, dict) for r in raw):
        raise check.fail("runs", "a non-empty array of tables ([[runs]])", raw)
    runs = []
    for i, entry in enumerate(raw):
        key = f"runs[{i}]"
        name = check.typed(f"{key}.name", entry.get("name"), str, "a string naming the run")
        if any(r.name == name for r in runs):
            raise check.fail(f"{key}.name", "a name no other run has", name)
        copies = check.typed(f"{key}.noisy_copies", entry.get("noisy_copies", 0), int, "a whole number of copies")
        levels = check.typed(f"{key}.noise_levels", entry.get("noise_levels", []), list, "a list of bit-flip rates")
        if copies and not levels:
            raise check.fail(f"{key}.noise_levels", "at least one bit-flip rate when noisy_copies > 0", levels)
        params = {**model, **{k: v for k, v in entry.items() if k not in RUN_ONLY}}
        runs.append(RunSpec(name, params, copies, tuple(_rate(check, f"{key}.noise_levels", v) for v in levels)))
    return runs


def _figures(check: _Checker, raw: object, run_names: list[str]) -> dict[str, dict[str, object]]:
    check.typed("figures", raw, dict, "a table of [figures.<name>] tables")
    for name, options in raw.items():  # a table named after no figure must say which one it draws
        if name not in FIGURES and not (isinstance(options, dict) and "figure" in options):
            check.known("figures.", {name: options}, tuple(FIGURES))
    figures = {}
    for name, options in raw.items():
        key = f"figures.{name}"
        check.typed(key, options, dict, "a table of options")
        builder = options.get("figure", name)
        if builder not in FIGURES:
            raise ConfigError(
                f"{check.path}: key '{key}.figure': expected one of {list(FIGURES)} (the figure to draw); got {builder!r}."
                + suggest(str(builder), tuple(FIGURES))
            )
        check.known(f"{key}.", options, (*FIGURES[builder], *COMMON_FIGURE_OPTIONS))
        for option in ("run", "runs"):
            chosen = options.get(option)
            for run in [chosen] if isinstance(chosen, str) else chosen or []:
                if run not in run_names:
                    raise check.fail(f"{key}.{option}", f"names of runs in this recipe {run_names}", run)
        if builder == "interpolation":
            between = options.get("between")
            if not (isinstance(between, list) and len(between) == 2):
                raise check.fail(f"{key}.between", "two sample labels or indices, e.g. [\"a\", \"b\"]", between)
        figures[name] = dict(options)
    return figures
