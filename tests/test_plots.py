"""Figures: structure (axes, lines, labels), input checks, PNG export, lazy matplotlib import."""

import doctest
import subprocess
import sys

import numpy as np
import pytest

import aekit.plots._layout
import aekit.plots.curves
import aekit.plots.images
import aekit.plots.latent
from aekit.errors import ConfigError, DataError
from aekit.plots import (
    figure_to_png,
    plot_decoded_grid,
    plot_error_histogram,
    plot_errors_per_label,
    plot_image_grid,
    plot_interpolation,
    plot_latent_map,
    plot_loss_curves,
    plot_series,
    plot_traversal,
)

RNG = np.random.default_rng(0)
FONT_SHAPE = (7, 5)


def first_pixels(z: np.ndarray) -> np.ndarray:
    """A toy decoder: every pixel equals the code's first coordinate."""
    return np.repeat(z[:, :1], 35, axis=1)


@pytest.mark.parametrize("module", [aekit.plots._layout, aekit.plots.curves, aekit.plots.images, aekit.plots.latent])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


def test_import_aekit_does_not_import_matplotlib():
    code = "import sys, aekit; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_figure_to_png_is_a_png():
    png = figure_to_png(plot_series([0, 1], {"a": [1.0, 2.0]}))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


class TestLossCurves:
    def test_single_history_has_train_and_validation(self):
        fig = plot_loss_curves({"loss": [3.0, 2.0, 1.0], "val_loss": [3.5, 2.5, 2.0]})
        ax = fig.axes[0]
        assert [line.get_label() for line in ax.lines] == ["train", "validation"]
        assert ax.get_xlabel() == "epoch"
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])

    def test_history_object_and_plain_list(self):
        class History:
            unit = "iteration"
            loss = [4.0, 2.0]
            val_loss = []
            seconds = [0.1, 0.3]

        fig = plot_loss_curves({"cg": History(), "adam": [5.0, 4.0, 3.0]})
        labels = [line.get_label() for line in fig.axes[0].lines]
        assert labels == ["cg", "adam"]
        assert fig.axes[0].get_xlabel() == "iteration / epoch"

    def test_wall_time_axis(self):
        fig = plot_loss_curves({"loss": [2.0, 1.0], "seconds": [0.5, 1.5]}, x="seconds")
        np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [0.5, 1.5])
        assert fig.axes[0].get_xlabel() == "wall time (s)"

    def test_seconds_and_evaluations_panels(self):
        powell = {"loss": [3.0, 2.0], "unit": "evaluation", "evaluations": [500, 1000], "seconds": [0.1, 0.2]}
        adam = {"loss": [3.0, 2.5, 1.0], "seconds": [0.01, 0.02, 0.03]}
        fig = plot_loss_curves({"powell": powell, "adam": adam}, x=("seconds", "evaluations"))
        assert [ax.get_xlabel() for ax in fig.axes] == ["wall time (s)", "objective evaluations"]
        np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [0.1, 0.2])
        np.testing.assert_array_equal(fig.axes[1].lines[0].get_xdata(), [500, 1000])
        np.testing.assert_array_equal(fig.axes[1].lines[1].get_xdata(), [1, 2, 3])  # one per epoch without a count

    def test_no_x_axis(self):
        with pytest.raises(ConfigError, match=r"x must name at least one axis of \('step', 'seconds', 'evaluations'\); got \(\)"):
            plot_loss_curves([1.0], x=())

    def test_log_scale(self):
        assert plot_loss_curves([1.0, 0.1], logy=True).axes[0].get_yscale() == "log"

    def test_log_scale_refuses_non_positive(self):
        with pytest.raises(ConfigError, match=r"logy=True needs positive losses; the lowest is -1"):
            plot_loss_curves([1.0, -1.0], logy=True)

    def test_seconds_needs_times(self):
        with pytest.raises(DataError, match=r"x='seconds' needs one time per loss value"):
            plot_loss_curves({"loss": [1.0, 0.5]}, x="seconds")

    def test_empty_history(self):
        with pytest.raises(DataError, match=r"has no recorded loss"):
            plot_loss_curves({"loss": []})

    def test_unknown_x(self):
        with pytest.raises(ConfigError, match=r"x='epochs' is not a known choice"):
            plot_loss_curves([1.0], x="epochs")


class TestImageGrid:
    def test_rows_wrap_into_blocks(self):
        data = RNG.random((20, 35))
        fig = plot_image_grid({"clean": data, "noisy": data, "denoised": data}, FONT_SHAPE,
                              column_labels=[str(i) for i in range(20)], max_columns=16)
        assert len(fig.axes) == 6  # 2 blocks x 3 rows
        assert [ax.get_ylabel() for ax in fig.axes[:3]] == ["clean", "noisy", "denoised"]
        assert [t.get_text() for t in fig.axes[5].get_xticklabels()] == ["16", "17", "18", "19"]
        assert fig.axes[0].get_xlim() == fig.axes[3].get_xlim()  # same tile size in the short block

    def test_rows_must_match(self):
        with pytest.raises(DataError, match=r"same number of images"):
            plot_image_grid({"a": np.zeros((2, 35)), "b": np.zeros((3, 35))}, FONT_SHAPE)

    def test_wrong_image_shape(self):
        with pytest.raises(DataError, match=r"does not split into images of shape \(8, 8\)"):
            plot_image_grid(np.zeros((2, 35)), (8, 8))

    def test_labels_must_match(self):
        with pytest.raises(DataError, match=r"column_labels has 1 labels for 2 images"):
            plot_image_grid(np.zeros((2, 35)), FONT_SHAPE, column_labels=["a"])

    def test_rgb_images(self):
        fig = plot_image_grid(RNG.random((3, 4 * 4 * 3)), (4, 4, 3))
        assert fig.axes[0].images[0].get_array().shape == (4, 14, 3)


class TestGenerationFigures:
    def test_decoded_grid_runs_z2_upwards(self):
        fig = plot_decoded_grid(first_pixels, lims=((-1, 1), (0, 2)), n=3, image_shape=FONT_SHAPE)
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["2", "1", "0"]
        canvas = ax.images[0].get_array()
        assert canvas.shape == (3 * 8 - 1, 3 * 6 - 1)
        assert canvas[0, 0] == -1 and canvas[0, -1] == 1  # z1 grows to the right

    def test_decoded_grid_bad_limits(self):
        with pytest.raises(ConfigError, match=r"lims must be \(low, high\)"):
            plot_decoded_grid(first_pixels, lims=(1, -1))

    def test_decoder_must_return_one_row_per_point(self):
        with pytest.raises(DataError, match=r"decode returned 1 rows for 4 latent points"):
            plot_decoded_grid(lambda z: np.zeros((1, 35)), n=2)

    def test_interpolation_columns(self):
        fig = plot_interpolation(first_pixels, [0.0, 0.0], [1.0, 1.0], n=3, endpoint_labels=("a", "b"))
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "0.5", "b"]
        assert fig.axes[0].images[0].get_array()[0, 6] == pytest.approx(0.5)

    def test_interpolation_needs_matching_codes(self):
        with pytest.raises(DataError, match=r"same size; got 2 and 3"):
            plot_interpolation(first_pixels, [0, 0], [1, 1, 1])

    def test_traversal_one_row_per_dimension(self):
        fig = plot_traversal(first_pixels, [0.0, 0.0, 0.0, 0.0], dims=[0, 2], n=4)
        assert [ax.get_ylabel() for ax in fig.axes] == ["z1", "z3"]

    def test_traversal_bad_dims(self):
        with pytest.raises(ConfigError, match=r"dims must index the 2 latent dimensions \(0..1\)"):
            plot_traversal(first_pixels, [0.0, 0.0], dims=[2])


class TestLatentMap:
    def test_text_labels_2d(self):
        fig = plot_latent_map(RNG.normal(size=(5, 2)), list("abcde"))
        assert [t.get_text() for t in fig.axes[0].texts] == list("abcde")
        assert fig.axes[0].get_xlabel() == "z1"

    def test_classes_get_a_legend(self):
        fig = plot_latent_map(RNG.normal(size=(12, 2)), [i % 3 for i in range(12)], label_kind="class")
        assert [t.get_text() for t in fig.legends[0].get_texts()] == ["0", "1", "2"]

    def test_classes_are_drawn_mixed_not_one_over_another(self):
        labels = [i // 50 for i in range(150)]  # class 2 last: drawn class by class it would cover the rest
        fig = plot_latent_map(np.zeros((150, 2)), labels, label_kind="class")
        colors = fig.axes[0].collections[0].get_facecolors()
        assert len(colors) == 150 and not np.allclose(colors[-50:], colors[-1])  # the last 50 drawn are mixed

    def test_many_codes_are_subsampled_with_their_labels(self):
        codes = np.column_stack([np.arange(300.0), np.zeros(300)])
        labels = [int(x) % 2 for x in codes[:, 0]]
        fig = plot_latent_map(codes, labels, label_kind="class", max_points=40, title="t")
        points = fig.axes[0].collections[0].get_offsets()
        assert len(points) == 40 and len(np.unique(points[:, 0])) == 40
        assert fig.axes[0].get_title() == "t (40 of 300 shown)"
        import matplotlib as mpl

        colors = fig.axes[0].collections[0].get_facecolors()[:, :3]
        expected = np.array([mpl.colormaps["tab10"](int(x) % 2)[:3] for x in points[:, 0]])
        assert np.allclose(colors, expected)  # each kept code keeps its own label's colour
        assert len(plot_latent_map(codes, max_points=None).axes[0].collections[0].get_offsets()) == 300

    @pytest.mark.parametrize("bad", [0, -3, 2.5, True])
    def test_max_points_must_be_a_positive_count(self, bad):
        with pytest.raises(ConfigError, match=rf"max_points must be a positive integer or None; got {bad!r}\. Fix:"):
            plot_latent_map(np.zeros((5, 2)), max_points=bad)

    def test_three_d(self):
        fig = plot_latent_map(RNG.normal(size=(6, 3)), list("abcdef"))
        assert fig.axes[0].name == "3d" and fig.axes[0].get_zlabel() == "z3"
        assert len(fig.axes[0].texts) == 6

    def test_projection_for_more_dimensions(self):
        fig = plot_latent_map(RNG.normal(size=(10, 5)))
        assert fig.axes[0].get_xlabel() == "PC1"
        assert "5-D codes, PCA projection" in fig.axes[0].get_title()

    def test_one_dimension(self):
        fig = plot_latent_map(RNG.normal(size=(4, 1)), list("abcd"))
        assert fig.axes[0].collections[0].get_offsets().shape == (4, 2)

    def test_labels_must_match(self):
        with pytest.raises(DataError, match=r"labels has 2 entries for 3 codes"):
            plot_latent_map(np.zeros((3, 2)), ["a", "b"])

    def test_non_finite_codes(self):
        with pytest.raises(DataError, match=r"codes contains NaN"):
            plot_latent_map(np.array([[0.0, np.nan]]))

    def test_unknown_projection(self):
        with pytest.raises(ConfigError, match=r"projection='umap' is not a known choice"):
            plot_latent_map(np.zeros((5, 4)), projection="umap")


class TestErrorFigures:
    def test_histograms_share_bins(self):
        fig = plot_error_histogram({"AE": [1.0, 2.0, 2.5], "PCA": [3.0, 4.0]}, bins=5)
        assert len(fig.axes[0].patches) == 2
        assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["AE", "PCA"]

    def test_histogram_rejects_nan(self):
        with pytest.raises(DataError, match=r"needs finite errors"):
            plot_error_histogram([1.0, np.nan])

    def test_bars_per_letter(self):
        fig = plot_errors_per_label({"AE": [0, 1], "PCA": [2, 3]}, ["a", "b"])
        assert len(fig.axes[0].patches) == 4
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b"]

    def test_bars_of_all_zeros_keep_the_axis_at_zero_and_up(self):
        low, high = plot_errors_per_label({"AE": [0, 0, 0]}, ["a", "b", "c"]).axes[0].get_ylim()
        assert low == 0 and high >= 1

    def test_bars_need_one_value_per_label(self):
        with pytest.raises(DataError, match=r"Series 'wrong pixels' has 3 values for 2 labels"):
            plot_errors_per_label([1, 2, 3], ["a", "b"])

    def test_series_length(self):
        with pytest.raises(DataError, match=r"Series 'AE' has 1 values for 2 x positions"):
            plot_series([0.1, 0.2], {"AE": [1.0]})


def test_derivative_free_checkpoints_plot_at_their_evaluation_count():
    fig = plot_loss_curves({"powell": {"loss": [3.0, 2.0], "unit": "evaluation", "evaluations": [30, 60]}})
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [30, 60])
    assert fig.axes[0].get_xlabel() == "evaluation"


def test_log_step_axis():
    assert plot_loss_curves([1.0, 0.5, 0.2], logx=True).axes[0].get_xscale() == "log"
