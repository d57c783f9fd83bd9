"""Clustering in an autoencoder's latent space, refined for clustering (DEC / IDEC)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import TorchEstimatorMixin
from ._bridge import as_tensor, map_batches
from ._compat import HasMethods, Interval, _fit_context
from ._refine import fit_autoencoder, refinement_start
from ._validation import validate_X
from .nn.clustering import ClusteringModel, ClusteringObjective, TargetRefresh, target_for


class DeepEmbeddedClustering(TorchEstimatorMixin, ClusterMixin, BaseEstimator):
    """Deep embedded clustering: k-means in a latent space, then the encoder refined for it.

    1. The autoencoder is fit on ``X``.
    2. k-means on its codes gives ``n_clusters`` initial centres.
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
        ``AutoencoderTransformer()``. Any skae variant works.
    n_clusters : int, default=8
        Number of clusters.
    reconstruction_weight : float, default=1.0
        Weight of the autoencoder's loss during refinement; 0 gives DEC, positive IDEC.
        (IDEC's ``gamma = 0.1`` on the clustering loss is ``reconstruction_weight=10`` with
        a ten times larger learning rate.)
    degrees_of_freedom : float, default=1.0
        Of the Student-t kernel of the soft assignments.
    update_interval : int, default=1
        Epochs between refreshes of the target distribution.
    tol : float, default=1e-3
        Stop when the fraction of samples changing cluster falls below it.
    max_iter : int, default=30
        Maximum epochs of refinement; 0 keeps the k-means clusters of the autoencoder.
    batch_size : int, default=256
    learning_rate_init : float, default=1e-3
        Adam's learning rate during refinement.
    n_init : int, default=10
        Runs of k-means for the initial centres.
    random_state : int, RandomState instance or None, default=None
        Seeds k-means, the batch order, and the autoencoder when its own
        ``random_state`` is None.
    verbose : int, default=0
        ``1`` shows a progress bar of the refinement.

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
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, n_clusters=8, *, reconstruction_weight=1.0,
                 degrees_of_freedom=1.0, update_interval=1, tol=1e-3, max_iter=30,
                 batch_size=256, learning_rate_init=1e-3, n_init=10, random_state=None,
                 verbose=0):
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
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder, initialise the centres with k-means, refine.

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
        rng = check_random_state(self.random_state)
        self.estimator_ = fit_autoencoder(self.estimator, X, "estimator", rng)
        kmeans = KMeans(self.n_clusters, n_init=self.n_init,
                        random_state=rng.randint(2**31 - 1)).fit(self.estimator_.transform(X))

        autoencoder, device, ae_objective = refinement_start(self.estimator_)
        model = ClusteringModel(autoencoder, kmeans.cluster_centers_,
                                self.degrees_of_freedom).to(device)
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

    def _rebuild_module(self):
        """An untrained module of the fitted architecture, for ``skae.load``: the fitted
        autoencoder's rebuilt module with ``n_clusters`` centres in its latent space."""
        return ClusteringModel(self.estimator_._rebuild_module(),
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
