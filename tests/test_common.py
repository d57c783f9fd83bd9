"""scikit-learn's estimator checks over every estimator, with small seeded settings."""

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AutoencoderClassifier,
    AutoencoderOutlierDetector,
    AutoencoderTransformer,
    ContractiveAutoencoder,
    ConvClassifier,
    DeepEmbeddedClustering,
    DenoisingAutoencoder,
    LatentClassifier,
    LatentClustering,
    ManifoldLabelSpreading,
    SparseAutoencoder,
    VariationalAutoencoder,
)

# scikit-learn's checks fit every estimator many times with the small settings below (three
# epochs for most): stopping at max_iter is the point, so its ConvergenceWarning is expected.
# A mark, not a warnings.filterwarnings call at import, which would silence the whole session.
# check_supervised_y_no_nan passes y holding NaN and inf: scikit-learn's own type_of_target
# casts them to int, with a RuntimeWarning, on the way to the ValueError the check expects.
# Some checks fit on random noise for a few epochs, where a model that learns nothing says so.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning"),
]


def _small(estimator):
    return estimator.set_params(hidden_layer_sizes=(8,), max_iter=3, random_state=0)


def _small_ae(**params):
    """The small autoencoder inside the wrappers. Its neighbour-graph term is off: the checks
    test the wrappers' sklearn behaviour, and the first row (``AutoencoderTransformer``, the
    term on) runs every check through the term's path; with it, the wrappers' checks took
    about twice as long. So is its masking noise (``noise="auto"`` masks the checks' tables),
    which the first row runs every check with: with it, the default detector's
    ``score_samples`` and ``LatentClassifier``'s ``decision_function`` moved by 3e-7
    relative (at most) with the rows around them (float32 rounding, see
    ``FLOAT32_CHECKS``)."""
    return _small(AutoencoderTransformer(latent_dim=2, manifold_weight=0,
                                         noise=None)).set_params(**params)


ESTIMATORS = [
    _small(AutoencoderTransformer(latent_dim=2)),
    _small(SparseAutoencoder(latent_dim=6)),
    _small(DenoisingAutoencoder(latent_dim=2)),
    _small(ContractiveAutoencoder(latent_dim=2)),
    _small(VariationalAutoencoder(latent_dim=2)),
    AutoencoderOutlierDetector(_small_ae()),
    # With the term on: without it one decision_function value of 60 moved by 1.5e-7 with
    # the rows around it (float32 rounding), above the subset-invariance check's 1.1e-7.
    LatentClassifier(_small_ae(latent_dim=4, hidden_layer_sizes=(16,), max_iter=100,
                               manifold_weight=1.0), random_state=0),
    AutoencoderClassifier(_small_ae(latent_dim=4, max_iter=20), max_iter=10, random_state=0),
    DeepEmbeddedClustering(_small_ae(), n_clusters=3, max_iter=3, n_init=2, random_state=0),
    AutoencoderOutlierDetector(_small_ae(), cv=2, random_state=0),
    LatentClustering(_small_ae(max_iter=30), n_clusters=3, n_neighbors=5, random_state=0),
    ManifoldLabelSpreading(_small_ae(max_iter=30), n_neighbors=5, random_state=0),
    # Enough steps to fit the checks' training data (they ask for 0.83 accuracy on it).
    ConvClassifier(channels=(4,), hidden_size=8, max_iter=100, learning_rate_init=1e-2,
                   random_state=0),
]
_UNLABELED_MARKER = (
    "y == -1 marks an unlabeled row (sklearn's semi-supervised convention), so a binary "
    "problem with classes -1 and 1 is one class plus unlabeled rows; sklearn exempts its own "
    "semi-supervised classifiers from this case by name"
)
EXPECTED_FAILURES = {
    "LatentClassifier": {"check_classifiers_classes": _UNLABELED_MARKER},
    "AutoencoderClassifier": {"check_classifiers_classes": _UNLABELED_MARKER},
    "ManifoldLabelSpreading": {"check_classifiers_classes": _UNLABELED_MARKER},
    "ConvClassifier": {"check_classifiers_classes": _UNLABELED_MARKER},
}
# Two checks compare each row's outputs, computed among other rows or in another order, at
# 1e-7 relative: below float32's rounding. torch computes the codes in float32, and whether
# a matrix product over another number of rows, or the vectorised and scalar tails of a
# kernel (float32 sigmoid), round the last bit alike depends on the CPU and the thread
# count: on one machine the tabular model's score_samples moved by 1.3e-7 on one row of 20,
# on another (AMD EPYC) it did not while LatentClassifier's decision_function moved by
# 1.4e-7 and SparseAutoencoder's codes no longer did. So they are expected failures that may
# pass; test_outputs_do_not_depend_on_the_other_rows runs both at float32's tolerance on
# every estimator, strictly.
FLOAT32_CHECKS = ("check_methods_subset_invariance", "check_methods_sample_order_invariance")


# xfail_strict: a listed check that passes (XPASS) fails the run, so a stale entry shows.
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILURES.get(
    type(est).__name__, {}), xfail_strict=True)
def test_sklearn_compatible(estimator, check, request):
    if getattr(check, "func", check).__name__ in FLOAT32_CHECKS:
        request.applymarker(pytest.mark.xfail(
            reason="1e-7 relative is below float32's rounding (see FLOAT32_CHECKS)",
            strict=False))
    check(estimator)


_METHODS = ("predict", "predict_proba", "decision_function", "score_samples", "transform")


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda est: type(est).__name__)
def test_outputs_do_not_depend_on_the_other_rows(estimator):
    """sklearn's subset and sample-order invariance checks, on their data (20 rows of 3
    columns, y from the first), at float32's tolerance: anything above it is a real
    dependence of a row's output on the rows computed with it."""
    X = 3 * np.random.RandomState(0).uniform(size=(20, 3))
    y = X[:, 0].astype(int)
    model = clone(estimator)
    model.fit(X, y) if is_classifier(model) else model.fit(X)
    checked = [m for m in _METHODS if hasattr(model, m)]
    assert checked
    order = np.random.RandomState(1).permutation(20)
    for method in checked:
        whole = getattr(model, method)(X)
        for rows in (slice(0, 10), slice(10, 20), [3], order):
            np.testing.assert_allclose(getattr(model, method)(X[rows]), whole[rows],
                                       rtol=1e-5, atol=1e-6, err_msg=method)
