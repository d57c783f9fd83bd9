"""Scores that scikit-learn does not have, for what skae's estimators learn."""

from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.validation import column_or_1d

__all__ = ["clustering_accuracy"]


def clustering_accuracy(y_true, y_pred):
    """Accuracy of a clustering under the best one-to-one map of clusters to classes.

    Cluster ids are arbitrary, so each cluster is given the class that maximises the number
    of samples whose cluster's class is their own, each class going to at most one cluster
    (the Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``). Samples of clusters
    left without a class count as errors.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The classes.
    y_pred : array-like of shape (n_samples,)
        The cluster ids.

    Returns
    -------
    accuracy : float
        The fraction of samples in the class matched to their cluster, in [0, 1].

    See Also
    --------
    sklearn.metrics.adjusted_rand_score : agreement of two clusterings, chance-adjusted.
    sklearn.metrics.normalized_mutual_info_score : mutual information of two clusterings.

    Examples
    --------
    Cluster 2 holds three samples of class 0, cluster 0 three of class 1: six of the eight
    samples are matched. Cluster 1 holds a sample of class 1 too, but class 1 has gone to
    cluster 0.

    >>> from skae.metrics import clustering_accuracy
    >>> clustering_accuracy([0, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 0, 0, 0, 0, 1])
    0.75
    """
    # A NaN would count as one more class or cluster, and no sample leaves no accuracy.
    y_true, y_pred = (column_or_1d(check_array(y, ensure_2d=False, dtype=None,
                                               input_name=name))
                      for y, name in ((y_true, "y_true"), (y_pred, "y_pred")))
    check_consistent_length(y_true, y_pred)
    counts = contingency_matrix(y_true, y_pred)  # classes x clusters
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / counts.sum())
