"""AnomalyScoreDisplay: histograms of the anomaly scores of normal and anomalous samples."""

from numbers import Integral

import numpy as np

from ._base import Display, check_fitted, estimator_name, new_axes


class AnomalyScoreDisplay(Display):
    """Histograms of the anomaly scores of normal and anomalous samples, with the threshold.

    The anomaly score is ``-score_samples`` (scikit-learn's ``score_samples`` is higher for
    normal samples), so here higher means more anomalous; for an autoencoder it is the
    reconstruction error.

    Parameters
    ----------
    anomaly_scores : ndarray of shape (n_samples,)
    y_is_outlier : ndarray of shape (n_samples,)
        Bools (True: outlier), 0 / 1 (1: outlier) or -1 / 1 (-1: outlier, as ``predict``
        returns them).
    threshold : float, default=None
        Anomaly score above which a sample is flagged; None draws no threshold.
    estimator_name : str, default=None

    Attributes
    ----------
    hists_ : dict of str -> list of matplotlib patches
        The bars of ``"normal"`` and ``"anomalous"``.
    threshold_line_ : matplotlib Line2D or None
    detection_rate_ : float or None
        Fraction of anomalous samples above the threshold.
    false_alarm_rate_ : float or None
        Fraction of normal samples above the threshold.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skae.plotting import AnomalyScoreDisplay
    >>> scores = np.r_[np.zeros(90), np.ones(10)]
    >>> display = AnomalyScoreDisplay(scores, scores > 0.5, threshold=0.5).plot()
    >>> display.detection_rate_, display.false_alarm_rate_
    (1.0, 0.0)
    """

    def __init__(self, anomaly_scores, y_is_outlier, *, threshold=None, estimator_name=None):
        self.anomaly_scores = anomaly_scores
        self.y_is_outlier = y_is_outlier
        self.threshold = threshold
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y_is_outlier, *, threshold=None, bins=30,
                       log_scale=False, ax=None):
        """Score ``X`` with ``score_samples`` and compare normal with anomalous samples.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with ``score_samples`` (higher is more normal), such as an outlier
            detector or an ``AutoencoderTransformer``.
        X : array-like of shape (n_samples, n_features)
        y_is_outlier : array-like of shape (n_samples,)
            True (or 1) for the anomalous samples. Labels ``-1`` (outlier) and ``1``
            (inlier), as ``predict`` returns them, are understood too.
        threshold : float, default=None
            Threshold on ``score_samples`` below which a sample is an outlier. Defaults
            to the estimator's ``offset_`` when it has one (scikit-learn's outlier
            detectors flag ``score_samples(X) < offset_``); otherwise no threshold.
        bins : int, default=30
        log_scale : bool, default=False
            Log scale on the score axis, for errors spanning orders of magnitude.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : AnomalyScoreDisplay
        """
        check_fitted(estimator)
        scores = np.asarray(estimator.score_samples(X), dtype=float)
        if threshold is None:
            threshold = getattr(estimator, "offset_", None)
        anomaly_threshold = None if threshold is None else -float(threshold)
        return cls(-scores, y_is_outlier, threshold=anomaly_threshold,
                   estimator_name=estimator_name(estimator)).plot(
            ax=ax, bins=bins, log_scale=log_scale)

    def plot(self, ax=None, *, bins=30, log_scale=False):
        """Draw the two histograms and the threshold.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        bins : int, default=30
        log_scale : bool, default=False

        Returns
        -------
        display : AnomalyScoreDisplay
        """
        scores = np.asarray(self.anomaly_scores, dtype=float).ravel()
        outlier = np.asarray(self.y_is_outlier).ravel()
        if len(outlier) != len(scores):
            raise ValueError(f"y_is_outlier has {len(outlier)} values for {len(scores)} "
                             "scores.")
        outlier = _outlier_mask(outlier)
        if outlier.all() or not outlier.any():
            raise ValueError("y_is_outlier must mark some samples as outliers and some not.")
        if not np.isfinite(scores).any():
            raise ValueError("anomaly_scores has no finite value to draw.")
        if self.threshold is not None and not np.isfinite(self.threshold):
            raise ValueError(f"threshold must be finite or None, got {self.threshold}.")
        if isinstance(bins, bool) or not isinstance(bins, Integral) or bins < 1:
            raise ValueError(f"bins must be a positive int, got {bins!r}.")
        ax = new_axes(ax, figsize=(6.5, 4.0))
        values = np.log10(np.maximum(scores, 1e-12)) if log_scale else scores
        edges = np.histogram_bin_edges(values[np.isfinite(values)], bins=bins)
        if log_scale:
            edges = 10.0 ** edges
        self.hists_ = {}
        for name, mask, color in (("normal", ~outlier, "C0"), ("anomalous", outlier, "C3")):
            _, _, patches = ax.hist(scores[mask], bins=edges, color=color, alpha=0.55,
                                    density=True, label=f"{name} ({int(mask.sum())})")
            self.hists_[name] = list(patches)
        self.threshold_line_ = None
        self.detection_rate_ = self.false_alarm_rate_ = None
        if self.threshold is not None:
            flagged = scores > self.threshold
            self.detection_rate_ = float(flagged[outlier].mean())
            self.false_alarm_rate_ = float(flagged[~outlier].mean())
            self.threshold_line_ = ax.axvline(
                self.threshold, color="k", linestyle="--",
                label=(f"threshold: flags {self.detection_rate_:.0%} of anomalous, "
                       f"{self.false_alarm_rate_:.0%} of normal"))
        if log_scale:
            ax.set_xscale("log")
        ax.set_xlabel("anomaly score (-score_samples; higher is more anomalous)")
        ax.set_ylabel("density")
        ax.margins(y=0.3)
        ax.legend(loc="upper right", fontsize="small")
        return self._finish(ax, "anomaly scores of normal and anomalous samples")


def _outlier_mask(values):
    """``y_is_outlier`` as a bool mask: bools, 0 / 1, or ``predict``'s -1 (outlier) / 1."""
    if values.dtype == object and all(isinstance(v, (bool, np.bool_)) for v in values):
        values = values.astype(bool)  # a pandas object column of True / False
    if values.dtype.kind == "b":
        return values
    kinds = set(np.unique(values).tolist()) if values.dtype.kind in "iuf" else None
    if kinds is not None and kinds <= {0, 1}:
        return values == 1
    if kinds is not None and kinds <= {-1, 1}:
        return values == -1
    shown = list(dict.fromkeys(values.tolist()))  # distinct, in order, any mix of types
    raise ValueError(
        "y_is_outlier must be bools, 0 / 1 (1: outlier) or -1 / 1 (-1: outlier, as "
        f"predict returns them); got values {shown[:5]}{' ...' if len(shown) > 5 else ''}."
    )
