"""The Lorenz-system anomaly set of the ruta showcase: a chaotic series with a permuted window.

Generated, never downloaded: the Lorenz system with sigma 10, beta 8/3, rho 28, started at
(-13, -14, 47) and read at t = 0.1, 0.2, ..., 100 (1,000 steps); the x coordinate of steps
800-900 (1-based, inclusive) is permuted, which breaks the dynamics there while keeping x's
values; the three coordinates are projected to 25 dimensions by a fixed random U(-5, 5) matrix.
Steps 1-700 are the training set, 701-1000 the test set; both are z-scored with the training
set's mean and standard deviation.

The original integrated with R deSolve's default, ``lsoda`` (rtol = atol = 1e-6). This module
uses scipy's LSODA with the same tolerances, the same method family: the system is chaotic,
so two integrators agree only for the first few time units, and no integrator reproduces R's
trajectory to the end; what matters (a smooth chaotic series with one window broken) does.
The permutation and the projection come from numpy's ``default_rng(seed)``, not R's RNG.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from aekit.errors import check_choice

__all__ = ["ANOMALY_STEPS", "load_lorenz", "lorenz_series"]

SIGMA, BETA, RHO = 10.0, 8.0 / 3.0, 28.0
START = (-13.0, -14.0, 47.0)
TIMES = np.round(np.arange(1, 1001) * 0.1, 10)  # 0.1 .. 100.0
ANOMALY_STEPS = (800, 900)  # 1-based, inclusive
TRAIN_STEPS = 700
DIMENSIONS = 25


def lorenz_series(times: np.ndarray = TIMES, start: tuple[float, float, float] = START) -> np.ndarray:
    """The Lorenz trajectory (len(times), 3) at ``times``, starting at ``start`` at ``times[0]``.

    Examples
    --------
    >>> from aekit.datasets.lorenz import lorenz_series
    >>> xyz = lorenz_series()
    >>> xyz.shape, xyz[0].round(6).tolist()
    ((1000, 3), [-13.0, -14.0, 47.0])
    """
    from scipy.integrate import solve_ivp

    def field(_t, state):
        x, y, z = state
        return [SIGMA * (y - x), x * (RHO - z) - y, x * y - BETA * z]

    times = np.asarray(times, dtype=np.float64)
    solution = solve_ivp(field, (times[0], times[-1]), start, method="LSODA", t_eval=times, rtol=1e-6, atol=1e-6)
    return solution.y.T


def load_lorenz(subset: str = "train", seed: int = 0) -> Bunch:
    """The 25-dimensional Lorenz series with its permuted window (see the module docstring).

    Parameters
    ----------
    subset : {"train", "test", "all"}
        Steps 1-700, steps 701-1000 (which hold the anomalous window), or all 1,000.
    seed : int
        Seed of the permutation and the projection matrix.

    Returns
    -------
    Bunch
        ``data`` (n, 25) float32, z-scored with the training steps' statistics; ``target``
        1 inside the permuted window, else 0; ``labels`` "anomalous"/"normal"; ``time`` the
        t of each step; ``step`` its 1-based number.

    Examples
    --------
    >>> from aekit.datasets import load_lorenz
    >>> test = load_lorenz("test")
    >>> test.data.shape, int(test.target.sum()), int(test.step[0])
    ((300, 25), 101, 701)
    """
    subset = check_choice("subset", subset, ["train", "test", "all"])
    rng = np.random.default_rng(seed)
    xyz = lorenz_series()
    first, last = ANOMALY_STEPS
    window = slice(first - 1, last)
    xyz[window, 0] = rng.permutation(xyz[window, 0])
    projected = xyz @ rng.uniform(-5.0, 5.0, size=(3, DIMENSIONS))
    train = projected[:TRAIN_STEPS]
    scaled = (projected - train.mean(axis=0)) / train.std(axis=0)
    step = np.arange(1, len(TIMES) + 1)
    target = ((step >= first) & (step <= last)).astype(np.int64)
    rows = {"train": slice(0, TRAIN_STEPS), "test": slice(TRAIN_STEPS, None), "all": slice(None)}[subset]
    return Bunch(
        data=scaled[rows].astype(np.float32),
        target=target[rows],
        labels=np.where(target[rows] == 1, "anomalous", "normal"),
        target_names=["normal", "anomalous"],
        time=TIMES[rows],
        step=step[rows],
        DESCR=(f"Lorenz system (sigma 10, beta 8/3, rho 28) from {START}, t = 0.1..100 by 0.1 (scipy LSODA), "
               f"x permuted at steps {first}-{last}, projected to {DIMENSIONS} dimensions by U(-5, 5) "
               f"(seed {seed}), z-scored with steps 1-{TRAIN_STEPS}; subset={subset!r}"),
    )
