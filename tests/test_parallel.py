"""Parallel fits share the cores instead of oversubscribing them."""

import os

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer

# One-epoch fits: the test checks the workers' thread counts, so max_iter is reached.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")


def _torch_threads_in_worker(estimator, X, y=None):
    import torch

    return float(torch.get_num_threads())


def test_grid_search_workers_limit_torch_threads():
    X = np.random.RandomState(0).rand(60, 8).astype(np.float32)
    search = GridSearchCV(
        AutoencoderTransformer(hidden_layer_sizes=(4,), max_iter=1, random_state=0),
        {"latent_dim": [1, 2]}, cv=2, n_jobs=2, scoring=_torch_threads_in_worker,
    ).fit(X)
    # Each of the two workers gets its share of the cores, not all of them.
    expected = max(1, (os.cpu_count() or 1) // 2)
    assert set(search.cv_results_["mean_test_score"]) == {expected}
