"""Latent clustering: AE + KMeans in a Pipeline, DEC / IDEC, and their torch pieces."""

import joblib
import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline

from skae import AutoencoderTransformer, DeepEmbeddedClustering, config_context
from skae.metrics import clustering_accuracy
from skae.nn.clustering import kl_divergence, soft_assignment, target_distribution

# The autoencoders and refinements here train a few epochs, enough for what each test
# checks: stopping at max_iter is expected, and its warning would only repeat that.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.* reached max_iter=:sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def frozen_ae(digits):
    X = digits[0]
    ae = AutoencoderTransformer(latent_dim=10, hidden_layer_sizes=(256, 64), max_iter=200,
                                random_state=0)
    return FrozenEstimator(ae.fit(X))


@pytest.fixture(scope="module")
def raw_accuracy(digits):
    """Accuracy of k-means on the raw pixels: the baseline the deep methods must beat."""
    X, y = digits
    return clustering_accuracy(y, KMeans(10, n_init=10, random_state=0).fit_predict(X))


# -- the torch pieces, by hand -----------------------------------------------------------


def test_soft_assignment_by_hand():
    z = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    centers = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    q = soft_assignment(z, centers)
    # Sample 0: distances^2 0 and 1 -> kernels 1 and 1/2 -> q = (2/3, 1/3).
    # Sample 1: distances^2 2 and 1 -> kernels 1/3 and 1/2 -> q = (2/5, 3/5).
    torch.testing.assert_close(q, torch.tensor([[2 / 3, 1 / 3], [2 / 5, 3 / 5]]))


def test_target_distribution_sharpens():
    q = torch.tensor([[0.6, 0.4], [0.3, 0.7]])
    p = target_distribution(q)
    # p_ij ∝ q_ij^2 / f_j with f = (0.9, 1.1).
    w = q.pow(2) / torch.tensor([0.9, 1.1])
    torch.testing.assert_close(p, w / w.sum(dim=1, keepdim=True))
    assert p[0, 0] > q[0, 0] and p[1, 1] > q[1, 1]


def test_kl_divergence():
    p = torch.tensor([[0.5, 0.5]])
    assert kl_divergence(p, p).item() == pytest.approx(0.0, abs=1e-6)
    q = torch.tensor([[0.25, 0.75]])
    expected = 0.5 * np.log(0.5 / 0.25) + 0.5 * np.log(0.5 / 0.75)
    assert kl_divergence(p, q).item() == pytest.approx(expected, rel=1e-5)


# -- the estimators ------------------------------------------------------------------------


def test_pipeline_with_kmeans_fit_predict(digits):
    X, y = digits
    pipe = Pipeline([("ae", AutoencoderTransformer(latent_dim=10, hidden_layer_sizes=(64,),
                                                   max_iter=30, random_state=0)),
                     ("kmeans", KMeans(10, n_init=3, random_state=0))])
    labels = pipe.fit_predict(X)
    assert labels.shape == (len(X),) and len(np.unique(labels)) == 10
    assert clustering_accuracy(y, labels) > 0.5


def test_dec_beats_kmeans_on_raw_pixels(digits, frozen_ae, raw_accuracy):
    X, y = digits
    dec = DeepEmbeddedClustering(frozen_ae, n_clusters=10, max_iter=100, random_state=0)
    labels = dec.fit_predict(X)
    assert clustering_accuracy(y, labels) > raw_accuracy + 0.01
    np.testing.assert_array_equal(labels, dec.labels_)
    np.testing.assert_array_equal(dec.predict(X), dec.labels_)
    assert dec.cluster_centers_.shape == (10, 10)


def test_no_refinement_is_kmeans_on_the_codes(digits, frozen_ae):
    X = digits[0]
    dec = DeepEmbeddedClustering(frozen_ae, n_clusters=10, max_iter=0, init="k-means",
                                 random_state=0).fit(X)
    kmeans = KMeans(10, n_init=10, random_state=0).fit(frozen_ae.transform(X))
    assert dec.n_iter_ == 0
    assert adjusted_rand_score(kmeans.labels_, dec.labels_) > 0.95


def test_manifold_init_starts_from_the_mixture_components(digits, frozen_ae):
    """init="manifold": each centre is the responsibility-weighted mean code of one
    component of LatentClustering on the same codes (k-means on the codes capped DEC at
    0.824 on MNIST-70k, this start reached 0.969)."""
    from skae import LatentClustering

    X = digits[0][:600]
    dec = DeepEmbeddedClustering(frozen_ae, n_clusters=10, max_iter=0, init="manifold",
                                 random_state=0).fit(X)
    # The estimator's generator draws the clustering's seed first (a frozen autoencoder
    # takes none).
    seed = int(np.random.RandomState(0).randint(2**31 - 1))
    manifold = LatentClustering(frozen_ae, 10, random_state=seed).fit(X)
    resp = manifold.predict_proba(X)
    expected = resp.T @ frozen_ae.transform(X) / resp.sum(axis=0)[:, None]
    np.testing.assert_allclose(dec.cluster_centers_, expected, rtol=1e-5, atol=1e-5)
    kmeans = DeepEmbeddedClustering(frozen_ae, n_clusters=10, max_iter=0, init="k-means",
                                    random_state=0).fit(X)
    assert not np.allclose(np.sort(dec.cluster_centers_, axis=0),
                           np.sort(kmeans.cluster_centers_, axis=0), atol=1e-3)


def test_refinement_tightens_the_clusters(digits):
    X = digits[0]
    # The textbook codes (no neighbour-graph term) and start (k-means): the features
    # recipe's codes and the manifold start are already tight clusters, so there
    # refinement has less confidence left to add.
    frozen_ae = FrozenEstimator(AutoencoderTransformer(
        latent_dim=10, hidden_layer_sizes=(256, 64), manifold_weight=0, max_iter=100,
        random_state=0).fit(X))

    def confidence(dec):
        with torch.no_grad():
            return dec.module_(torch.as_tensor(X)).max(dim=1).values.mean().item()

    make = lambda n: DeepEmbeddedClustering(frozen_ae, n_clusters=10, max_iter=n,  # noqa: E731
                                            tol=0.0, init="k-means", random_state=0).fit(X)
    start, refined = make(0), make(20)
    assert refined.n_iter_ == 20
    assert "train_reconstruction" in refined.history_[0]
    # The sharpened targets pull codes toward their centres: assignments get confident.
    assert confidence(refined) > confidence(start) + 0.05


def test_stops_when_assignments_settle(digits, frozen_ae):
    X = digits[0]
    # The stopping rule, whatever the start: the k-means one costs no UMAP.
    dec = DeepEmbeddedClustering(frozen_ae, n_clusters=10, max_iter=50, tol=1.0,
                                 reconstruction_weight=0.0, init="k-means",
                                 random_state=0).fit(X)
    # The second refresh sees < 100% changes and stops after that epoch.
    assert dec.n_iter_ == 2
    assert "train_reconstruction" not in dec.history_[0]


def test_reproducible_and_joblib(digits, frozen_ae, tmp_path):
    X = digits[0]
    make = lambda: DeepEmbeddedClustering(frozen_ae, n_clusters=5, max_iter=3,  # noqa: E731
                                          random_state=0)
    # Exact repeats need one thread count (the thread policy's docs): under "auto" the two
    # fits may run on different counts when the load moves between them.
    with config_context(n_threads=1):
        a, b = make().fit(X), make().fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    joblib.dump(a, tmp_path / "dec.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "dec.joblib").predict(X), a.labels_)


def test_too_many_clusters(digits):
    X = digits[0][:5]
    with pytest.raises(ValueError, match="n_clusters=10 must be at most"):
        DeepEmbeddedClustering(n_clusters=10).fit(X)


def test_n2d_recipe_as_a_pipeline(digits, frozen_ae, raw_accuracy):
    """Autoencoder -> UMAP -> Gaussian mixture (N2D), with the optional umap-learn."""
    umap = pytest.importorskip("umap")
    from sklearn.mixture import GaussianMixture

    X, y = digits
    pipe = Pipeline([("ae", frozen_ae),
                     ("umap", umap.UMAP(n_components=5, n_neighbors=20, min_dist=0.0,
                                        random_state=0, n_jobs=1)),
                     ("gmm", GaussianMixture(10, random_state=0))])
    labels = pipe.fit_predict(X)
    assert clustering_accuracy(y, labels) > raw_accuracy


# -- LatentClustering: the N2D recipe as an estimator --------------------------------------


@pytest.fixture(scope="module")
def latent_clustering(digits, frozen_ae):
    from skae import LatentClustering

    return LatentClustering(frozen_ae, n_clusters=10, random_state=0).fit(digits[0])


def test_latent_clustering_beats_kmeans_on_raw_pixels(digits, latent_clustering, raw_accuracy):
    X, y = digits
    assert clustering_accuracy(y, latent_clustering.labels_) > raw_accuracy + 0.03
    # N2D's defaults: a UMAP embedding with as many dimensions as clusters.
    assert latent_clustering.embedding_.shape == (len(X), 10)
    assert latent_clustering.manifold_.min_dist == 0.0


def test_latent_clustering_predicts_row_by_row(digits, latent_clustering):
    X = digits[0]
    # A training row lands on its own embedding, so predict agrees with labels_.
    np.testing.assert_array_equal(latent_clustering.predict(X), latent_clustering.labels_)
    # A row's cluster does not depend on the rest of the batch.
    new = X[:40] + 0.02
    together = latent_clustering.predict(new)
    alone = np.concatenate([latent_clustering.predict(new[i:i + 1]) for i in range(40)])
    np.testing.assert_array_equal(together, alone)
    proba = latent_clustering.predict_proba(new)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_latent_clustering_reproducible_and_joblib(digits, frozen_ae, latent_clustering,
                                                   tmp_path):
    from skae import LatentClustering

    X = digits[0]
    again = LatentClustering(frozen_ae, n_clusters=10, random_state=0).fit(X)
    np.testing.assert_array_equal(again.labels_, latent_clustering.labels_)
    joblib.dump(again, tmp_path / "n2d.joblib")
    loaded = joblib.load(tmp_path / "n2d.joblib")
    np.testing.assert_array_equal(loaded.predict(X[:50]), again.predict(X[:50]))


def test_latent_clustering_parameters(digits):
    from skae import LatentClustering

    X = digits[0]
    with pytest.raises(ValueError, match="n_clusters=20 must be at most"):
        LatentClustering(n_clusters=20).fit(X[:10])
    with pytest.raises(ValueError, match="n_neighbors"):
        LatentClustering(n_neighbors=1).fit(X[:10])


def test_manifold_step_on_very_few_samples(digits, frozen_ae):
    """UMAP's spectral start needs n_components + 1 < n_samples: fewer start at random
    (three samples, or as many components as samples, cluster); below three samples the
    error names the manifold step, whichever estimator called it."""
    from skae import LatentClustering, ManifoldLabelSpreading

    X = digits[0]
    assert LatentClustering(frozen_ae, n_clusters=2, random_state=0).fit(X[:3]).labels_.shape \
        == (3,)
    few = LatentClustering(frozen_ae, n_clusters=2, n_components=9, random_state=0).fit(X[:10])
    assert few.embedding_.shape == (10, 9)
    for fit in (lambda: LatentClustering(frozen_ae, n_clusters=2).fit(X[:2]),
                lambda: DeepEmbeddedClustering(frozen_ae, n_clusters=1).fit(X[:1]),
                lambda: ManifoldLabelSpreading(frozen_ae).fit(X[:2], [0, 1])):
        with pytest.raises(ValueError, match=r"the manifold step \(UMAP\) needs at least 3"
                           ) as err:
            fit()
        assert "LatentClustering" not in str(err.value)


def test_latent_clustering_leaves_torch_threads_alone(digits, frozen_ae):
    # umap-learn's numba shares torch's OpenMP runtime and resets its thread count.
    import torch

    from skae import LatentClustering

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        LatentClustering(frozen_ae, n_clusters=10, random_state=None).fit(digits[0][:300])
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_clustering_estimators_fit_the_shared_default_autoencoder(digits):
    # DEC / IDEC code 10 clusters in 10 dimensions (the default used to be a 2-D code).
    # Both clustering estimators fit that one default when given no autoencoder.
    from skae.cluster import LatentClustering, clustering_autoencoder

    X = digits[0][:60]
    expected = clustering_autoencoder(3, X.shape[1]).get_params()
    assert expected["latent_dim"] == 3
    del expected["random_state"]
    dec = DeepEmbeddedClustering(n_clusters=3, max_iter=1, random_state=0).fit(X)
    assert dec.cluster_centers_.shape == (3, 3)
    for est in (dec, LatentClustering(n_clusters=3, random_state=0).fit(X)):
        params = est.estimator_.get_params()
        del params["random_state"]
        assert params == expected
    assert clustering_autoencoder(1, 64).latent_dim == 2


def test_default_clustering_autoencoder_is_wider_on_wide_input():
    # Twice the default hidden widths won LatentClustering's accuracy on MNIST (784
    # features) and lost it on the 8 x 8 digits (64): wide input gets the wider layers.
    from skae.cluster import clustering_autoencoder

    default = AutoencoderTransformer().hidden_layer_sizes
    assert clustering_autoencoder(10, 64).get_params() == AutoencoderTransformer(
        latent_dim=10).get_params()
    assert clustering_autoencoder(10, 255).hidden_layer_sizes == default
    for n_features in (256, 784):
        ae = clustering_autoencoder(10, n_features)
        assert ae.hidden_layer_sizes == tuple(2 * h for h in default) == (256, 128, 32)
        assert ae.get_params() == AutoencoderTransformer(
            latent_dim=10, hidden_layer_sizes=(256, 128, 32)).get_params()


def test_pandas_output_reaches_no_internal_step(digits):
    """With pandas output asked for (globally, or by the autoencoder's set_output, which
    clone keeps), DEC's manifold start crashed in pandas indexing and LatentClustering's
    predict warned of feature names at every call: skae reads the codes as arrays inside,
    and its own results do not change."""
    import warnings

    import sklearn
    from sklearn.base import clone

    from skae import LatentClustering

    X = digits[0][:200]
    ae = AutoencoderTransformer(latent_dim=3, hidden_layer_sizes=(16,), max_iter=5,
                                random_state=0)
    plain = DeepEmbeddedClustering(ae, n_clusters=4, max_iter=2, random_state=0).fit(X)
    with sklearn.config_context(transform_output="pandas"):
        dec = DeepEmbeddedClustering(ae, n_clusters=4, max_iter=2, random_state=0).fit(X)
    np.testing.assert_array_equal(dec.labels_, plain.labels_)
    dec = DeepEmbeddedClustering(clone(ae).set_output(transform="pandas"), n_clusters=4,
                                 max_iter=2, random_state=0).fit(X)
    np.testing.assert_array_equal(dec.labels_, plain.labels_)
    clustering = LatentClustering(ae, n_clusters=4, random_state=0).fit(X)
    clustering.set_output(transform="pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(clustering.predict(X), clustering.labels_)
        assert clustering.predict_proba(X).shape == (200, 4)
    assert list(clustering.transform(X).columns) == list(clustering.get_feature_names_out())


def test_repeated_rows_share_a_cluster_and_labels_equal_predict(digits):
    """UMAP places identical rows apart, and the mixture could then split them while
    predict, through their identical codes, put them together (0.95 agreement on 12 rows
    repeated 10 times): they now share one place in embedding_."""
    from skae import LatentClustering

    X = np.repeat(digits[0][np.random.RandomState(0).choice(len(digits[0]), 12)], 10, axis=0)
    ae = AutoencoderTransformer(latent_dim=2, hidden_layer_sizes=(8,), max_iter=20,
                                random_state=0)
    clustering = LatentClustering(ae, n_clusters=5, random_state=0).fit(X)
    np.testing.assert_array_equal(clustering.labels_, clustering.predict(X))
    assert all(len(set(clustering.labels_[i:i + 10])) == 1 for i in range(0, 120, 10))
    assert len(np.unique(clustering.embedding_, axis=0)) == 12


def test_a_non_autoencoder_is_refused_before_it_is_fit(digits):
    """A PCA or a pipeline as the autoencoder was fit (on MNIST, minutes) before the refusal."""
    from sklearn.decomposition import PCA

    class CountingPCA(PCA):
        fits = 0

        def fit(self, X, y=None):
            CountingPCA.fits += 1
            return super().fit(X, y)

    with pytest.raises(TypeError, match="must be a skae autoencoder"):
        DeepEmbeddedClustering(CountingPCA(2), n_clusters=3).fit(digits[0][:50])
    assert CountingPCA.fits == 0
