"""scikit-learn's estimator checks over every estimator, with small seeded settings."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AutoencoderTransformer,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    VariationalAutoencoder,
)

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def _small(estimator):
    return estimator.set_params(hidden_layer_sizes=(8,), max_iter=3, random_state=0)


ESTIMATORS = [
    _small(AutoencoderTransformer(latent_dim=2)),
    _small(SparseAutoencoder(latent_dim=6)),
    _small(DenoisingAutoencoder(latent_dim=2)),
    _small(ContractiveAutoencoder(latent_dim=2)),
    _small(VariationalAutoencoder(latent_dim=2)),
]
# torch's float32 sigmoid takes a vectorised path for most elements and a scalar one for the
# tail of a buffer, which differ in the last bit; so sigmoid codes move by ~6e-8 when rows
# are reordered, above the check's rtol of 1e-7. Nothing else depends on the order.
_SIGMOID_ULP = ("float32 sigmoid codes differ in the last bit with the row's position in the "
                "buffer (vectorised vs scalar kernel path)")
EXPECTED_FAILURES = {
    "SparseAutoencoder": {
        "check_methods_sample_order_invariance": _SIGMOID_ULP,
    },
}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILURES.get(
    type(est).__name__, {}))
def test_sklearn_compatible(estimator, check):
    check(estimator)
