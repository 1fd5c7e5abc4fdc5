"""The generated Lorenz series, and the labelled tables of the visualisation showcase."""

import numpy as np
import pytest

from aekit.datasets import load_lorenz, load_satimage, load_wine
from aekit.datasets.lorenz import lorenz_series
from aekit.errors import DatasetError


def rk4(start, dt=1e-3, t_end=2.0):
    """A fine fixed-step RK4 reference: the Lorenz field, integrated independently."""
    def f(s):
        x, y, z = s
        return np.array([10 * (y - x), x * (28 - z) - y, x * y - 8 / 3 * z])
    s, out = np.asarray(start, float), []
    for i in range(int(round(t_end / dt))):
        k1 = f(s); k2 = f(s + dt / 2 * k1); k3 = f(s + dt / 2 * k2); k4 = f(s + dt * k3)
        s = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if (i + 1) % 100 == 0:
            out.append(s)
    return np.asarray(out)


def test_lsoda_matches_rk4_while_the_trajectories_are_close():
    times = np.round(np.arange(1, 21) * 0.1 + 0.1, 10)  # 0.2 .. 2.1, starting from START at 0.1
    lsoda = lorenz_series(np.concatenate([[0.1], times]))[1:]
    np.testing.assert_allclose(lsoda, rk4((-13, -14, 47)), atol=0.05)


def test_splits_window_and_scaling():
    train, test, full = load_lorenz("train"), load_lorenz("test"), load_lorenz("all")
    assert train.data.shape == (700, 25) and test.data.shape == (300, 25) and full.data.shape == (1000, 25)
    np.testing.assert_allclose(train.data.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(train.data.std(axis=0), 1, atol=1e-4)
    assert train.target.sum() == 0 and test.target.sum() == 101
    window = full.step[full.target == 1]
    assert (window.min(), window.max()) == (800, 900) and full.time[799] == pytest.approx(80.0)
    np.testing.assert_array_equal(load_lorenz("test").data, test.data)  # seeded
    assert not np.allclose(load_lorenz("test", seed=1).data, test.data)


def test_satimage_from_the_uci_files_and_its_errors(tmp_path):
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.integers(0, 256, (6, 36)), [1, 2, 3, 4, 5, 7]])
    np.savetxt(tmp_path / "sat.trn", rows, fmt="%d")
    np.savetxt(tmp_path / "sat.tst", rows[:2], fmt="%d")
    sat = load_satimage(tmp_path)
    assert sat.data.shape == (8, 36) and sat.data.max() <= 1 and sat.labels[5] == "very damp grey soil"
    np.savetxt(tmp_path / "bad.trn", rows[:, 1:], fmt="%d")
    with pytest.raises(DatasetError, match="has 36 columns; expected 37"):
        load_satimage(tmp_path / "bad.trn")
    with pytest.raises(DatasetError, match="path is required"):
        load_satimage()


def test_wine_is_scaled_and_labelled():
    wine = load_wine()
    assert wine.data.min() == 0 and wine.data.max() == 1 and len(set(wine.labels)) == 3
