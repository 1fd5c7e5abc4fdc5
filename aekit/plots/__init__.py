"""Figures for autoencoder runs, as matplotlib ``Figure`` objects (Agg; never ``show()``).

Every function takes numpy arrays or plain data (histories as dicts, a ``decode`` callable),
so it works with any model, and returns a Figure to save, embed in a report or show.
``import aekit`` does not import this package, so matplotlib loads only when a figure is made.
"""

from aekit.plots._layout import figure_to_png
from aekit.plots.curves import plot_error_histogram, plot_errors_per_label, plot_loss_curves, plot_series
from aekit.plots.images import plot_decoded_grid, plot_image_grid, plot_interpolation, plot_traversal
from aekit.plots.latent import plot_latent_map

__all__ = [
    "figure_to_png",
    "plot_decoded_grid",
    "plot_error_histogram",
    "plot_errors_per_label",
    "plot_image_grid",
    "plot_interpolation",
    "plot_latent_map",
    "plot_loss_curves",
    "plot_series",
    "plot_traversal",
]
