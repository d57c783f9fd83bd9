"""Outlier detection by reconstruction error: an autoencoder fit on normal data only."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._refine import fit_autoencoder
from ._validation import validate_X


class AutoencoderOutlierDetector(OutlierMixin, BaseEstimator):
    """Flag samples that an autoencoder trained on normal data reconstructs badly.

    Fit on normal samples only. The score of a sample is the autoencoder's
    ``score_samples`` (for ``AutoencoderTransformer``, the negative reconstruction
    error), so higher means more normal, as for ``IsolationForest``. Any skae
    autoencoder variant can be passed as ``estimator``; its own ``score_samples`` is used.

    Parameters
    ----------
    estimator : estimator object, default=None
        The autoencoder, cloned and fit on ``X``. ``None`` means
        ``AutoencoderTransformer()``. A ``sklearn.frozen.FrozenEstimator`` around a
        fitted autoencoder is used as it is.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Expected fraction of outliers in the training data; sets ``offset_`` as that
        quantile of the training scores. ``"auto"`` uses Tukey's fence instead: a sample
        is an outlier when its score falls more than 1.5 interquartile ranges below the
        first quartile of the training scores.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted autoencoder.
    offset_ : float
        The threshold: ``decision_function = score_samples - offset_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : The same conventions, with trees.

    Examples
    --------
    >>> from skae import AutoencoderOutlierDetector, AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits()
    >>> ae = AutoencoderTransformer(latent_dim=4, hidden_layer_sizes=(32,), max_iter=20,
    ...                             random_state=0)
    >>> detector = AutoencoderOutlierDetector(ae, contamination=0.05).fit(X[y == 0])
    >>> detector.predict(X[:5]).tolist()   # digits 0 to 4: only the 0 is normal
    [1, -1, -1, -1, -1]
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "transform"]), None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
    }

    def __init__(self, estimator=None, *, contamination="auto"):
        self.estimator = estimator
        self.contamination = contamination

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder on ``X`` (normal data) and set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, assumed normal (or with about ``contamination`` outliers).
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X = validate_X(self, X, reset=True)
        self.estimator_ = fit_autoencoder(self.estimator, X, "estimator")
        scores = self.estimator_.score_samples(X)
        if self.contamination == "auto":
            q1, q3 = np.percentile(scores, [25, 75])
            self.offset_ = float(q1 - 1.5 * (q3 - q1))
        else:
            self.offset_ = float(np.percentile(scores, 100.0 * self.contamination))
        return self

    def score_samples(self, X):
        """Normality of each sample: the autoencoder's score, higher is more normal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False)
        return np.asarray(self.estimator_.score_samples(X), dtype=np.float64)

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """``+1`` for inliers, ``-1`` for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        is_inlier : ndarray of shape (n_samples,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)
