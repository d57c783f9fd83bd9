"""Clustering in an autoencoder's latent space: refined for clustering (DEC / IDEC), or on the
manifold of its codes (autoencoder, UMAP, Gaussian mixture: N2D)."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.cluster import KMeans
from sklearn.frozen import FrozenEstimator
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KNeighborsRegressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import TorchEstimatorMixin
from ._bridge import as_tensor, map_batches
from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._refine import codes_of, fit_autoencoder, refinement_start
from ._threads import torch_threads_kept
from ._validation import validate_X
from .autoencoder import AutoencoderTransformer
from .nn.clustering import ClusteringModel, ClusteringObjective, TargetRefresh, target_for


# Input widths from which the clustering estimators' default autoencoder is the wider one.
_WIDE_FROM_N_FEATURES = 256


def clustering_autoencoder(n_clusters, n_features):
    """The autoencoder the clustering estimators fit when their ``estimator`` is None.

    ``AutoencoderTransformer(latent_dim=n_clusters)``, as many code units as clusters (at
    least 2), as DEC, IDEC and N2D have. On wide input (``n_features`` from 256 on, so
    that the first hidden layer still compresses) the hidden layers are twice the width of
    ``AutoencoderTransformer``'s default (128, 64, 16): (256, 128, 32), nearer the
    published recipes' d-500-500-2000 at a CPU's cost.

    Measured with ``LatentClustering`` (dev seeds, never the benchmark's; one thread):

    - MNIST's 60,000 training images (784 features, 20 epochs, seeds 5-8): accuracy
      0.9699 / 0.9691 / 0.9678 / 0.9692 with (256, 128, 32), 0.9645 / 0.9681 / 0.9617 /
      0.9675 with (128, 64, 16), at about 1.4x the fit's time (570-620 s against 420-430
      s, two such fits at a time on two cores);
    - 5,000 of those images (seeds 5-7, default ``max_iter``): 0.814 against 0.809;
    - the bundled digits (1,797 rows, 64 features, seeds 5-16): 0.913 against 0.933.

    The wider layers pay on wide input whatever the number of rows, and cost accuracy on
    narrow input, where even 128 units expand the row. ``DeepEmbeddedClustering`` (which
    starts from ``LatentClustering``'s clusters) and ``ManifoldLabelSpreading`` (which
    spreads labels over its graph) take the same default.

    Parameters
    ----------
    n_clusters : int
        Number of clusters.
    n_features : int
        Number of features of the data the autoencoder will be fit on.

    Returns
    -------
    estimator : AutoencoderTransformer
        Unfitted.

    See Also
    --------
    LatentClustering : Clusters on the manifold of the codes (N2D).
    DeepEmbeddedClustering : Clusters, then the encoder refined for them (DEC / IDEC).

    Examples
    --------
    The default, to fit once and share as a ``FrozenEstimator`` between
    ``LatentClustering`` and ``DeepEmbeddedClustering``, or to change before use:

    >>> from skae.cluster import clustering_autoencoder
    >>> clustering_autoencoder(10, n_features=784).hidden_layer_sizes
    (256, 128, 32)
    >>> clustering_autoencoder(10, n_features=64).hidden_layer_sizes
    (128, 64, 16)
    """
    ae = AutoencoderTransformer(latent_dim=max(n_clusters, 2))
    if n_features >= _WIDE_FROM_N_FEATURES:
        ae.set_params(hidden_layer_sizes=tuple(2 * h for h in ae.hidden_layer_sizes))
    return ae


class DeepEmbeddedClustering(TorchEstimatorMixin, ClusterMixin, BaseEstimator):
    """Deep embedded clustering: clusters in a latent space, then the encoder refined for them.

    1. The autoencoder is fit on ``X``.
    2. The initial centres: the mean codes of the clusters ``LatentClustering`` finds on
       the manifold of the codes (``init="manifold"``), or k-means on the codes
       (``init="k-means"``, DEC's).
    3. Encoder and centres are trained to minimise ``KL(P || Q)``, where ``Q`` holds the
       Student-t soft assignments of the codes to the centres and ``P`` is a sharpened
       copy of ``Q`` (recomputed every ``update_interval`` epochs), so confident
       assignments pull the codes toward their centres (DEC, Xie et al. 2016). With
       ``reconstruction_weight > 0`` the autoencoder's own loss is kept, weighted, so the
       latent space keeps the structure of the data (IDEC, Guo et al. 2017).

    Training stops when fewer than ``tol`` of the samples change cluster between two
    target refreshes, or after ``max_iter`` epochs.

    Parameters
    ----------
    estimator : estimator object, default=None
        The autoencoder, cloned and fit on ``X``. ``None`` means
        ``clustering_autoencoder(n_clusters, n_features)``:
        ``AutoencoderTransformer(latent_dim=n_clusters)`` (at least 2 code units: DEC and
        IDEC code 10 clusters in 10 dimensions, as ``LatentClustering`` does), with hidden
        layers (256, 128, 32) from 256 features on. Any skae variant works.
    n_clusters : int, default=8
        Number of clusters.
    reconstruction_weight : float, default=1.0
        Weight of the autoencoder's loss during refinement (its own training objective,
        masking noise included where its ``noise`` gives one); 0 gives DEC, positive IDEC.
        (IDEC's ``gamma = 0.1`` on the clustering loss is ``reconstruction_weight=10`` with
        a ten times larger learning rate.)
    degrees_of_freedom : float, default=1.0
        Of the Student-t kernel of the soft assignments.
    update_interval : int, default=1
        Epochs between refreshes of the target distribution.
    tol : float, default=1e-3
        Stop when the fraction of samples changing cluster falls below it.
    max_iter : int, default=30
        Maximum epochs of refinement; 0 keeps the initial centres (``init``), each
        sample then in the cluster of its nearest centre (with ``init="manifold"`` the
        centres are the mixture components' mean codes, so a few samples may differ from
        the mixture's own clusters).
    batch_size : int, default=256
    learning_rate_init : float, default=1e-3
        Adam's learning rate during refinement.
    n_init : int, default=10
        Runs of k-means for the initial centres (``init="k-means"``).
    init : {"manifold", "k-means"}, default="manifold"
        Where the refinement starts. ``"manifold"``: ``LatentClustering(n_clusters)`` on
        the fitted autoencoder's codes (UMAP of the codes, a Gaussian mixture on the
        embedding: N2D), each centre the responsibility-weighted mean code of one mixture
        component; the refinement then goes on as usual. ``"k-means"``: k-means on the
        codes (DEC and IDEC's start). On all 70,000 MNIST images (one
        ``AutoencoderTransformer(latent_dim=10, max_iter=20)`` without masking noise, the
        default on images then, seed 0, the refinement
        with the defaults) ``"k-means"`` ends at 0.824 accuracy (NMI 0.880), where its
        k-means start caps it; ``"manifold"`` at 0.969 (NMI 0.920; the mixture alone
        0.969) after 12 epochs instead of 15, in 165 CPU-seconds against 51 (the UMAP is
        most of the difference). Starting also from the mixture's sharpened
        responsibilities as the first target ``P`` gave the same (0.970). On the bundled
        digits (``benchmarks/features.py``, seeds 0-2, codes trained without masking noise)
        the manifold start cost accuracy: 0.916 against 0.943, as ``LatentClustering``
        (0.925) was there below k-means on the same codes (0.943); with masking (the
        current default) DEC gives 0.940, ``LatentClustering`` 0.939 and k-means on the
        codes 0.924 (2026-12-02). The default follows the larger data, where k-means on
        the codes is the weak step. ``"manifold"`` needs umap-learn and at least 3 samples.
    random_state : int, RandomState instance or None, default=None
        Seeds k-means (or UMAP and the mixture), the batch order, and the autoencoder when
        its own ``random_state`` is None.
    verbose : int, default=0
        ``1`` shows a progress bar of the refinement, and of the default autoencoder's fit
        (``estimator=None``; a given estimator keeps its own ``verbose``).

    Attributes
    ----------
    estimator_ : estimator object
        The autoencoder as fit before refinement.
    module_ : torch.nn.Module
        The refined ``ClusteringModel`` (``autoencoder`` and ``centers``).
    cluster_centers_ : ndarray of shape (n_clusters, latent_dim)
        Centres in the refined latent space.
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample.
    n_iter_ : int
        Epochs of refinement run.
    history_ : list of dict
        One dict per epoch of refinement, each loss term apart.
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    sklearn.cluster.KMeans : ``Pipeline([AutoencoderTransformer(), KMeans()])`` is the
        unrefined baseline.

    Examples
    --------
    >>> from skae import AutoencoderTransformer, DeepEmbeddedClustering
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits()
    >>> ae = AutoencoderTransformer(latent_dim=10, hidden_layer_sizes=(64,), max_iter=30,
    ...                             random_state=0)
    >>> dec = DeepEmbeddedClustering(ae, n_clusters=10, max_iter=5, random_state=0)
    >>> labels = dec.fit_predict(X)
    >>> labels.shape, dec.cluster_centers_.shape
    ((1797,), (10, 10))
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "transform"]), None],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "degrees_of_freedom": [Interval(Real, 0, None, closed="neither")],
        "update_interval": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, 1, closed="both")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"manifold", "k-means"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, n_clusters=8, *, reconstruction_weight=1.0,
                 degrees_of_freedom=1.0, update_interval=1, tol=1e-3, max_iter=30,
                 batch_size=256, learning_rate_init=1e-3, n_init=10, init="manifold",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.n_clusters = n_clusters
        self.reconstruction_weight = reconstruction_weight
        self.degrees_of_freedom = degrees_of_freedom
        self.update_interval = update_interval
        self.tol = tol
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.n_init = n_init
        self.init = init
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder, initialise the centres (``init``), refine.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X = validate_X(self, X, reset=True)
        if X.shape[0] < self.n_clusters:
            raise ValueError(
                f"n_clusters={self.n_clusters} must be at most the number of samples, got "
                f"{X.shape[0]} samples."
            )
        if self.init == "manifold":
            _check_manifold_samples(X.shape[0], ' (init="manifold"); init="k-means" needs '
                                                "fewer")
        rng = check_random_state(self.random_state)
        estimator = self.estimator
        if estimator is None:
            estimator = clustering_autoencoder(self.n_clusters, X.shape[1]).set_params(
                verbose=self.verbose)
        self.estimator_ = fit_autoencoder(estimator, X, "estimator", rng)
        codes = codes_of(self.estimator_, X)
        if self.init == "manifold":
            centers = self._manifold_centers(X, codes, rng)
        else:
            centers = KMeans(self.n_clusters, n_init=self.n_init,
                             random_state=rng.randint(2**31 - 1)).fit(codes).cluster_centers_

        autoencoder, device, ae_objective = refinement_start(self.estimator_)
        model = ClusteringModel(autoencoder, centers, self.degrees_of_freedom).to(device)
        inputs = as_tensor(X, device)
        target = target_for(inputs, self.n_clusters)
        refresh = TargetRefresh(model, inputs, target, interval=self.update_interval,
                                tol=self.tol)
        _, history = self._train(
            model, ClusteringObjective(ae_objective, self.reconstruction_weight),
            (inputs, target), X=X, rng=rng, device=device, max_iter=self.max_iter,
            learning_rate=self.learning_rate_init, batch_size=self.batch_size,
            stopping=refresh,
        )
        self.module_ = model.eval()
        self.history_ = history
        self.n_iter_ = len(history)
        self.cluster_centers_ = model.centers.detach().cpu().numpy().astype(np.float64)
        self.labels_ = self._assign(X)
        return self

    def _manifold_centers(self, X, codes, rng):
        """Each centre the responsibility-weighted mean code of one component of
        ``LatentClustering`` on the fitted autoencoder's codes: k-means on the raw codes
        assumes spheres of equal size that MNIST's codes are not."""
        manifold = LatentClustering(FrozenEstimator(self.estimator_), self.n_clusters,
                                    random_state=int(rng.randint(2**31 - 1))).fit(X)
        responsibilities = manifold.mixture_.predict_proba(manifold.embedding_)
        weight = responsibilities.sum(axis=0)
        # A component with no mass keeps a code as its centre rather than dividing by 0.
        centers = (responsibilities.T @ codes) / np.maximum(weight, 1e-12)[:, None]
        empty = weight <= 1e-12
        centers[empty] = codes[rng.choice(codes.shape[0], int(empty.sum()), replace=False)]
        return centers

    def untrained_module(self):
        """A new, untrained torch module of the fitted architecture, for ``skae.load``:
        the fitted autoencoder's ``untrained_module()`` with ``n_clusters`` centres (zeros)
        in its latent space.

        Returns
        -------
        module : torch.nn.Module
        """
        check_is_fitted(self, ["estimator_", "cluster_centers_"])
        return ClusteringModel(self.estimator_.untrained_module(),
                               np.zeros_like(self.cluster_centers_),
                               self.degrees_of_freedom)

    def _assign(self, X):
        return np.argmax(map_batches(self.module_, X, lambda m, x: m(x)), axis=1)

    def predict(self, X):
        """The cluster of each sample: its most likely soft assignment.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False)
        return self._assign(X)


# UMAP's n_neighbors counts the sample itself and must be at least 2; skae caps it at
# n_samples - 1, so the manifold step needs 3 samples.
_UMAP_MIN_SAMPLES = 3


def _check_manifold_samples(n_samples, alternative=""):
    """Refuse data too small for UMAP, without naming an inner estimator: DEC and
    ManifoldLabelSpreading reach UMAP through LatentClustering."""
    if n_samples < _UMAP_MIN_SAMPLES:
        raise ValueError(
            f"X has {n_samples} samples; the manifold step (UMAP) needs at least "
            f"{_UMAP_MIN_SAMPLES}{alternative}."
        )


def _graph_neighbors(n_neighbors, n_samples, n_clusters):
    """UMAP's neighbours: at most ``n_samples - 1``, and half the rows a cluster holds on
    average (at least 2), so that on small data the graph does not join the clusters."""
    return min(max(min(n_neighbors, n_samples // (2 * n_clusters)), 2), n_samples - 1)


def _merge_repeated_rows(X, embedding):
    """``embedding`` with the rows of ``X`` that repeat one another at the mean of their
    places: the nearest-codes step of ``predict`` averages them, so the mixture labels them
    as ``predict`` will."""
    _, group = np.unique(X, axis=0, return_inverse=True)
    group = group.ravel()
    if group.max() + 1 == X.shape[0]:  # every row distinct (fit checks X has rows)
        return embedding
    sums = np.zeros((group.max() + 1, embedding.shape[1]))
    np.add.at(sums, group, embedding)
    return (sums / np.bincount(group)[:, None])[group]


def _umap_class():
    try:
        from umap import UMAP
    except ImportError as exc:  # pragma: no cover - umap-learn is a dependency
        raise ImportError(
            "LatentClustering needs umap-learn for its manifold step: pip install umap-learn"
        ) from exc
    return UMAP


class LatentClustering(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin,
                       BaseEstimator):
    """Clusters on the manifold of an autoencoder's codes: autoencoder, UMAP, Gaussian mixture.

    The N2D recipe ("Not Too Deep" clustering, McConville et al. 2020):

    1. The autoencoder is fit on ``X`` and encodes it.
    2. UMAP embeds the codes in ``n_components`` dimensions (``n_clusters`` by default),
       keeping each code's ``n_neighbors`` nearest neighbours close, with ``min_dist=0``
       so that clusters pack tightly.
    3. A Gaussian mixture of ``n_clusters`` components with full covariances is fit on
       that embedding; each sample's cluster is its most likely component.

    The autoencoder learns features that are local (what a neighbour is); UMAP finds the
    manifold those neighbours lie on; the mixture's components follow the clusters'
    shapes where k-means would assume spheres of equal size.

    Parameters
    ----------
    estimator : estimator object, default=None
        The autoencoder, cloned and fit on ``X``. ``None`` means
        ``clustering_autoencoder(n_clusters, n_features)``:
        ``AutoencoderTransformer(latent_dim=n_clusters)`` (N2D's code has as many units as
        clusters, at least 2), with hidden layers twice the default widths, (256, 128, 32),
        from 256 features on (they won on MNIST and lost on the 8 x 8 digits; see
        ``clustering_autoencoder``). A ``FrozenEstimator`` around a fitted autoencoder is
        used as it is. Any skae variant works.
    n_clusters : int, default=8
        Number of clusters (components of the mixture).
    n_components : int or None, default=None
        Dimension of the UMAP embedding; ``None`` means ``n_clusters`` (N2D).
    n_neighbors : int, default=20
        UMAP's neighbourhood size (N2D's value): larger keeps more global structure.
        Capped at ``n_samples - 1`` (so ``X`` needs at least 3 samples) and at half the
        samples a cluster holds on average (``n_samples // (2 * n_clusters)``, at least
        2), which binds on small data only (below 400 samples for 10 clusters at the
        default): a graph whose rows reach beyond their cluster joins
        the clusters (two blobs of 10 rows each, 19 neighbours: one component, and
        ``ManifoldLabelSpreading`` gave every row one class). UMAP starts from
        its spectral layout, or at random when ``X`` has fewer than ``n_components + 2``
        samples (the spectral layout cannot be computed then).
    min_dist : float, default=0.0
        UMAP's minimum distance between embedded points; 0 packs clusters tightly.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Of the Gaussian mixture.
    n_init : int, default=5
        Initialisations of the Gaussian mixture; the best likelihood is kept. One
        initialisation sometimes merges two clusters and splits another: on the embedding
        (codes trained without masking noise, the default on images then) of MNIST's 60,000
        training images (16-D codes) three single initialisations gave 0.819, 0.941 and
        0.939 accuracy, five (best likelihood of 5, two seeds) 0.959, for about 3
        CPU-seconds more; on digits (10-D codes, seeds 0-2) 0.889, 0.894, 0.881 with one and
        0.858, 0.947, 0.881 with five.
    random_state : int, RandomState instance or None, default=None
        Seeds the autoencoder when its own ``random_state`` is None, UMAP and the
        mixture. With an int, UMAP runs single-threaded so that one seed gives one result.
    verbose : int, default=0
        ``1`` shows a progress bar of the default autoencoder's fit (``estimator=None``);
        a given estimator keeps its own ``verbose``.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted autoencoder.
    manifold_ : umap.UMAP
        The fitted UMAP of the codes.
    mixture_ : sklearn.mixture.GaussianMixture
        The fitted mixture on the embedding.
    embedding_ : ndarray of shape (n_samples, n_components)
        The UMAP embedding of the training samples (rows repeated in ``X`` share the mean
        of their places).
    embedder_ : sklearn.neighbors.KNeighborsRegressor
        From codes to the embedding, for new samples (see Notes).
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.

    See Also
    --------
    DeepEmbeddedClustering : Refines the encoder itself for k-means-like clusters.

    Notes
    -----
    ``transform`` and ``predict`` place new samples by their codes' nearest training codes
    (the start of ``UMAP.transform``, without its optimisation): each sample's result is
    its own, whatever else is in the batch, and a training sample lands on its own
    embedding. UMAP may place rows repeated in ``X`` apart; they share the mean of their
    places in ``embedding_`` (where ``predict`` puts them too), so identical rows get
    one cluster and ``labels_`` equals ``predict(X)``.

    References
    ----------
    R. McConville, R. Santos-Rodriguez, R. J. Piechocki, I. Craddock. "N2D: (Not Too) Deep
    Clustering via Clustering the Local Manifold of an Autoencoded Embedding", ICPR 2020.

    Examples
    --------
    >>> from skae import AutoencoderTransformer, LatentClustering
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits()
    >>> ae = AutoencoderTransformer(latent_dim=10, hidden_layer_sizes=(64,), max_iter=30,
    ...                             random_state=0)
    >>> clustering = LatentClustering(ae, n_clusters=10, random_state=0)
    >>> labels = clustering.fit_predict(X)
    >>> labels.shape, clustering.embedding_.shape
    ((1797,), (1797, 10))
    >>> clustering.predict_proba(X[:3]).shape
    (3, 10)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "transform"]), None],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "n_neighbors": [Interval(Integral, 2, None, closed="left")],
        "min_dist": [Interval(Real, 0, None, closed="left")],
        "covariance_type": [StrOptions({"full", "tied", "diag", "spherical"})],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, n_clusters=8, *, n_components=None, n_neighbors=20,
                 min_dist=0.0, covariance_type="full", n_init=5, random_state=None,
                 verbose=0):
        self.estimator = estimator
        self.n_clusters = n_clusters
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.covariance_type = covariance_type
        self.n_init = n_init
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder, UMAP on its codes and the mixture on the embedding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X = validate_X(self, X, reset=True)
        n_samples = X.shape[0]
        _check_manifold_samples(n_samples)
        if n_samples < self.n_clusters:
            raise ValueError(
                f"n_clusters={self.n_clusters} must be at most the number of samples, got "
                f"{n_samples} samples."
            )
        rng = check_random_state(self.random_state)
        estimator = self.estimator
        if estimator is None:
            estimator = clustering_autoencoder(self.n_clusters, X.shape[1]).set_params(
                verbose=self.verbose)
        self.estimator_ = fit_autoencoder(estimator, X, "estimator", rng)
        codes = codes_of(self.estimator_, X)
        n_components = self.n_clusters if self.n_components is None else self.n_components
        # An int seed makes umap-learn run single-threaded and reproducible; a RandomState
        # or None leaves it free, as sklearn leaves n_jobs.
        seed = int(rng.randint(2**31 - 1))
        umap_seed = seed if self.random_state is not None else None
        with warnings.catch_warnings(), torch_threads_kept():
            # umap-learn warns that a seed turns its parallelism off: that is the point.
            warnings.filterwarnings("ignore", message=".*n_jobs.*", category=UserWarning)
            warnings.filterwarnings("ignore", message=".*spectral initialisation.*")
            self.manifold_ = _umap_class()(
                n_components=n_components, n_neighbors=_graph_neighbors(
                    self.n_neighbors, n_samples, self.n_clusters),
                min_dist=self.min_dist, random_state=umap_seed,
                n_jobs=1 if umap_seed is not None else -1,
                # The spectral start needs n_components + 1 eigenvectors of an
                # n_samples-square matrix: fewer samples start at random.
                init="spectral" if n_components + 1 < n_samples else "random",
            ).fit(codes)
        self.embedding_ = _merge_repeated_rows(
            X, np.asarray(self.manifold_.embedding_, dtype=np.float64))
        self.embedder_ = KNeighborsRegressor(
            min(self.n_neighbors, n_samples), weights="distance").fit(codes, self.embedding_)
        self.mixture_ = GaussianMixture(
            self.n_clusters, covariance_type=self.covariance_type, n_init=self.n_init,
            random_state=int(rng.randint(2**31 - 1)),
        ).fit(self.embedding_)
        self.labels_ = self.mixture_.predict(self.embedding_)
        self._n_features_out = n_components
        return self

    def transform(self, X):
        """Place the samples in the embedding: the distance-weighted mean of the embedding of
        their codes' ``n_neighbors`` nearest training codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        embedding : ndarray of shape (n_samples, n_components)
        """
        return self._embed(X)

    def _embed(self, X):
        """``transform``'s ndarray, whatever ``set_output`` asks of ``transform``: the
        mixture was fit on one."""
        check_is_fitted(self)
        X = validate_X(self, X, reset=False)
        # In the dtype of X, as every skae transformer answers.
        return self.embedder_.predict(codes_of(self.estimator_, X)).astype(X.dtype, copy=False)

    def predict_proba(self, X):
        """Posterior probability of each cluster for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters)
        """
        check_is_fitted(self)
        return self.mixture_.predict_proba(self._embed(X))

    def predict(self, X):
        """The cluster of each sample: its most likely mixture component.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.mixture_.predict(self._embed(X))
