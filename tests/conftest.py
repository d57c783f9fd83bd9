import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed():
    """Seed numpy and torch so a test that forgets random_state is still repeatable."""
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _torch_threads():
    """Give every test the torch thread count the session started with.

    umap-learn's numba code sets the OpenMP thread count of the libgomp torch shares (to the
    number of cores, whatever OMP_NUM_THREADS says): after the N2D test, torch ran on two
    threads, and every later test ran up to 40x slower on a loaded 2-core machine.
    """
    threads = torch.get_num_threads()
    yield
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def digits():
    from skae.datasets import load_digits

    return load_digits()
