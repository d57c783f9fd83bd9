"""Every trained estimator goes through the base's one fit path: sklearn.callback hooks,
the shared warnings, and the shared optimiser factory."""

import re
import warnings

import numpy as np
import pytest

from skae import AutoencoderClassifier, AutoencoderTransformer, DeepEmbeddedClustering
from skae.datasets import load_digits

# The fits here run a few epochs to check the path they take (callbacks, optimiser, hooks):
# stopping at max_iter is expected.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")


class Recorder:
    """A minimal ``sklearn.callback.FitCallback``."""

    def __init__(self, stop_at=None):
        self.events, self.stop_at = [], stop_at

    def setup(self, estimator, context):
        self.events.append("setup")

    def on_fit_task_begin(self, estimator, context, *, X=None, metadata=None):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, X=None, metadata=None):
        self.events.append(("end", context.task_name))
        return metadata is not None and metadata.get("epoch") == self.stop_at

    def teardown(self, estimator, context):
        self.events.append("teardown")


def _small(**params):
    params = {"latent_dim": 2, "hidden_layer_sizes": (16,), "max_iter": 3, "random_state": 0,
              **params}
    return AutoencoderTransformer(**params)


@pytest.fixture(scope="module")
def X():
    return load_digits()[0][:200]


def test_sklearn_callbacks_see_every_epoch(X):
    recorder = Recorder()
    _small().set_callbacks(recorder).fit(X)
    epochs = [e for e in recorder.events if e == ("end", "epoch")]
    assert len(epochs) == 3
    assert recorder.events[0] == "setup" and recorder.events[-1] == "teardown"
    assert recorder.events[1] == ("begin", "fit") and recorder.events[-2] == ("end", "fit")


def test_a_sklearn_callback_can_stop_training(X):
    ae = _small(max_iter=10).set_callbacks(Recorder(stop_at=2)).fit(X)
    assert ae.n_iter_ == 2


@pytest.mark.parametrize("make", [
    lambda: DeepEmbeddedClustering(_small(), n_clusters=3, max_iter=3, random_state=0,
                                   learning_rate_init=1e30),
    lambda: AutoencoderClassifier(_small(), max_iter=3, random_state=0,
                                  learning_rate_init=1e30),
], ids=["DEC", "AutoencoderClassifier"])
def test_refinement_shares_the_divergence_handling(X, make):
    y = np.arange(len(X)) % 3
    estimator = make()
    # The shared words: an error when the first epoch diverges (and no module is left),
    # a warning naming the epoch when a later one does.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator.fit(X, y)
        except ValueError as exc:
            assert re.match("Training diverged: .* in the first epoch", str(exc))
            assert not hasattr(estimator, "module_")
            return
    assert any(re.match(r"Training diverged at epoch \d+ .*learning_rate_init", str(w.message))
               for w in caught)


def test_refinement_runs_through_the_callbacks_too(X):
    recorder = Recorder()
    dec = DeepEmbeddedClustering(_small(), n_clusters=3, max_iter=2, tol=0.0, random_state=0)
    dec.set_callbacks(recorder).fit(X)
    assert sum(e == ("end", "epoch") for e in recorder.events) == dec.n_iter_ == 2
