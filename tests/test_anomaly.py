"""AutoencoderOutlierDetector: ranking planted outliers, the threshold, any autoencoder."""

import joblib
import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae.nn.training import Objective


def small_ae(**params):
    params = {"latent_dim": 8, "hidden_layer_sizes": (32,), "max_iter": 40,
              "random_state": 0, **params}
    return AutoencoderTransformer(**params)


class NoisyAutoencoder(AutoencoderTransformer):
    """A stand-in for a variant the detector does not know: a denoising objective."""

    def training_objective(self):
        return Objective(corruption=lambda x, g: x + 0.1 * torch.randn(
            x.shape, generator=g, device=x.device))


@pytest.fixture(scope="module")
def zeros_vs_rest(digits):
    X, y = digits
    normal = X[y == 0]
    X_test = np.concatenate([normal[120:], X[y != 0][:400]])
    is_normal = np.r_[np.ones(len(normal) - 120), np.zeros(400)]
    return normal[:120], X_test, is_normal


@pytest.mark.parametrize("make", [small_ae, NoisyAutoencoder, None],
                         ids=["plain", "variant", "default"])
def test_ranks_other_digits_as_outliers(zeros_vs_rest, make):
    X_train, X_test, is_normal = zeros_vs_rest
    if make is None:
        detector = AutoencoderOutlierDetector()  # AutoencoderTransformer() as it comes
    else:
        ae = make(latent_dim=8, hidden_layer_sizes=(32,), max_iter=40, random_state=0)
        detector = AutoencoderOutlierDetector(ae)
    detector.fit(X_train)
    auc = roc_auc_score(is_normal, detector.score_samples(X_test))
    assert auc > 0.9
    # The other digits are mostly flagged, the held-out zeros mostly not.
    predicted = detector.predict(X_test)
    assert np.mean(predicted[is_normal == 0] == -1) > 0.7
    assert np.mean(predicted[is_normal == 1] == 1) > 0.7


def test_conventions_and_threshold(zeros_vs_rest):
    X_train, X_test, _ = zeros_vs_rest
    detector = AutoencoderOutlierDetector(small_ae()).fit(X_train)
    scores = detector.score_samples(X_test)
    # Higher is more normal: the score is minus the reconstruction error.
    np.testing.assert_allclose(scores, detector.estimator_.score_samples(X_test))
    assert np.all(scores <= 0)
    np.testing.assert_allclose(detector.decision_function(X_test), scores - detector.offset_)
    np.testing.assert_array_equal(detector.predict(X_test),
                                  np.where(scores < detector.offset_, -1, 1))
    # "auto" is Tukey's fence on the training scores.
    q1, q3 = np.percentile(detector.score_samples(X_train), [25, 75])
    assert detector.offset_ == pytest.approx(q1 - 1.5 * (q3 - q1))


@pytest.mark.parametrize("contamination", [0.05, 0.2])
def test_contamination_sets_the_training_outlier_fraction(zeros_vs_rest, contamination):
    X_train = zeros_vs_rest[0]
    detector = AutoencoderOutlierDetector(small_ae(), contamination=contamination)
    flagged = np.mean(detector.fit(X_train).predict(X_train) == -1)
    assert flagged == pytest.approx(contamination, abs=1.5 / len(X_train))


def test_frozen_autoencoder_is_used_as_is(zeros_vs_rest):
    X_train, X_test, _ = zeros_vs_rest
    ae = small_ae().fit(X_train)
    detector = AutoencoderOutlierDetector(FrozenEstimator(ae)).fit(X_train[:50])
    np.testing.assert_allclose(detector.score_samples(X_test), ae.score_samples(X_test))


def test_joblib_round_trip(zeros_vs_rest, tmp_path):
    X_train, X_test, _ = zeros_vs_rest
    detector = AutoencoderOutlierDetector(small_ae(), contamination=0.1).fit(X_train)
    joblib.dump(detector, tmp_path / "detector.joblib")
    loaded = joblib.load(tmp_path / "detector.joblib")
    np.testing.assert_array_equal(loaded.decision_function(X_test),
                                  detector.decision_function(X_test))


def test_bad_parameters(zeros_vs_rest):
    X_train = zeros_vs_rest[0]
    with pytest.raises(ValueError, match="contamination"):
        AutoencoderOutlierDetector(contamination=0.7).fit(X_train)
    with pytest.raises(ValueError, match="estimator"):
        AutoencoderOutlierDetector(LogisticRegression()).fit(X_train)

