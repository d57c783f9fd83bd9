"""Grid search on a Dask cluster through joblib: a real LocalCluster of two worker
processes on loopback, started and stopped here."""

import os
import pickle

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

import skae
from skae import AutoencoderTransformer

# The grid searches here fit a few epochs per candidate: what they check is where and how
# the fits run, so stopping at max_iter is expected.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")

distributed = pytest.importorskip("distributed")  # the skae[dask] extra


def _torch_threads_in_worker(estimator, X, y=None):
    import torch

    return float(torch.get_num_threads())


@pytest.fixture(scope="module")
def dask_client():
    # A nanny writes its workers' settings (OMP_NUM_THREADS=1, ...) into the environment of
    # the process that starts it: put it back for the tests that come after.
    saved = dict(os.environ)
    yield from _client()
    os.environ.clear()
    os.environ.update(saved)


def _client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster, timeout="60s") as client:
            yield client


def _search(**kwargs):
    return GridSearchCV(
        AutoencoderTransformer(hidden_layer_sizes=(32,), max_iter=20, random_state=0),
        {"latent_dim": [2, 4, 8]}, cv=3, **kwargs,
    )


@pytest.mark.timeout(300)
def test_grid_search_on_dask_matches_the_local_backend(dask_client, digits):
    X, _ = digits
    # Dask's workers compute on one thread each; the local search must too, since the
    # thread count changes torch's rounding and training amplifies it.
    with skae.config_context(n_threads=1):
        local = _search().fit(X)
    with joblib.parallel_config(backend="dask"):
        on_dask = _search(n_jobs=-1).fit(X)
    assert on_dask.best_params_ == local.best_params_
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_allclose(on_dask.cv_results_[key], local.cv_results_[key],
                                   rtol=1e-6)


@pytest.mark.timeout(300)
# 20 epochs on 200 rows: the test reads the workers' thread counts, not what the models learned.
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_each_fit_on_dask_computes_on_one_thread(dask_client, digits):
    X, _ = digits
    with joblib.parallel_config(backend="dask"):
        search = _search(n_jobs=-1, scoring=_torch_threads_in_worker).fit(X[:300])
    # Not every core of the host (torch's default, 2 here): Dask's nanny gives each worker
    # OMP_NUM_THREADS=1, so a worker runs as many fits as it has threads, one thread each.
    assert set(search.cv_results_["mean_test_score"]) == {1.0}


def test_estimators_travel_to_workers_small(digits):
    X, _ = digits
    estimator = AutoencoderTransformer(hidden_layer_sizes=(32,), max_iter=2, random_state=0)
    assert len(pickle.dumps(estimator)) < 2_000  # what a search sends to each task
    fitted = estimator.fit(X)
    n_weights = sum(p.numel() for p in fitted.module_.parameters())
    # Back from a worker: float32 weights and Adam's two moments (for warm starts) plus
    # bookkeeping, not the training data (920 kB here).
    assert len(pickle.dumps(fitted)) < 12 * n_weights + 50_000
