"""Display objects: each draws the expected artists from the estimator API alone."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.plotting import (  # noqa: E402
    AnomalyScoreDisplay,
    LatentSpaceDisplay,
    LossCurveDisplay,
    ManifoldDisplay,
    ReconstructionDisplay,
    SampleDisplay,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _fit(X, **params):
    params = {"hidden_layer_sizes": (32,), "max_iter": 15, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return AutoencoderTransformer(**params).fit(X)


@pytest.fixture(scope="module")
def ae2(digits):
    return _fit(digits[0], latent_dim=2, early_stopping=True)


@pytest.fixture(scope="module")
def ae8(digits):
    return _fit(digits[0], latent_dim=8)


class FakeDetector(BaseEstimator):
    """An outlier detector in scikit-learn's convention: score_samples high for inliers."""

    def fit(self, X, y=None):
        self.offset_ = -1.5
        return self

    def score_samples(self, X):
        return -np.abs(np.asarray(X)[:, 0])


class FakeGenerator(BaseEstimator):
    """A generative model: sample() decodes standard normal codes with a fitted autoencoder."""

    def __init__(self, autoencoder=None):
        self.autoencoder = autoencoder

    def fit(self, X=None, y=None):
        self.latent_dim_ = self.autoencoder.latent_dim
        return self

    def transform(self, X):
        return self.autoencoder.transform(X)

    def inverse_transform(self, Z):
        return self.autoencoder.inverse_transform(Z)

    def sample(self, n_samples, random_state=None):
        Z = np.random.RandomState(random_state).normal(size=(n_samples, self.latent_dim_))
        return self.autoencoder.inverse_transform(Z)


# -- LossCurveDisplay ---------------------------------------------------------------------------

def test_loss_curve_draws_training_and_validation(ae2):
    display = LossCurveDisplay.from_estimator(ae2)
    # The default objective: the total and each of its terms, training and validation.
    assert display.terms_ == ["loss", "reconstruction", "manifold"]
    assert set(display.lines_) == {(split, term) for split in ("train", "valid")
                                   for term in display.terms_}
    train = display.lines_["train", "loss"]
    np.testing.assert_allclose(train.get_ydata(), ae2.loss_curve_)
    np.testing.assert_array_equal(train.get_xdata(), np.arange(1, ae2.n_iter_ + 1))
    np.testing.assert_allclose(display.lines_["valid", "loss"].get_ydata(),
                               [row["valid_loss"] for row in ae2.history_])
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels[:2] == ["training", "validation"]
    assert any(label.startswith("best validation epoch") for label in labels)
    assert display.ax_.get_xlabel() == "epoch" and display.ax_.get_ylabel() == "loss"
    assert display.figure_ is display.ax_.figure


def test_loss_curve_one_panel_per_term():
    history = [{"epoch": e, "train_reconstruction": 1 / e, "train_kl": 0.1 * e,
                "train_loss": 1 / e + 0.1 * e, "valid_reconstruction": 1.1 / e,
                "valid_kl": 0.1 * e, "valid_loss": 1.1 / e + 0.1 * e} for e in range(1, 6)]
    display = LossCurveDisplay(history, estimator_name="VAE").plot()
    assert display.terms_ == ["loss", "reconstruction", "kl"]
    assert len(display.axes_) == 3 and len(display.lines_) == 6
    np.testing.assert_allclose(display.lines_["train", "kl"].get_ydata(),
                               [0.1 * e for e in range(1, 6)])
    assert [ax.get_ylabel() for ax in display.axes_] == ["loss", "reconstruction", "kl"]

    _, ax = plt.subplots()
    shared = LossCurveDisplay(history).plot(ax=ax)
    assert len(shared.axes_) == 1 and len(ax.get_lines()) == 6 + 1  # + best-epoch marker

    _, two = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="one per loss term"):
        LossCurveDisplay(history).plot(ax=two)


def test_loss_curve_falls_back_to_loss_curve_and_rejects_empty(digits):
    X = digits[0][:200]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, X)
    display = LossCurveDisplay.from_estimator(mlp)
    assert list(display.lines_) == [("train", "loss")]
    assert len(display.lines_["train", "loss"].get_ydata()) == mlp.n_iter_
    with pytest.raises(ValueError, match="history is empty"):
        LossCurveDisplay([]).plot()


# -- ReconstructionDisplay ------------------------------------------------------------------

def test_reconstruction_images_originals_above_reconstructions(ae2, digits):
    X = digits[0][:50]
    display = ReconstructionDisplay.from_estimator(ae2, X, n_images=7)
    assert display.kind_ == "images" and len(display.images_) == 14
    assert len(display.ax_.images) == 14
    np.testing.assert_allclose(display.images_[0].get_array(), X[0].reshape(8, 8))
    reconstruction = ae2.inverse_transform(ae2.transform(X[:1]))
    np.testing.assert_allclose(display.images_[7].get_array(), reconstruction.reshape(8, 8),
                               rtol=1e-5)
    # The originals' row starts higher (the y axis points down, as in an image).
    assert display.images_[0].get_extent()[3] < display.images_[7].get_extent()[3]
    assert display.ax_.get_ylim()[0] > display.ax_.get_ylim()[1]
    ticks = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert ticks == ["original", "reconstruction"]
    assert "MSE" in display.ax_.get_title()


def test_reconstruction_image_shape_argument_and_random_rows(ae2, digits):
    X = digits[0][:30]
    display = ReconstructionDisplay.from_estimator(ae2, X, n_images=4, random_state=0,
                                                   image_shape=(4, 16))
    assert display.images_[0].get_array().shape == (4, 16)
    with pytest.raises(ValueError, match="image_shape"):
        ReconstructionDisplay.from_estimator(ae2, X, image_shape=(5, 5))


def test_reconstruction_tabular_per_feature_error():
    from sklearn.datasets import load_wine

    X, _ = load_wine(return_X_y=True)
    ae = _fit(X, latent_dim=3)
    display = ReconstructionDisplay.from_estimator(ae, X)
    assert display.kind_ == "features" and len(display.bars_) == X.shape[1]
    X_rec = ae.inverse_transform(ae.transform(X))
    expected = np.mean((X - X_rec) ** 2, axis=0) / X.var(axis=0)
    np.testing.assert_allclose(display.feature_errors_, expected, rtol=1e-5)
    np.testing.assert_allclose([b.get_height() for b in display.bars_], expected, rtol=1e-5)
    assert display.ax_.get_xlabel() == "feature"
    with pytest.raises(ValueError, match="Cannot infer the image shape"):
        ReconstructionDisplay.from_estimator(ae, X, kind="images")


def test_reconstruction_from_predictions_with_pca(digits):
    X = digits[0][:100]
    pca = PCA(n_components=5).fit(X)
    display = ReconstructionDisplay.from_predictions(
        X, pca.inverse_transform(pca.transform(X)), n_images=5)
    assert len(display.images_) == 10


# -- LatentSpaceDisplay -----------------------------------------------------------------------

def test_latent_space_2d_is_drawn_directly(ae2, digits):
    X, y = digits[0][:300], digits[1][:300]
    display = LatentSpaceDisplay.from_estimator(ae2, X, y)
    assert display.method == "latent" and len(display.scatters_) == len(np.unique(y))
    Z = ae2.transform(X)
    np.testing.assert_allclose(display.scatters_[0].get_offsets(), Z[y == 0], rtol=1e-6)
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == [str(c) for c in np.unique(y)]
    assert display.ax_.get_xlabel() == "latent 1" and display.ax_.get_ylabel() == "latent 2"


@pytest.mark.parametrize("method, label", [("pca", "PCA 1"), ("tsne", "t-SNE 1")])
def test_latent_space_projects_wider_codes(ae8, digits, method, label):
    X, y = digits
    display = LatentSpaceDisplay.from_estimator(ae8, X, y, method=method, max_samples=150,
                                                random_state=0)
    assert display.method == method and display.latent_dim == 8
    assert sum(len(s.get_offsets()) for s in display.scatters_) == 150
    assert display.ax_.get_xlabel() == label and "8-D" in display.ax_.get_title()


def test_latent_space_without_labels_and_bad_method(ae8, digits):
    display = LatentSpaceDisplay.from_estimator(ae8, digits[0][:100], method="pca")
    assert len(display.scatters_) == 1 and display.ax_.get_legend() is None
    with pytest.raises(ValueError, match="method must be 'tsne' or 'pca'"):
        LatentSpaceDisplay.from_estimator(ae8, digits[0][:10], method="umap")


# -- ManifoldDisplay ---------------------------------------------------------------------------

def test_manifold_decodes_a_grid_of_the_latent_space(ae2, digits):
    X = digits[0]
    display = ManifoldDisplay.from_estimator(ae2, X, n_per_side=6)
    assert len(display.images_) == 36 and len(display.ax_.images) == 36
    Z = ae2.transform(X)
    lo, hi = np.quantile(Z, (0.02, 0.98), axis=0)
    np.testing.assert_allclose(display.grid_x[[0, -1]], [lo[0], hi[0]])
    np.testing.assert_allclose(display.grid_y[[0, -1]], [hi[1], lo[1]])
    # The top-left image is the decoded top-left grid point.
    top_left = ae2.inverse_transform(np.array([[lo[0], hi[1]]]))
    np.testing.assert_allclose(display.images_[0].get_array(), top_left.reshape(8, 8),
                               rtol=1e-5)
    assert display.ax_.get_xlabel() == "latent 1" and display.ax_.get_ylabel() == "latent 2"


def test_manifold_needs_a_2d_latent_and_an_extent(ae2, ae8, digits):
    with pytest.raises(ValueError, match="2-D latent space"):
        ManifoldDisplay.from_estimator(ae8, digits[0][:50])
    with pytest.raises(ValueError, match="Pass X"):
        ManifoldDisplay.from_estimator(ae2)
    display = ManifoldDisplay.from_estimator(ae2, extent=(-1, 1, -2, 2), n_per_side=3)
    np.testing.assert_allclose(display.grid_y, [2, 0, -2])
    # A generative model's grid defaults to quantiles of its standard normal prior.
    vae = FakeGenerator(ae2).fit()
    display = ManifoldDisplay.from_estimator(vae, n_per_side=4)
    np.testing.assert_allclose(display.grid_x[[0, -1]], [-2.0537, 2.0537], atol=1e-3)


# -- AnomalyScoreDisplay ------------------------------------------------------------------------

def test_anomaly_scores_with_a_detector_offset():
    X = np.r_[np.full((90, 1), 1.0), np.full((10, 1), 2.0)]
    is_outlier = np.r_[np.zeros(90, bool), np.ones(10, bool)]
    display = AnomalyScoreDisplay.from_estimator(FakeDetector().fit(X), X, is_outlier)
    assert display.threshold == 1.5
    assert display.threshold_line_.get_xdata()[0] == 1.5
    assert display.detection_rate_ == 1.0 and display.false_alarm_rate_ == 0.0
    assert set(display.hists_) == {"normal", "anomalous"}
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend[:2] == ["normal (90)", "anomalous (10)"]
    # Labels as predict gives them: -1 for outliers.
    display = AnomalyScoreDisplay.from_estimator(FakeDetector().fit(X), X,
                                                 np.where(is_outlier, -1, 1))
    assert display.detection_rate_ == 1.0


def test_anomaly_scores_of_an_autoencoder_with_a_threshold(ae8, digits):
    X, y = digits
    threshold = np.quantile(ae8.score_samples(X), 0.1)
    display = AnomalyScoreDisplay.from_estimator(ae8, X, y == 3, threshold=threshold,
                                                 log_scale=True)
    flagged = ae8.score_samples(X) < threshold
    assert display.false_alarm_rate_ == pytest.approx(flagged[y != 3].mean())
    assert display.ax_.get_xscale() == "log"
    no_threshold = AnomalyScoreDisplay.from_estimator(ae8, X, y == 3)
    assert no_threshold.threshold_line_ is None
    with pytest.raises(ValueError, match="some samples as outliers"):
        AnomalyScoreDisplay.from_estimator(ae8, X, np.zeros(len(X), bool))


# -- SampleDisplay ------------------------------------------------------------------------------

def test_samples_of_a_generative_model(ae2):
    vae = FakeGenerator(ae2).fit()
    display = SampleDisplay.from_estimator(vae, n_samples=10, random_state=0)
    assert len(display.images_) == 10 and len(display.ax_.images) == 10
    expected = vae.sample(10, random_state=0)
    np.testing.assert_allclose(display.images_[3].get_array(), expected[3].reshape(8, 8),
                               rtol=1e-5)
    assert "10 generated samples" in display.ax_.get_title()
    with pytest.raises(TypeError, match="no sample method"):
        SampleDisplay.from_estimator(ae2)


def test_samples_without_image_shape_draw_a_heat_map():
    samples = np.random.RandomState(0).normal(size=(6, 5))
    display = SampleDisplay(samples).plot()
    assert len(display.images_) == 1
    np.testing.assert_allclose(display.images_[0].get_array(), samples)


def test_latent_space_colour_scale_for_many_classes(ae2, digits):
    X = digits[0][:60]
    display = LatentSpaceDisplay.from_estimator(ae2, X, np.linspace(0, 1, 60))
    assert len(display.scatters_) == 1 and display.ax_.get_legend() is None
    np.testing.assert_allclose(display.scatters_[0].get_array(), np.linspace(0, 1, 60))
    names = np.array([f"item{i}" for i in range(60)])
    assert len(LatentSpaceDisplay.from_estimator(ae2, X, names).scatters_) == 1


def test_samples_given_as_images_keep_their_shape():
    class ImageSampler(BaseEstimator):
        def fit(self, X=None, y=None):
            self.fitted_ = True
            return self

        def sample(self, n_samples, random_state=None):
            return np.random.RandomState(random_state).uniform(size=(n_samples, 3, 5))

    display = SampleDisplay.from_estimator(ImageSampler().fit(), n_samples=4, random_state=0)
    assert display.image_shape == (3, 5) and len(display.images_) == 4


# -- one image convention: (channels, height, width), as the estimators use it --------------------

def _cell_size(image):
    """Width and height, in data units, of the cell an AxesImage fills."""
    left, right, bottom, top = image.get_extent()
    return abs(right - left), abs(top - bottom)


def _drawn_size(image):
    """Width and height, in screen pixels, of an AxesImage once its figure is drawn."""
    image.axes.figure.canvas.draw()
    left, right, bottom, top = image.get_extent()
    (x0, y0), (x1, y1) = image.axes.transData.transform([(left, bottom), (right, top)])
    return abs(x1 - x0), abs(y1 - y0)


@pytest.fixture(scope="module")
def conv_vae(digits):
    from skae import VariationalAutoencoder

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return VariationalAutoencoder(latent_dim=2, image_shape=(1, 8, 8), hidden_layer_sizes=(4,),
                                      max_iter=2, random_state=0).fit(digits[0][:200])


def test_channels_first_image_shape_draws_square_digits(conv_vae, digits):
    # image_shape=(1, 8, 8) once drew each digit as an 8 x 1 strip (it took image_shape[:2]).
    X = digits[0][:20]
    reconstruction = ReconstructionDisplay.from_estimator(conv_vae, X, n_images=4)
    samples = SampleDisplay.from_estimator(conv_vae, n_samples=4, random_state=0)
    manifold = ManifoldDisplay.from_estimator(conv_vae, X, n_per_side=3)
    for display in (reconstruction, samples, manifold):
        for image in display.images_:
            assert image.get_array().shape == (8, 8)
        width, height = _drawn_size(display.images_[0])
        assert width == pytest.approx(height, rel=0.01)
    np.testing.assert_allclose(reconstruction.images_[1].get_array(), X[1].reshape(8, 8))
    # Cells of the pixel grids stand side by side without overlapping.
    left = [image.get_extent()[0] for image in samples.images_[:2]]
    assert left[1] - left[0] > _cell_size(samples.images_[0])[0]


def test_colour_images_are_drawn_as_rgb():
    # Three channels, channels first: red, green and blue planes of a 2 x 3 image.
    image = np.zeros((3, 2, 3))
    image[0, 0, 0] = image[1, 0, 1] = image[2, 1, 2] = 1.0
    samples = np.stack([image.ravel(), 0.5 * image.ravel()])
    display = SampleDisplay(samples, image_shape=(3, 2, 3)).plot()
    drawn = np.asarray(display.images_[0].get_array())
    assert drawn.shape == (2, 3, 3)
    np.testing.assert_allclose(drawn, np.moveaxis(image, 0, -1))
    assert _cell_size(display.images_[0]) == pytest.approx((3, 2))
    # (H, W) is one grey channel; channel counts that are not grey, RGB or RGBA are refused.
    assert SampleDisplay(samples[:, :6], image_shape=(2, 3)).plot().images_[0].get_array().shape \
        == (2, 3)
    with pytest.raises(ValueError, match=r"image_shape=\(2, 3, 3\) has 2 channels"):
        SampleDisplay(np.zeros((2, 18)), image_shape=(2, 3, 3)).plot()


def test_displays_refuse_what_they_would_draw_wrongly(ae8, digits):
    """A transposed or cut reconstruction, a bad max_samples, labels that are not outlier
    marks, scores with nothing finite: named errors, not a misleading figure."""
    X = digits[0][:100]
    for bad in (X.T, X[:50]):
        with pytest.raises(ValueError, match="one reconstruction per row of X: X has shape "
                                             r"\(100, 64\)"):
            ReconstructionDisplay.from_predictions(X, bad)
    for value in (-1, 0, 2.5, True):
        with pytest.raises(ValueError, match="max_samples must be a positive int"):
            LatentSpaceDisplay.from_estimator(ae8, X, max_samples=value)
    for marks in (digits[1][:100], np.array(["in", "out"] * 50)):
        with pytest.raises(ValueError, match="y_is_outlier must be bools, 0 / 1"):
            AnomalyScoreDisplay.from_estimator(ae8, X, marks)
    outliers = np.arange(10) < 3
    with pytest.raises(ValueError, match="no finite value"):
        AnomalyScoreDisplay(np.full(10, np.nan), outliers).plot()
    with pytest.raises(ValueError, match="threshold must be finite"):
        AnomalyScoreDisplay(np.arange(10.0), outliers, threshold=np.nan).plot()
    with pytest.raises(ValueError, match="bins must be a positive int"):
        AnomalyScoreDisplay(np.arange(10.0), outliers).plot(bins=0)
    # What it accepts: bools, 0 / 1 (ints or floats), predict's -1 / 1 and an object column
    # of bools mark the same samples.
    rates = set()
    for marks in (outliers, outliers.astype(int), outliers.astype(float),
                  np.where(outliers, -1, 1), outliers.astype(object)):
        shown = AnomalyScoreDisplay(np.arange(10.0)[::-1], marks, threshold=6.5).plot()
        rates.add((shown.detection_rate_, shown.false_alarm_rate_))
    assert rates == {(1.0, 0.0)}


def test_reconstruction_display_flags_a_constant_feature_it_misses():
    """A constant feature has no variance to divide by: reconstructed badly it showed an
    error of 0, the best bar of the plot; now inf, drawn in red, and named in the title."""
    X = np.random.RandomState(0).rand(50, 4)
    X[:, 0], X[:, 1] = 0.0, 5.0
    X_rec = X + 0.1 * np.random.RandomState(1).randn(50, 4)
    X_rec[:, 1] = 5.0 + 1e-6  # float32 round-off on a reconstructed constant: not a miss
    display = ReconstructionDisplay(X, X_rec).plot()
    assert np.isinf(display.feature_errors_[0]) and display.feature_errors_[1] == 0
    assert np.all(np.isfinite([bar.get_height() for bar in display.bars_]))
    assert "1 constant feature missed" in display.ax_.get_title()
