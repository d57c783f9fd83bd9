"""scikit-learn's estimator checks over every estimator, with small seeded settings."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AutoencoderClassifier,
    AutoencoderOutlierDetector,
    AutoencoderTransformer,
    ContractiveAutoencoder,
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
    ``_FLOAT32_ROUNDING``)."""
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
]
# torch's float32 sigmoid takes a vectorised path for most elements and a scalar one for the
# tail of a buffer, which differ in the last bit; so sigmoid codes move by ~6e-8 when rows
# are reordered, above the check's rtol of 1e-7. Nothing else depends on the order.
_SIGMOID_ULP = ("float32 sigmoid codes differ in the last bit with the row's position in the "
                "buffer (vectorised vs scalar kernel path)")
_UNLABELED_MARKER = (
    "y == -1 marks an unlabeled row (sklearn's semi-supervised convention), so a binary "
    "problem with classes -1 and 1 is one class plus unlabeled rows; sklearn exempts its own "
    "semi-supervised classifiers from this case by name"
)
_FLOAT32_ROUNDING = (
    "the codes are computed by torch in float32, and a matrix product over a different number "
    "of rows can round the last bit differently (about 1e-7 relative), which outputs computed "
    "from the codes (score_samples, a classifier's decision_function) show at the check's "
    "1e-7 tolerance"
)
EXPECTED_FAILURES = {
    "SparseAutoencoder": {
        "check_methods_sample_order_invariance": _SIGMOID_ULP,
    },
    # score_samples of the 3-epoch tabular model: 1.3e-7 relative on one row of 20. The
    # same check at float32's tolerance: test_autoencoder.py's
    # test_a_rows_outputs_do_not_depend_on_the_other_rows_in_the_call (and, for
    # LatentClustering, test_cluster.py's test_latent_clustering_predicts_row_by_row).
    "AutoencoderTransformer": {"check_methods_subset_invariance": _FLOAT32_ROUNDING},
    "LatentClassifier": {"check_classifiers_classes": _UNLABELED_MARKER},
    "AutoencoderClassifier": {"check_classifiers_classes": _UNLABELED_MARKER},
    "LatentClustering": {"check_methods_subset_invariance": _FLOAT32_ROUNDING},
    "ManifoldLabelSpreading": {"check_classifiers_classes": _UNLABELED_MARKER},
}


# xfail_strict: a listed check that passes (XPASS) fails the run, so a stale entry shows.
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILURES.get(
    type(est).__name__, {}), xfail_strict=True)
def test_sklearn_compatible(estimator, check):
    check(estimator)
