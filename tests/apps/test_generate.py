"""Latent points to decode: grid, segment and prior samples."""

import doctest

import numpy as np
import pytest

import aekit.apps.generate
from aekit.apps.generate import grid_points, interpolate, sample_prior
from aekit.errors import ConfigError, DataError


def test_docstring_examples():
    assert doctest.testmod(aekit.apps.generate).failed == 0


def test_grid_covers_the_rectangle():
    points = grid_points(((0, 2), (-1, 1)), 3)
    assert points.shape == (9, 2) and points.min(axis=0).tolist() == [0, -1] and points.max(axis=0).tolist() == [2, 1]


def test_segment_ends():
    points = interpolate([1, 2, 3], [3, 2, 1], 5)
    np.testing.assert_allclose(points[[0, -1]], [[1, 2, 3], [3, 2, 1]])


def test_deterministic_prior_follows_the_codes():
    codes = np.random.default_rng(0).normal(loc=5.0, scale=2.0, size=(2000, 2))
    samples = sample_prior("deterministic", 2000, 2, codes, random_state=1)
    np.testing.assert_allclose(samples.mean(axis=0), [5, 5], atol=0.2)


def test_binary_prior_is_zeros_and_ones():
    assert set(np.unique(sample_prior("binary", 50, 4))) == {0.0, 1.0}


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: grid_points((1, 0), 3), ConfigError, r"lims must be \(low, high\)"),
    (lambda: grid_points((0, 1), 1), ConfigError, r"n must be at least 2 points per axis; got 1"),
    (lambda: interpolate([0], [1, 2], 3), DataError, r"same size; got 1 and 2 values"),
    (lambda: interpolate([0], [1], 1), ConfigError, r"n must be at least 2 \(the two end points\); got 1"),
    (lambda: sample_prior("deterministic", 3, 2), DataError, r"A deterministic code has no prior: pass the training codes"),
    (lambda: sample_prior("gausian", 3, 2), ConfigError, r"latent='gausian' is not a known choice.*Did you mean \"gaussian\""),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
