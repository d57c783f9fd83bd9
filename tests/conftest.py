import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed():
    """Seed numpy and torch so a test that forgets random_state is still repeatable."""
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def digits():
    from skae.datasets import load_digits

    return load_digits()
