"""Line, histogram and bar figures: loss curves, metric sweeps, reconstruction errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from aekit.errors import ConfigError, DataError, check_choice
from aekit.plots._layout import named_arrays, new_figure

__all__ = ["plot_loss_curves", "plot_series", "plot_error_histogram", "plot_errors_per_label"]


@dataclass(frozen=True)
class _Curve:
    loss: np.ndarray
    val_loss: np.ndarray
    unit: str
    seconds: np.ndarray
    steps: np.ndarray
    evaluations: np.ndarray  # cumulative objective evaluations; one per step where not recorded


def _field(history: object, name: str, default: object) -> object:
    if isinstance(history, Mapping):
        return history.get(name, default)
    return getattr(history, name, default)


def _as_curve(history: object, name: str) -> _Curve:
    if isinstance(history, Mapping) or hasattr(history, "loss"):
        loss = _field(history, "loss", None)
        if loss is None:
            raise DataError(f"History {name!r} has no 'loss'; pass a History, its to_dict(), or a list of losses.")
    else:
        loss = history
    loss = np.asarray(loss, dtype=float).ravel()
    if loss.size == 0:
        raise DataError(f"History {name!r} has no recorded loss; train for at least one epoch.")
    unit = str(_field(history, "unit", "epoch"))
    steps = np.arange(1, loss.size + 1, dtype=float)
    evaluations = np.asarray(_field(history, "evaluations", None) or [], dtype=float).ravel()
    if unit == "evaluation" and evaluations.size == loss.size:
        steps = evaluations  # derivative-free solvers record checkpoints every k evaluations
    if evaluations.size != loss.size:
        evaluations = np.arange(1, loss.size + 1, dtype=float)
    return _Curve(
        loss=loss,
        val_loss=np.asarray(_field(history, "val_loss", None) or [], dtype=float).ravel(),
        unit=unit,
        seconds=np.asarray(_field(history, "seconds", None) or [], dtype=float).ravel(),
        steps=steps,
        evaluations=evaluations,
    )


def _is_single_history(histories: object) -> bool:
    return "loss" in histories if isinstance(histories, Mapping) else True


X_AXES = ("step", "seconds", "evaluations")


def plot_loss_curves(
    histories: object,
    *,
    logy: bool = False,
    logx: bool = False,
    x: str | Sequence[str] = "step",
    title: str | None = None,
    validation_label: str = "validation",
) -> Figure:
    """Training (solid) and validation (dashed) loss of one run or several runs, one panel per x axis.

    Parameters
    ----------
    histories : History, dict, sequence of float, or mapping name -> one of those
        A run's history (anything with ``loss`` and optionally ``val_loss``, ``unit``,
        ``seconds`` and ``evaluations``, as an object or a dict), or several named runs to
        compare, e.g. ``{"adam": h1, "l-bfgs-b": h2}``. Gradient solvers record one point per
        epoch, scipy's gradient methods one per iteration, Powell and Nelder-Mead one per
        checkpoint plotted at its evaluation count; the x label names every unit shown.
    logy : bool
        Logarithmic loss axis; every loss must then be positive.
    logx : bool
        Logarithmic x axes: spreads runs of very different lengths (epochs beside
        thousands of Powell evaluations).
    x : {"step", "seconds", "evaluations"} or a sequence of them
        What the x axis counts: the epoch/iteration number, the cumulative wall time, or the
        cumulative objective evaluations (scipy solvers record them; a history without them,
        such as Adam's, counts one per epoch, which is one evaluation of the whole objective
        for a full batch). A sequence draws one panel per entry side by side, sharing the loss
        axis: ``x=("seconds", "evaluations")`` compares solvers on a common axis.
    title : str, optional
        Title of the (first) panel.
    validation_label : str, default="validation"
        What the dashed curves are called in the legend ("test" for a test set).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from aekit.plots import plot_loss_curves
    >>> fig = plot_loss_curves({"adam": {"loss": [3.0, 2.0, 1.5], "val_loss": [3.1, 2.4, 2.0]},
    ...                         "cg": {"loss": [3.0, 1.0], "unit": "iteration"}}, logy=True)
    >>> len(fig.axes[0].lines), fig.axes[0].get_xlabel()
    (3, 'epoch / iteration')
    >>> fig = plot_loss_curves({"powell": {"loss": [3.0, 2.0], "unit": "evaluation", "evaluations": [500, 1000],
    ...                                    "seconds": [0.1, 0.2]}, "adam": {"loss": [3.0, 1.0], "seconds": [0.01, 0.02]}},
    ...                        x=("seconds", "evaluations"))
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['wall time (s)', 'objective evaluations']
    """
    axes_x = [x] if isinstance(x, str) else list(x)
    if not axes_x:
        raise ConfigError(f"x must name at least one axis of {X_AXES}; got {x!r}. Fix: x=\"step\".")
    axes_x = [check_choice("x", one, list(X_AXES)) for one in axes_x]
    runs = {"": histories} if _is_single_history(histories) else dict(histories)
    if not runs:
        raise DataError("plot_loss_curves needs at least one history; got an empty mapping.")
    curves = {str(name): _as_curve(h, str(name) or "history") for name, h in runs.items()}
    if logy:
        lowest = min(float(np.min(np.concatenate([c.loss, c.val_loss]))) for c in curves.values())
        if lowest <= 0:
            raise ConfigError(
                f"logy=True needs positive losses; the lowest is {lowest:g}. Pass logy=False."
            )

    fig = new_figure(6.4 * len(axes_x), 4.0)
    panels = fig.subplots(1, len(axes_x), sharey=True, squeeze=False)[0]
    for ax, axis in zip(panels, axes_x):
        _draw_loss_panel(ax, curves, axis, logx, logy, validation_label)
    for ax in panels[1:]:
        ax.set_ylabel("")
    return _finish(fig, panels[0], 2, title)  # always a legend: it says which line is train and which validation


def _draw_loss_panel(ax, curves: dict[str, _Curve], x: str, logx: bool, logy: bool, validation_label: str) -> None:
    colours = _colours(len(curves))
    for colour, (name, curve) in zip(colours, curves.items()):
        for values, kind, style in ((curve.loss, "train", "-"), (curve.val_loss, validation_label, "--")):
            if values.size == 0:
                continue
            if x == "seconds":
                if curve.seconds.size != curve.loss.size:
                    raise DataError(
                        f"x='seconds' needs one time per loss value; history {name or 'history'!r} "
                        f"has {curve.seconds.size} times for {curve.loss.size} losses. Use x='step'."
                    )
                steps = curve.seconds[: values.size]
            elif x == "evaluations":
                steps = curve.evaluations[: values.size]
            else:
                steps = curve.steps[: values.size]
            label = (f"{name} ({kind})" if kind == validation_label else name) if name else kind
            ax.plot(steps, values, style, color=colour, label=label, marker="." if values.size < 30 else None)
    units = list(dict.fromkeys(c.unit for c in curves.values()))
    labels = {"seconds": "wall time (s)", "evaluations": "objective evaluations"}
    ax.set_xlabel(labels.get(x, " / ".join(units)))
    if logx:
        ax.set_xscale("log")
    elif x == "step":
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("loss")
    if logy:
        _log_y(ax)
    ax.grid(True, alpha=0.3)


def plot_series(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]] | Sequence[float],
    *,
    xlabel: str = "",
    ylabel: str = "",
    logy: bool = False,
    title: str | None = None,
) -> Figure:
    """Several named y-series over one shared x, with markers (e.g. error vs test noise level).

    Examples
    --------
    >>> from aekit.plots import plot_series
    >>> fig = plot_series([0.1, 0.2, 0.3], {"denoising AE": [0.5, 1.0, 2.0], "plain AE": [1, 2, 4]},
    ...                   xlabel="test noise level", ylabel="mean wrong pixels")
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['denoising AE', 'plain AE']
    """
    xs = np.asarray(x, dtype=float).ravel()
    named = named_arrays(series, ylabel or "value")
    for name, values in named.items():
        if values.size != xs.size:
            raise DataError(f"Series {name!r} has {values.size} values for {xs.size} x positions; they must match.")
    fig = new_figure(6.4, 4.0)
    ax = fig.add_subplot()
    for colour, (name, values) in zip(_colours(len(named)), named.items()):
        ax.plot(xs, values, "-o", color=colour, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        _log_y(ax)
    ax.grid(True, alpha=0.3)
    return _finish(fig, ax, len(named), title)


def plot_error_histogram(
    errors: Mapping[str, Sequence[float]] | Sequence[float],
    *,
    bins: int = 30,
    xlabel: str = "reconstruction error per sample",
    title: str | None = None,
) -> Figure:
    """Histogram of per-sample errors; several named models share the same bins.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit.plots import plot_error_histogram
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_error_histogram({"denoising": rng.gamma(2, size=100), "plain": rng.gamma(3, size=100)})
    >>> len(fig.axes[0].patches), fig.axes[0].get_ylabel()
    (2, 'samples')
    """
    named = named_arrays(errors, "error")
    pooled = np.concatenate(list(named.values()))
    if pooled.size == 0 or not np.all(np.isfinite(pooled)):
        raise DataError("plot_error_histogram needs finite errors; got an empty or non-finite array.")
    edges = np.histogram_bin_edges(pooled, bins=bins)
    fig = new_figure(6.4, 4.0)
    ax = fig.add_subplot()
    for colour, (name, values) in zip(_colours(len(named)), named.items()):
        ax.hist(values, bins=edges, histtype="stepfilled", alpha=0.45, color=colour, edgecolor=colour, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("samples")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _finish(fig, ax, len(named), title)


def plot_errors_per_label(
    values: Mapping[str, Sequence[float]] | Sequence[float],
    labels: Sequence[str],
    *,
    ylabel: str = "wrong pixels",
    title: str | None = None,
) -> Figure:
    """Bar chart of one value per labelled sample (e.g. wrong pixels per letter); groups for several models.

    Examples
    --------
    >>> from aekit.plots import plot_errors_per_label
    >>> fig = plot_errors_per_label({"AE": [0, 2, 1], "PCA": [3, 4, 2]}, ["a", "b", "c"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['a', 'b', 'c']
    """
    named = named_arrays(values, ylabel)
    labels = [str(label) for label in labels]
    for name, series in named.items():
        if series.size != len(labels):
            raise DataError(f"Series {name!r} has {series.size} values for {len(labels)} labels; they must match.")
    n_groups = len(named)
    width = 0.8 / n_groups
    positions = np.arange(len(labels))
    fig = new_figure(max(6.4, 0.28 * len(labels) * max(1, n_groups * 0.6) + 1.5), 3.8)
    ax = fig.add_subplot()
    for i, (colour, (name, series)) in enumerate(zip(_colours(n_groups), named.items())):
        ax.bar(positions + (i - (n_groups - 1) / 2) * width, series, width, color=colour, label=name)
    ax.set_xticks(positions, labels, fontsize="small")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel(ylabel)
    if all(np.allclose(s, np.round(s)) for s in named.values()):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if all((s >= 0).all() for s in named.values()):  # counts and errors: no negative axis, even when all are 0
        ax.set_ylim(bottom=0, top=max(1.0, max(float(s.max()) for s in named.values()) * 1.05))
    ax.grid(True, axis="y", alpha=0.3)
    return _finish(fig, ax, n_groups, title)


def _log_y(ax) -> None:
    """Log scale labelled 2, 3, 5, 10 rather than 2x10^0 (losses span a decade or two)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    low, high = ax.get_ylim()
    decades = np.log10(high / low)
    if decades <= 1.3:  # powers of ten alone would leave one or two labels
        subs = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0) if decades <= 0.5 else (1.0, 2.0, 3.0, 5.0)
        ax.yaxis.set_major_locator(LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _finish(fig: Figure, ax, n_series: int, title: str | None) -> Figure:
    if n_series > 1:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return fig


def _colours(n: int) -> list:
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
