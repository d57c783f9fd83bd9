"""ReconstructionDisplay: originals above their reconstructions, or the error per feature."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ._base import Display, check_fitted, estimator_name, new_axes
from ._images import check_rows, image_grid, resolve_image_shape


class ReconstructionDisplay(Display):
    """Originals above their reconstructions for images; per-feature error for tabular data.

    Use :meth:`from_estimator` with any fitted estimator that has ``transform`` and
    ``inverse_transform``, or :meth:`from_predictions` with the reconstructions at hand.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Originals.
    X_reconstructed : ndarray of shape (n_samples, n_features)
        Their reconstructions.
    image_shape : tuple of int, default=None
        Shape of one image, ``(height, width)`` or ``(channels, height, width)``; None for
        tabular data.
    feature_names : list of str, default=None
        Names of the features, for the tabular view.
    estimator_name : str, default=None

    Attributes
    ----------
    kind_ : {"images", "features"}
        Which view was drawn.
    images_ : list of matplotlib AxesImage
        The drawn images (originals then reconstructions), for the image view.
    bars_ : matplotlib BarContainer
        The per-feature bars, for the tabular view.
    feature_errors_ : ndarray of shape (n_features,)
        Mean squared error of each feature divided by its variance in ``X``: the
        fraction of the feature's variance that the reconstruction misses. A feature
        constant in ``X`` gets 0 when it is reconstructed (within 1e-4 of the features'
        root mean variance) and ``inf`` otherwise (predicting its mean would be exact);
        its bar is drawn in red at the top of the axes.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from skae import AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> from skae.plotting import ReconstructionDisplay
    >>> X, _ = load_digits()
    >>> ae = AutoencoderTransformer(max_iter=5, random_state=0).fit(X)
    >>> display = ReconstructionDisplay.from_estimator(ae, X, n_images=6)
    >>> display.kind_, len(display.images_)
    ('images', 12)
    """

    def __init__(self, X, X_reconstructed, *, image_shape=None, feature_names=None,
                 estimator_name=None):
        self.X = X
        self.X_reconstructed = X_reconstructed
        self.image_shape = image_shape
        self.feature_names = feature_names
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, *, n_images=10, image_shape=None, kind="auto",
                       random_state=None, feature_names=None, ax=None, cmap="gray_r"):
        """Reconstruct ``X`` through ``inverse_transform(transform(X))`` and plot it.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with ``transform`` and ``inverse_transform``.
        X : array-like of shape (n_samples, n_features)
        n_images : int, default=10
            Images shown in the image view (the first ones, or drawn with
            ``random_state``).
        image_shape : tuple of int, default=None
            ``(height, width)`` or ``(channels, height, width)``, as the estimators take
            it; inferred from an array of images, the estimator's ``image_shape`` or a
            square number of features.
        kind : {"auto", "images", "features"}, default="auto"
            ``"auto"`` shows images when an image shape is known, else the tabular view.
        random_state : int, RandomState instance or None, default=None
            Which images to show: None takes the first ``n_images``.
        feature_names : list of str, default=None
            Defaults to the estimator's ``feature_names_in_`` when it has them.
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : ReconstructionDisplay
        """
        check_fitted(estimator)
        if kind not in ("auto", "images", "features"):
            raise ValueError(f"kind must be 'auto', 'images' or 'features', got {kind!r}.")
        X_flat, array_shape = check_rows(X)
        X_rec = np.asarray(estimator.inverse_transform(estimator.transform(X)))
        X_rec = X_rec.reshape(len(X_rec), -1)
        if X_rec.shape != X_flat.shape:
            raise ValueError(
                f"The reconstruction has shape {X_rec.shape}, X has {X_flat.shape}; the "
                "estimator's inverse_transform must map back to the input space."
            )
        if feature_names is None and getattr(estimator, "feature_names_in_", None) is not None:
            feature_names = list(estimator.feature_names_in_)
        shape = None
        if kind != "features":
            shape = resolve_image_shape(X_flat.shape[1], image_shape or array_shape, estimator,
                                        required=kind == "images")
        display = cls(X_flat, X_rec, image_shape=shape, feature_names=feature_names,
                      estimator_name=estimator_name(estimator))
        return display.plot(ax=ax, n_images=n_images, random_state=random_state, cmap=cmap)

    @classmethod
    def from_predictions(cls, X, X_reconstructed, *, image_shape=None, n_images=10,
                         random_state=None, feature_names=None, ax=None, cmap="gray_r"):
        """Plot reconstructions computed elsewhere (e.g. by PCA for a comparison).

        Parameters are those of :meth:`from_estimator`, with the reconstructions given.

        Returns
        -------
        display : ReconstructionDisplay
        """
        X_flat, array_shape = check_rows(X)
        X_rec = np.asarray(X_reconstructed, dtype=float)
        # Compared before any reshape: a transposed or cut array must not be drawn as rows.
        if X_rec.ndim < 1 or len(X_rec) != len(X_flat) or X_rec.size != X_flat.size:
            raise ValueError(
                f"X_reconstructed must hold one reconstruction per row of X: X has shape "
                f"{np.shape(X)}, X_reconstructed {X_rec.shape}."
            )
        X_rec = X_rec.reshape(len(X_flat), -1)
        shape = resolve_image_shape(X_flat.shape[1], image_shape or array_shape)
        return cls(X_flat, X_rec, image_shape=shape, feature_names=feature_names).plot(
            ax=ax, n_images=n_images, random_state=random_state, cmap=cmap)

    def plot(self, ax=None, *, n_images=10, random_state=None, cmap="gray_r"):
        """Draw the image view when ``image_shape`` is set, else the per-feature view.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        n_images : int, default=10
        random_state : int, RandomState instance or None, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : ReconstructionDisplay
        """
        X = np.asarray(self.X, dtype=float)
        X_rec = np.asarray(self.X_reconstructed, dtype=float)
        if X.shape != X_rec.shape:
            raise ValueError(
                f"X and X_reconstructed must have the same shape, got {X.shape} and "
                f"{X_rec.shape}."
            )
        if self.image_shape is not None:
            return self._plot_images(ax, X, X_rec, n_images, random_state, cmap)
        return self._plot_features(ax, X, X_rec)

    def _plot_images(self, ax, X, X_rec, n_images, random_state, cmap):
        if not isinstance(n_images, Integral) or n_images < 1:
            raise ValueError(f"n_images must be a positive int, got {n_images!r}.")
        n = min(n_images, len(X))
        if random_state is None:
            rows = np.arange(n)
        else:
            rows = np.sort(check_random_state(random_state).choice(len(X), n, replace=False))
        ax = new_axes(ax, figsize=(max(4.0, 1.0 * n), 2.6))
        self.images_ = image_grid(ax, np.r_[X[rows], X_rec[rows]], self.image_shape, n_cols=n,
                                  cmap=cmap, vmin=float(np.min(X[rows])),
                                  vmax=float(np.max(X[rows])))
        # Label each row of the grid at the height of its centre.
        centres = [np.mean(self.images_[i].get_extent()[2:]) for i in (0, n)]
        ax.set_xticks([])
        ax.set_yticks(centres, ["original", "reconstruction"])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        self.kind_ = "images"
        mse = float(np.mean((X - X_rec) ** 2))
        return self._finish(
            ax, f"originals and reconstructions (MSE {mse:.4f} over {len(X)} samples)")

    def _plot_features(self, ax, X, X_rec):
        n_features = X.shape[1]
        variance = X.var(axis=0)
        errors = np.mean((X - X_rec) ** 2, axis=0)
        constant = variance == 0
        # A constant feature has no variance to compare with: reconstructed (up to float32
        # round-off on X's scale) it is 0, else inf, worse than predicting its mean (exact).
        tolerance = (_CONSTANT_TOLERANCE**2) * max(float(np.mean(variance)), 1.0)
        missed = constant & (errors > tolerance)
        self.feature_errors_ = np.where(
            constant, np.where(missed, np.inf, 0.0),
            errors / np.where(constant, 1.0, variance))
        finite = self.feature_errors_[~missed]
        top = 1.2 * max(1.0, float(np.max(finite, initial=0.0)))
        names = (list(self.feature_names) if self.feature_names is not None
                 else [f"x{i}" for i in range(n_features)])
        ax = new_axes(ax, figsize=(max(5.0, min(0.3 * n_features + 2, 16)), 3.8))
        self.bars_ = ax.bar(np.arange(n_features), np.minimum(self.feature_errors_, top),
                            color=np.where(missed, "C3", "C0").tolist())
        if n_features <= 40:
            ax.set_xticks(np.arange(n_features), names, rotation=90 if n_features > 8 else 0)
        ax.set_xlabel("feature")
        ax.set_ylabel("MSE / variance of the feature")
        ax.axhline(1.0, color="0.5", linestyle=":", label="error of predicting the mean")
        if missed.any():
            ax.bar([], [], color="C3", label="constant in X, not reconstructed (inf)")
        ax.set_ylim(0, top)
        ax.legend(loc="upper right")
        ax.grid(axis="y", alpha=0.3)
        self.kind_ = "features"
        title = "reconstruction error per feature (mean "
        title += (f"{float(np.mean(finite)):.3f}" if finite.size else "-")
        if missed.any():
            n = int(missed.sum())
            title += f" over the others; {n} constant feature{'s' * (n > 1)} missed"
        return self._finish(ax, title + ")")


# A constant feature counts as reconstructed when its root mean squared error is within this
# fraction of the features' root mean variance (at least 1): float32 round-off, not a miss.
_CONSTANT_TOLERANCE = 1e-4
