"""AutoencoderOutlierDetector: ranking planted outliers, the threshold, any autoencoder."""

import copy

import joblib
import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import skae._base
import skae.anomaly
from skae import AutoencoderOutlierDetector, AutoencoderTransformer, config_context
from skae.nn.training import Objective


def small_ae(**params):
    # 120 training rows: batches of 16 give the model steps enough to learn and stop by
    # itself (one batch of 256 per epoch learned nothing in 40 epochs, and warned so).
    params = {"latent_dim": 8, "hidden_layer_sizes": (32,), "max_iter": 80,
              "batch_size": 16, "random_state": 0, **params}
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
        detector = AutoencoderOutlierDetector()  # the default autoencoder for images
    else:
        ae = make(latent_dim=8, hidden_layer_sizes=(32,), max_iter=80, batch_size=16,
                  random_state=0)
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
    detector = AutoencoderOutlierDetector(small_ae(), cv=None).fit(X_train)
    scores = detector.score_samples(X_test)
    # Higher is more normal: the score is minus the reconstruction error.
    np.testing.assert_allclose(scores, detector.estimator_.score_samples(X_test))
    assert np.all(scores <= 0)
    np.testing.assert_allclose(detector.decision_function(X_test), scores - detector.offset_)
    np.testing.assert_array_equal(detector.predict(X_test),
                                  np.where(scores < detector.offset_, -1, 1))
    # With cv=None, "auto" is Tukey's fence on the training scores.
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



# -- random_state, the cross-fitted threshold, the combined score --------------------------


@pytest.fixture(scope="module")
def wine_one_class():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    rng = np.random.RandomState(0)
    normal = rng.permutation(np.flatnonzero(y == 0))
    n_train = int(0.7 * len(normal))
    return X[normal[:n_train]], X[normal[n_train:]], X[y != 0]


def test_random_state_reproduces_the_default_detector(zeros_vs_rest):
    X_train, X_test, _ = zeros_vs_rest
    # At a fixed thread count: under "auto" the count follows the machine's load, which a
    # test cannot hold still (in one full run beside other programs the two thresholds
    # differed by 6e-4).
    with config_context(n_threads=1):
        first = AutoencoderOutlierDetector(random_state=0).fit(X_train)
        second = AutoencoderOutlierDetector(random_state=0).fit(X_train)
    np.testing.assert_array_equal(first.score_samples(X_test), second.score_samples(X_test))
    assert first.offset_ == second.offset_
    other = AutoencoderOutlierDetector(random_state=1).fit(X_train)
    assert not np.allclose(first.score_samples(X_test), other.score_samples(X_test))


def test_auto_threshold_spares_held_out_normal_rows(wine_one_class):
    X_train, X_normal, X_other = wine_one_class
    # An autoencoder that learns its 41 rows by heart, without the masking noise of tables
    # (noise="auto"), which makes training scores less optimistic: with it the fence on them
    # flagged 33% of these new normal rows instead of 100% (the crossed one 6% either way).
    ae = AutoencoderTransformer(noise=None, random_state=0)
    crossed = AutoencoderOutlierDetector(ae, random_state=0).fit(X_train)
    on_training = AutoencoderOutlierDetector(ae, cv=None, random_state=0).fit(X_train)
    # The same autoencoder: only the threshold differs.
    np.testing.assert_allclose(crossed.score_samples(X_normal),
                               on_training.score_samples(X_normal))
    assert crossed.offset_ < on_training.offset_
    # Training scores are optimistic: a fence on them flags most new normal rows.
    assert np.mean(on_training.predict(X_normal) == -1) > 0.5
    assert np.mean(crossed.predict(X_normal) == -1) < 0.2
    assert np.mean(crossed.predict(X_other) == -1) > 0.5


def test_frozen_autoencoder_threshold_is_the_fence_on_its_scores(zeros_vs_rest):
    X_train = zeros_vs_rest[0]
    ae = small_ae().fit(X_train[:60])
    detector = AutoencoderOutlierDetector(FrozenEstimator(ae)).fit(X_train[60:])
    q1, q3 = np.percentile(ae.score_samples(X_train[60:]), [25, 75])
    assert detector.offset_ == pytest.approx(q1 - 1.5 * (q3 - q1))


def test_combined_score_adds_the_latent_distance(wine_one_class):
    X_train, X_normal, X_other = wine_one_class
    detector = AutoencoderOutlierDetector(AutoencoderTransformer(latent_dim=4, random_state=0),
                                          distance="latent", random_state=0).fit(X_train)
    ae = detector.estimator_
    X_test = np.concatenate([X_normal, X_other])
    centred = ae.transform(X_test) - detector.latent_location_
    distance = np.einsum("ij,jk,ik->i", centred, detector.latent_precision_, centred)
    expected = -(-ae.score_samples(X_test) / detector.error_scale_
                 + distance / detector.distance_scale_)
    np.testing.assert_allclose(detector.score_samples(X_test), expected)
    # The scales are the training medians, so a typical training row scores about -2.
    assert np.median(detector.score_samples(X_train)) == pytest.approx(-2, abs=0.5)
    is_normal = np.r_[np.ones(len(X_normal)), np.zeros(len(X_other))]
    assert roc_auc_score(is_normal, detector.score_samples(X_test)) > 0.9
    # Back to the reconstruction score: the combined score's attributes go.
    detector.set_params(distance=None).fit(X_train)
    assert detector.distance_ is None and not hasattr(detector, "latent_precision_")
    assert not hasattr(detector, "error_scale_")


@pytest.mark.filterwarnings("ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_on_tables_the_score_adds_the_distance_to_the_means(wine_one_class):
    X_train, X_normal, X_other = wine_one_class
    detector = AutoencoderOutlierDetector(AutoencoderTransformer(latent_dim=4, random_state=0),
                                          random_state=0).fit(X_train)
    assert detector.distance_ == "input"  # "auto" on a table
    np.testing.assert_allclose(detector.input_location_, X_train.mean(axis=0))
    np.testing.assert_allclose(detector.input_scale_, X_train.std(axis=0))
    # Each standardised column then goes through the Yeo-Johnson power that makes it most
    # Gaussian, standardised again: scikit-learn's PowerTransformer, fit on the training rows.
    from sklearn.preprocessing import PowerTransformer

    def standardised(rows):
        return (rows - X_train.mean(axis=0)) / X_train.std(axis=0)

    power = PowerTransformer().fit(standardised(X_train))
    np.testing.assert_allclose(detector.input_power_, power.lambdas_, rtol=1e-4, atol=1e-6)
    assert np.all(detector.input_power_ != 1)
    X_test = np.concatenate([X_normal, X_other])
    error = -detector.estimator_.score_samples(X_test)
    distance = np.mean(power.transform(standardised(X_test)) ** 2, axis=1)
    train_error = -detector.estimator_.score_samples(X_train)
    train_distance = np.mean(power.transform(standardised(X_train)) ** 2, axis=1)
    assert detector.error_scale_ == pytest.approx(np.median(train_error), rel=1e-5)
    assert detector.distance_scale_ == pytest.approx(np.median(train_distance), rel=1e-4)
    np.testing.assert_allclose(
        detector.score_samples(X_test),
        -(error / detector.error_scale_ + distance / detector.distance_scale_), rtol=1e-4)
    # A constant column is divided by 1, not by its zero spread: a row that moves it is far.
    constant = AutoencoderOutlierDetector(AutoencoderTransformer(latent_dim=4, max_iter=5,
                                                                 random_state=0),
                                          cv=None).fit(np.c_[X_train, np.zeros(len(X_train))])
    assert constant.input_scale_[-1] == 1.0
    still, moved = constant.score_samples(np.c_[X_normal[:1].repeat(2, 0), [[0.0], [30.0]]])
    assert np.isfinite([still, moved]).all() and moved < still - 10


@pytest.mark.filterwarnings("ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_the_power_of_the_distance_on_few_rows_far_rows_and_old_detectors(wine_one_class):
    X_train, X_normal, _ = wine_one_class
    ae = AutoencoderTransformer(latent_dim=4, max_iter=5, random_state=0)
    few = AutoencoderOutlierDetector(ae, cv=None).fit(X_train[:9])  # too few for powers
    np.testing.assert_array_equal(few.input_power_, 1.0)
    detector = AutoencoderOutlierDetector(ae, cv=None).fit(X_train)
    # A row far beyond float64's reach of the power: finite, and far below every normal row.
    far = X_normal[:1].copy()
    far[0, np.argmax(detector.input_power_)] = 1e30
    assert np.isfinite(detector.score_samples(far)).all()
    assert detector.score_samples(far)[0] < detector.score_samples(X_normal).min()
    # A detector fitted before the power step (no powers) keeps its plain distance.
    old = copy.deepcopy(detector)
    for name in ("input_power_", "input_power_location_", "input_power_scale_"):
        delattr(old, name)
    error = -old.estimator_.score_samples(X_normal)
    distance = np.mean(((X_normal - old.input_location_) / old.input_scale_) ** 2, axis=1)
    np.testing.assert_allclose(
        old.score_samples(X_normal),
        -(error / old.error_scale_ + distance / old.distance_scale_), rtol=1e-5)


@pytest.mark.filterwarnings("ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_the_distance_to_the_means_on_awkward_tables(wine_one_class, monkeypatch):
    X_train, X_normal, _ = wine_one_class
    ae = AutoencoderTransformer(latent_dim=4, max_iter=5, random_state=0)
    # Constant columns whose value is not exact in binary: 0.1 everywhere (a standard
    # deviation of about 1e-17), and 0.3 with one 0.1 + 0.2 (min and max differ by 6e-17).
    # Their spread is round-off, not a scale.
    almost = np.full(len(X_train), 0.3)
    almost[0] = 0.1 + 0.2
    with_constant = np.c_[X_train, np.full(len(X_train), 0.1), almost]
    detector = AutoencoderOutlierDetector(ae, cv=None).fit(with_constant)
    np.testing.assert_array_equal(detector.input_scale_[-2:], 1.0)
    row = np.c_[X_normal[:1], [[0.1 + 1e-6, 0.3 + 1e-6]]]
    assert detector.score_samples(row) == pytest.approx(
        detector.score_samples(np.c_[X_normal[:1], [[0.1, 0.3]]]), rel=1e-4)
    # One row, or rows all alike: the medians are 0, the scores of other rows stay finite.
    for X_fit in (X_train[:1], np.repeat(X_train[:1], 10, axis=0)):
        fitted = AutoencoderOutlierDetector(ae, cv=None).fit(X_fit)
        assert np.isfinite(fitted.score_samples(X_normal)).all()
    # A chunk of rows at a time: the same scales and scores as all at once.
    whole = AutoencoderOutlierDetector(ae, cv=None).fit(X_train)
    monkeypatch.setattr(skae.anomaly, "_CHUNK_VALUES", 3 * X_train.shape[1])
    monkeypatch.setattr(skae._base, "CHUNK_ROWS", 3)  # the columns' moments too
    chunked = AutoencoderOutlierDetector(ae, cv=None).fit(X_train)
    np.testing.assert_allclose(chunked.input_location_, whole.input_location_)
    np.testing.assert_allclose(chunked.input_scale_, whole.input_scale_)
    np.testing.assert_allclose(chunked.score_samples(X_normal), whole.score_samples(X_normal),
                               rtol=1e-6)
    # Refit without the distance: its attributes go.
    chunked.set_params(distance=None).fit(X_train)
    assert not hasattr(chunked, "input_location_") and not hasattr(chunked, "input_scale_")


@pytest.mark.filterwarnings("ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_tables_in_the_unit_range_and_photographs_are_tables(wine_one_class):
    from sklearn.preprocessing import MinMaxScaler

    X_train, X_normal, X_other = wine_one_class
    X_test = np.concatenate([X_normal, X_other])
    is_normal = np.r_[np.ones(len(X_normal)), np.zeros(len(X_other))]
    scaler = MinMaxScaler().fit(X_train)  # into [0, 1]: the same table, the same detector
    raw = AutoencoderOutlierDetector(cv=None, random_state=0).fit(X_train)
    scaled = AutoencoderOutlierDetector(cv=None, random_state=0).fit(scaler.transform(X_train))
    for detector in (raw, scaled):
        assert detector.distance_ == "input"
        assert (detector.estimator_.latent_dim, detector.estimator_.scaling) == (8, "minmax")
    auc_raw = roc_auc_score(is_normal, raw.score_samples(X_test))
    auc_scaled = roc_auc_score(is_normal, scaled.score_samples(scaler.transform(X_test)))
    assert auc_scaled == pytest.approx(auc_raw, abs=0.02)
    # Photographs have no background: a table, unless image_shape says images, which the
    # image autoencoder then brings into [0, 1] by one range.
    photos = np.random.RandomState(0).uniform(40, 220, size=(40, 64))
    as_table = AutoencoderOutlierDetector(cv=None, random_state=0).fit(photos)
    assert as_table.distance_ == "input" and as_table.estimator_.latent_dim == 8
    as_images = AutoencoderOutlierDetector(cv=None, image_shape=(8, 8), random_state=0)
    as_images.fit(photos)
    assert as_images.distance_ is None
    assert (as_images.estimator_.latent_dim, as_images.estimator_.scaling) == (32, "global")


@pytest.mark.filterwarnings("ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")
def test_auto_distance_is_none_on_images(zeros_vs_rest):
    X_train, X_test, _ = zeros_vs_rest
    detector = AutoencoderOutlierDetector(small_ae(max_iter=5), cv=None).fit(X_train)
    assert detector.distance_ is None
    np.testing.assert_allclose(detector.score_samples(X_test),
                               detector.estimator_.score_samples(X_test), rtol=1e-6)
    # image_shape says images, whatever the data's range.
    shifted = AutoencoderOutlierDetector(small_ae(max_iter=5), cv=None, image_shape=(8, 8))
    assert shifted.fit(X_train * 16 - 3).distance_ is None
    with pytest.raises(ValueError, match="distance"):
        AutoencoderOutlierDetector(distance="mahalanobis").fit(X_train)


def test_default_autoencoder_denoises_and_stops_early_on_tables(wine_one_class, zeros_vs_rest):
    X_train, X_normal, X_other = wine_one_class  # 41 rows of wine's class 0
    X_table = np.concatenate([X_train, X_normal])  # 59 rows: enough to hold out 6
    detector = AutoencoderOutlierDetector(cv=None, random_state=0).fit(X_table)
    ae = detector.estimator_
    assert (ae.noise, ae.noise_level, ae.do_early_stopping_) == ("mask", 0.2, True)
    # Each column scaled to its training range and decoded through a sigmoid, an 8-D code.
    assert (ae.scaling, ae.output_activation_, ae.latent_dim, ae.manifold_weight) == (
        "minmax", "logistic", 8, 0.0)
    assert ae.n_iter_ < ae.max_iter  # it stopped by itself
    # Too few rows to hold out a validation set: masking noise alone.
    small = AutoencoderOutlierDetector(cv=None, random_state=0).fit(X_train).estimator_
    assert (small.noise, small.do_early_stopping_) == ("mask", False)
    is_normal = np.r_[np.ones(len(X_normal)), np.zeros(len(X_other))]
    scores = AutoencoderOutlierDetector(random_state=0).fit(X_train).score_samples(
        np.concatenate([X_normal, X_other]))
    assert roc_auc_score(is_normal, scores) > 0.9
    # Images (data in [0, 1]): no noise, a 32-D code trained on the reconstruction alone.
    image_ae = AutoencoderOutlierDetector(cv=None, random_state=0).fit(
        zeros_vs_rest[0]).estimator_
    assert (image_ae.noise, image_ae.early_stopping) == ("auto", "auto")
    assert image_ae.training_objective().corruption is None
    assert (image_ae.latent_dim, image_ae.manifold_weight) == (32, 0.0)
    # Images stored as 0-255 integers are images too: the same autoencoder.
    raw = AutoencoderOutlierDetector(cv=None, random_state=0).fit(
        np.round(zeros_vs_rest[0] * 255))
    assert (raw.estimator_.latent_dim, raw.estimator_.output_activation_) == (32, "logistic")
    assert raw.estimator_.training_objective().corruption is None
    assert raw.estimator_.get_params() == image_ae.get_params()


# -- the error of local means on images -----------------------------------------------------


def _window_means(images, window):
    """Local means written out pixel by pixel (edges repeated), to check the detector's."""
    pad = window // 2
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad)), mode="edge")
    side = images.shape[1]
    return np.stack([[[padded[n, i:i + window, j:j + window].mean() for j in range(side)]
                      for i in range(side)] for n in range(images.shape[0])])


def _local_errors(ae, X):
    """The error of 3 x 3 local means of 24 x 24 images, written out by hand."""
    reconstruction = ae.inverse_transform(ae.transform(X))
    return np.mean((_window_means(X.reshape(-1, 24, 24), 3)
                    - _window_means(reconstruction.reshape(-1, 24, 24), 3)) ** 2, axis=(1, 2))


@pytest.fixture(scope="module")
def large_zeros(zeros_vs_rest):
    """The digits drawn three times larger: 24 x 24 images, with neighbouring pixels alike."""
    X_train, X_test, is_normal = zeros_vs_rest

    def enlarge(X):
        return np.kron(X.reshape(-1, 8, 8), np.ones((3, 3))).reshape(len(X), -1)

    return enlarge(X_train), enlarge(X_test), is_normal


def test_images_are_scored_by_the_error_of_local_means(large_zeros, monkeypatch):
    X_train, X_test, is_normal = large_zeros
    detector = AutoencoderOutlierDetector(small_ae(), contamination=0.1,
                                          image_shape=(24, 24)).fit(X_train)
    assert detector.image_shape_ == (1, 24, 24)
    assert detector.error_window_ == 3
    ae = detector.estimator_
    rows = X_test[:20]
    expected = -_local_errors(ae, rows)
    np.testing.assert_allclose(detector.score_samples(rows), expected, rtol=1e-5)
    monkeypatch.setattr(skae.anomaly, "_CHUNK_VALUES", 7 * 576)  # chunks of 7, 7 and 6 rows
    np.testing.assert_allclose(detector.score_samples(rows), expected, rtol=1e-5)
    # Not the plain error, and still a ranking of the other digits below the zeros.
    assert not np.allclose(detector.score_samples(rows), ae.score_samples(rows))
    assert roc_auc_score(is_normal, detector.score_samples(X_test)) > 0.9


def _short_fit(test):
    """The short fits of ``test`` check the score's wiring, not a model: they stop at
    ``max_iter`` and may learn nothing, and say so."""
    test = pytest.mark.filterwarnings(
        "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")(test)
    return pytest.mark.filterwarnings("ignore:.* learned nothing:RuntimeWarning")(test)


@_short_fit
def test_the_fence_and_the_latent_distance_use_the_same_error(large_zeros, monkeypatch):
    X_train = large_zeros[0]
    seen = []
    scores, score_scales = skae.anomaly._scores, skae.anomaly._score_scales

    def scores_spy(*args):
        seen.append(("scores", args[-1]))
        return scores(*args)

    def score_scales_spy(*args):
        seen.append(("scales", args[-1]))
        return score_scales(*args)

    monkeypatch.setattr(skae.anomaly, "_scores", scores_spy)
    monkeypatch.setattr(skae.anomaly, "_score_scales", score_scales_spy)
    detector = AutoencoderOutlierDetector(small_ae(max_iter=5), cv=2, distance="latent",
                                          image_shape=(1, 24, 24)).fit(X_train)
    # The final model's scales, then each of the 2 cross-fitted folds' scales and scores.
    assert [kind for kind, _ in seen] == ["scales", "scales", "scores", "scales", "scores"]
    assert all(local == ((1, 24, 24), 3) for _, local in seen)
    errors = _local_errors(detector.estimator_, X_train)
    assert detector.error_scale_ == pytest.approx(np.median(errors), rel=1e-5)


@_short_fit
def test_without_image_shape_or_on_small_images_the_error_is_plain(zeros_vs_rest,
                                                                   large_zeros):
    X_large = large_zeros[0]
    plain = AutoencoderOutlierDetector(small_ae(max_iter=5), contamination=0.1).fit(X_large)
    assert plain.image_shape_ is None and plain.error_window_ == 1
    np.testing.assert_allclose(plain.score_samples(X_large[:10]),
                               plain.estimator_.score_samples(X_large[:10]), rtol=1e-6)
    X_train, X_test, _ = zeros_vs_rest  # 8 x 8: a 3 x 3 mean would cover too much
    small = AutoencoderOutlierDetector(small_ae(max_iter=5), contamination=0.1,
                                       image_shape=(8, 8)).fit(X_train)
    assert small.image_shape_ == (1, 8, 8) and small.error_window_ == 1
    np.testing.assert_allclose(small.score_samples(X_test),
                               small.estimator_.score_samples(X_test), rtol=1e-6)


@_short_fit
def test_a_given_image_shape_is_checked(large_zeros):
    X_train = large_zeros[0]
    given = AutoencoderOutlierDetector(small_ae(max_iter=2), contamination=0.1,
                                       image_shape=np.array([24, 24])).fit(X_train)
    assert given.image_shape_ == (1, 24, 24) and given.error_window_ == 3
    with pytest.raises(ValueError, match="holds 100 values but X has 576"):
        AutoencoderOutlierDetector(small_ae(max_iter=2), image_shape=(10, 10)).fit(X_train)
    with pytest.raises(ValueError, match="image_shape"):
        AutoencoderOutlierDetector(image_shape=(24, -24)).fit(X_train)

    class NoInverse(AutoencoderTransformer):
        def __getattribute__(self, name):
            if name == "inverse_transform":
                raise AttributeError(name)
            return super().__getattribute__(name)

    with pytest.raises(ValueError, match="has no inverse_transform"):
        AutoencoderOutlierDetector(NoInverse(max_iter=2), image_shape=(24, 24)).fit(X_train)


@pytest.mark.parametrize("latent", [True, False])
def test_detectors_saved_with_latent_distance_still_load(wine_one_class, tmp_path, latent):
    """Before ``distance`` replaced it, ``latent_distance=True`` meant ``distance="latent"``
    and ``False`` the error alone: files and pickles written then load with that meaning."""
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    import skae

    X_train, X_normal, _ = wine_one_class
    distance = "latent" if latent else None
    detector = AutoencoderOutlierDetector(AutoencoderTransformer(latent_dim=4, max_iter=20,
                                                                 random_state=0),
                                          distance=distance, cv=None).fit(X_train)
    expected = detector.score_samples(X_normal)
    skae.save(detector, tmp_path / "new.skae")
    with safe_open(tmp_path / "new.skae", framework="pt") as f:
        header = json.loads(f.metadata()["skae"])
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    saved = header["estimator"]
    del saved["params"]["distance"], saved["attributes"]["distance_"]
    saved["params"]["latent_distance"] = latent
    save_file(tensors, tmp_path / "old.skae", metadata={"skae": json.dumps(header)})
    loaded = skae.load(tmp_path / "old.skae")
    assert (loaded.distance, loaded.distance_) == (distance, distance)
    np.testing.assert_allclose(loaded.score_samples(X_normal), expected, rtol=1e-6)

    state = detector.__getstate__()
    del state["distance"], state["distance_"]
    state["latent_distance"] = latent
    unpickled = AutoencoderOutlierDetector.__new__(AutoencoderOutlierDetector)
    unpickled.__setstate__(state)
    assert "latent_distance" not in vars(unpickled)
    assert (unpickled.distance, unpickled.distance_) == (distance, distance)
    np.testing.assert_allclose(unpickled.score_samples(X_normal), expected, rtol=1e-6)
