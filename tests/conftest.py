import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

from aekit.datasets import load_digits, load_font


# Test models are tiny: one intra-op thread is fastest, and on a loaded 2-core machine extra
# OpenMP threads spin-wait (measured here: 0.06 s vs 3 s for the same small fit).
# numpy's BLAS threads do the same to scipy's optimisers (10 ms per dot product measured).
torch.set_num_threads(1)
threadpool_limits(1)


@pytest.fixture(scope="session")
def font():
    return load_font()


@pytest.fixture(scope="session")
def digits_small():
    d = load_digits()
    return d.data[:200]


@pytest.fixture
def rng():
    return np.random.default_rng(0)
