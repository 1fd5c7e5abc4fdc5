"""One self-contained ``report.html`` per run: parameters, data, metrics, tables and figures.

Figures are embedded as base64 PNG, styles are inline, and nothing is fetched, so the file
opens anywhere offline. The page is rendered from the ``report.html.j2`` template that ships
with the package.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aekit.errors import DataError
from aekit.metrics import pca_reconstruction_error, reconstruction_error

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from aekit.recipes.spec import Recipe

__all__ = ["Table", "ReportFigure", "Report", "ReportPlan", "pca_comparison"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Table:
    """A titled table: column names and rows of cells (numbers are formatted on rendering).

    Examples
    --------
    >>> from aekit.recipes.report import Table
    >>> t = Table.from_records("solvers", [{"solver": "adam", "sse": 1.5}, {"solver": "cg", "sse": 2.0}])
    >>> t.columns, t.rows[1]
    (['solver', 'sse'], ['cg', 2.0])
    """

    title: str
    columns: list[str]
    rows: list[list[object]]
    caption: str = ""

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise DataError(
                    f"Table {self.title!r}: row {i} has {len(row)} cells for {len(self.columns)} columns."
                )

    @classmethod
    def from_records(cls, title: str, records: Sequence[Mapping[str, object]], caption: str = "") -> Table:
        """Build a table from dicts; columns in first-seen order, missing cells empty."""
        columns = list(dict.fromkeys(key for record in records for key in record))
        return cls(title, columns, [[r.get(c, "") for c in columns] for r in records], caption)


@dataclass(frozen=True)
class ReportPlan:
    """What a report of trained runs shows; a recipe and a single trained run both give one.

    Attributes
    ----------
    title, description : str
        The report's heading and the note under it.
    source : str
        The file the plan comes from (a recipe, or a run's ``run.json``): listed among the
        parameters, and named by every error about the plan.
    data : str
        The dataset spec the runs were trained on.
    model : dict
        Parameters every run shares; the runs table lists where each run differs.
    figures : dict
        Figure name -> its options (see :data:`aekit.recipes.FIGURES`), in report order.
    validation : str or None
        The held-out subset whose loss the loss curves show, if any.
    noise_levels : tuple of float
        The bit-flip rates of the noise sweep (empty: no sweep).

    Examples
    --------
    >>> from aekit.recipes import find_recipe, load_recipe
    >>> from aekit.recipes.report import ReportPlan
    >>> plan = ReportPlan.from_recipe(load_recipe(find_recipe("font-denoising")))
    >>> plan.data, plan.noise_levels[:3]
    ('font', (0.05, 0.1, 0.15))
    """

    title: str
    source: str
    data: str
    model: Mapping[str, object]
    description: str = ""
    figures: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    validation: str | None = None
    noise_levels: tuple[float, ...] = ()

    @classmethod
    def from_recipe(cls, recipe: Recipe) -> ReportPlan:
        """The plan a recipe file asks for."""
        return cls(
            title=recipe.title, source=str(recipe.path), data=recipe.data, model=recipe.model,
            description=recipe.description, figures=recipe.figures, validation=recipe.validation,
            noise_levels=tuple(recipe.noise_sweep.get("levels", ())),
        )

    @property
    def parameters(self) -> dict[str, object]:
        """The report's parameters table: the source, the data and the shared parameters."""
        return {"recipe": self.source, "data": self.data, **self.model}


@dataclass(frozen=True)
class ReportFigure:
    """A figure as PNG bytes with its title and caption."""

    title: str
    png: bytes
    caption: str = ""

    @property
    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI for an ``<img src>``."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Report:
    """Everything one run's report shows; :meth:`write` renders it to a single HTML file.

    Attributes
    ----------
    title : str
    parameters : dict
        The estimator's parameters (``get_params()``) or the recipe's settings.
    dataset : dict
        Name, shape and anything else worth knowing about the data.
    metrics : dict
        Final metrics (names -> numbers).
    timings : dict
        Wall times in seconds.
    baseline : Table or None
        The autoencoder beside PCA with the same code size (:func:`pca_comparison`).
    tables, figures : list
        Further tables (e.g. an optimiser comparison) and figures, in order.
    notes : list of str
        Free-text remarks shown under the title.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from aekit.plots import plot_loss_curves
    >>> from aekit.recipes.report import Report, pca_comparison
    >>> X = np.random.default_rng(0).random((20, 6))
    >>> report = Report("demo", parameters={"latent_dim": 2}, dataset={"name": "random", "shape": X.shape})
    >>> report.baseline = pca_comparison(X, {"autoencoder": X * 0.9}, code_size=2)
    >>> report.add_figure("loss", plot_loss_curves([1.0, 0.5, 0.25]))
    >>> path = report.write(pathlib.Path(tempfile.mkdtemp()) / "report.html")
    >>> path.read_text().count('<img src="data:image/png;base64,')
    1
    """

    title: str
    parameters: dict[str, object] = field(default_factory=dict)
    dataset: dict[str, object] = field(default_factory=dict)
    metrics: dict[str, object] = field(default_factory=dict)
    timings: dict[str, object] = field(default_factory=dict)
    baseline: Table | None = None
    tables: list[Table] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_figure(self, title: str, figure: Figure | bytes, caption: str = "", dpi: int = 100) -> None:
        """Add a matplotlib Figure (rendered to PNG now) or PNG bytes."""
        if isinstance(figure, bytes | bytearray):
            png = bytes(figure)
            if not png.startswith(PNG_SIGNATURE):
                raise DataError(f"Figure {title!r}: the bytes given are not a PNG image; pass a Figure or PNG bytes.")
        else:
            from aekit.plots import figure_to_png

            png = figure_to_png(figure, dpi=dpi)
        self.figures.append(ReportFigure(title, png, caption))

    def add_table(self, table: Table) -> None:
        """Append a table."""
        self.tables.append(table)

    def render(self) -> str:
        """The report as one HTML string."""
        import jinja2

        from aekit import __version__

        env = jinja2.Environment(
            loader=jinja2.PackageLoader("aekit.recipes", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["cell"] = format_cell
        return env.get_template("report.html.j2").render(
            report=self,
            version=__version__,
            created=_dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        )

    def write(self, path: str | Path) -> Path:
        """Render and write the report to ``path`` (parents created); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        return path


def format_cell(value: object) -> str:
    """Numbers to 4 significant digits, integers as they are, sequences comma-separated."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isfinite(value) and value == round(value) and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.4g}"
    if isinstance(value, list | tuple) and not isinstance(value, str):
        return ", ".join(format_cell(v) for v in value)
    return "" if value is None else str(value)


def pca_comparison(
    X: object,
    reconstructions: Mapping[str, object],
    code_size: int | Mapping[str, int],
    X_eval: object | None = None,
    title: str | None = None,
) -> Table:
    """Reconstruction errors of the given models beside PCA fitted on ``X`` with ``code_size`` components.

    Parameters
    ----------
    X : array (n, d)
        The training data (PCA is fitted on it).
    reconstructions : mapping name -> array (m, d)
        Each model's reconstructions of ``X_eval``.
    code_size : int or mapping name -> int
        The autoencoders' latent dimension (one for all, or per model); PCA keeps as many
        components, with one PCA row per distinct size.
    X_eval : array (m, d), optional
        Data the errors are measured on; default ``X``.
    title : str, optional
        The table's title; default names the code sizes.

    Returns
    -------
    Table
        One row per model plus PCA: SSE, MSE per feature, SSE per sample (the squared error
        summed over the features, averaged over the samples) and, for binary data, wrong pixels.

    Examples
    --------
    >>> from aekit.datasets import load_font
    >>> from aekit.recipes.report import pca_comparison
    >>> X = load_font().data
    >>> table = pca_comparison(X, {"identity": X}, code_size=2)
    >>> [row[0] for row in table.rows], table.columns[2:4]
    (['identity', 'PCA (2 components)'], ['SSE', 'MSE per feature'])
    """
    target = X if X_eval is None else X_eval
    sizes = {str(n): code_size[n] if isinstance(code_size, Mapping) else code_size for n in reconstructions}
    errors = {str(name): reconstruction_error(target, x_hat) for name, x_hat in reconstructions.items()}
    limit = min(np.shape(X))  # PCA has at most min(n_samples, n_features) components
    for size in sorted(set(sizes.values())):
        name = f"PCA ({size} components)" if size <= limit else f"PCA ({limit} components: all there are)"
        sizes[name] = min(size, limit)
        errors[name] = pca_reconstruction_error(X, min(size, limit), X_eval)
    records = []
    for name, error in errors.items():
        summary = error.summary()
        records.append({
            "model": name, "code size": sizes[name], "SSE": summary.pop("sse"), "MSE per feature": summary.pop("mse"),
            "SSE per sample": float(error.per_sample.mean()),
            **{key.replace("_", " "): value for key, value in summary.items()},  # wrong pixels, for binary data
        })  # fmt: skip
    shown = ", ".join(str(size) for size in sorted(set(sizes.values())))
    return Table.from_records(
        title or f"Reconstruction error: autoencoder vs PCA with the same code size ({shown})",
        records,
        caption="A linear autoencoder can at best match PCA; a non-linear one should beat it.",
    )
