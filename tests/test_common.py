"""scikit-learn's estimator checks over every estimator, with small seeded settings."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (AutoencoderTransformer, ContractiveAutoencoder, DenoisingAutoencoder,
                  SparseAutoencoder, VariationalAutoencoder)

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
EXPECTED_FAILURES = {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILURES.get(
    type(est).__name__, {}))
def test_sklearn_compatible(estimator, check):
    check(estimator)
