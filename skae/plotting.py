"""Display objects, in scikit-learn's style, for what an autoencoder learned.

Each ``XDisplay`` computes what it shows in ``from_estimator`` (or takes it ready in its
constructor) and draws it in ``plot(ax=None)``, which returns the display with ``ax_`` and
``figure_`` set. The displays only use the estimator API (``history_``, ``transform``,
``inverse_transform``, ``score_samples``, ``offset_``, ``sample``), so they work for any
estimator that has it. matplotlib is imported inside the functions that draw.
"""

import math
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

__all__ = [
    "AnomalyScoreDisplay",
    "LatentSpaceDisplay",
    "LossCurveDisplay",
    "ManifoldDisplay",
    "ReconstructionDisplay",
    "SampleDisplay",
]

_SPLIT_LABELS = {"train": "training", "valid": "validation"}


# -- helpers shared by the displays ------------------------------------------------------------

def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _new_axes(ax, figsize):
    if ax is None:
        _, ax = _pyplot().subplots(figsize=figsize, layout="constrained")
    return ax


def _check_fitted(estimator):
    # Duck typing: a stand-in without ``fit`` (already fitted, say) is fine too.
    if hasattr(estimator, "fit"):
        check_is_fitted(estimator)


def _set_title(ax, estimator_name, text):
    """Title ``name: text``, on two lines when one would not fit the figure's width."""
    title = f"{estimator_name}: {text}" if estimator_name else text
    width_chars = 10 * ax.figure.get_figwidth() * ax.get_position().width / 0.8
    if estimator_name and len(title) > width_chars:
        title = f"{estimator_name}\n{text}"
    ax.set_title(title)


def _estimator_name(estimator):
    return type(estimator).__name__


def _check_images(images, name="X"):
    """Flat rows of an array of samples; image arrays (n, h, w[, c]) keep their shape aside."""
    images = np.asarray(images)
    if images.ndim > 2:
        return images.reshape(len(images), -1), images.shape[1:]
    return check_array(images, input_name=name, dtype=np.float64, ensure_all_finite=False), None


def _resolve_image_shape(n_features, image_shape, estimator=None, *, required=False):
    """The (height, width[, channels]) of one image of ``n_features`` pixels, or None.

    Order: the ``image_shape`` argument, the estimator's own ``image_shape`` parameter (as
    convolutional models have), then a square ``side x side`` when ``n_features`` is a
    perfect square of at least 16.
    """
    if image_shape is None and estimator is not None:
        image_shape = getattr(estimator, "image_shape", None)
    if image_shape is not None:
        shape = tuple(int(s) for s in np.atleast_1d(image_shape))
        if len(shape) not in (2, 3) or math.prod(shape) != n_features:
            raise ValueError(
                f"image_shape must be (height, width) or (height, width, channels) with as "
                f"many pixels as X has features ({n_features}), got {image_shape!r}."
            )
        return shape
    side = math.isqrt(n_features)
    if side * side == n_features and n_features >= 16:
        return (side, side)
    if required:
        raise ValueError(
            f"Cannot infer the image shape of {n_features} features (not a square); pass "
            "image_shape=(height, width)."
        )
    return None


def _as_image(row, shape):
    """One flat row as an array imshow can draw; channels-first (C, H, W) is moved last."""
    image = np.asarray(row).reshape(shape)
    if image.ndim == 3:
        if image.shape[0] in (1, 3, 4) and image.shape[-1] not in (1, 3, 4):
            image = np.moveaxis(image, 0, -1)
        if image.shape[-1] == 1:
            image = image[..., 0]
        else:
            image = np.clip(image, 0, 1)
    return image


def _imshow_cell(ax, image, extent, cmap, vmin, vmax):
    return ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, extent=extent,
                     interpolation="nearest", origin="upper")


def _class_colors(labels):
    """Colours for discrete labels: tab10 up to 10 classes, tab20 up to 20."""
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if len(labels) <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(len(labels))]


# -- loss curves ---------------------------------------------------------------------------------

class LossCurveDisplay:
    """Training and validation loss per epoch, one panel per loss term.

    Use :meth:`from_estimator` on a fitted estimator with ``history_`` (or ``loss_curve_``).

    Parameters
    ----------
    history : list of dict
        One dict per epoch with ``"epoch"`` and ``"train_<term>"`` / ``"valid_<term>"``
        values, such as the estimator's ``history_``.
    estimator_name : str, default=None
        Shown in the title.

    Attributes
    ----------
    terms_ : list of str
        The loss terms drawn, ``"loss"`` (the total) first.
    lines_ : dict of (str, str) -> matplotlib Line2D
        The line of each ``(split, term)``, split being ``"train"`` or ``"valid"``.
    axes_ : ndarray of matplotlib Axes
        One axes per term, or a single one when ``ax`` was a single axes.
    ax_ : matplotlib Axes
        The first axes (the total loss).
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> from skae.plotting import LossCurveDisplay
    >>> X, _ = load_digits()
    >>> ae = AutoencoderTransformer(max_iter=5, early_stopping=True, random_state=0).fit(X)
    >>> display = LossCurveDisplay.from_estimator(ae)
    >>> sorted(display.lines_)
    [('train', 'loss'), ('valid', 'loss')]
    """

    def __init__(self, history, *, estimator_name=None):
        self.history = history
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, yscale="linear"):
        """Plot the loss curves of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with ``history_`` (every loss term per epoch) or ``loss_curve_``.
        ax : matplotlib Axes or array of Axes, default=None
            Where to draw: one axes per term, or a single axes for every term.
            ``None`` makes a new figure.
        yscale : {"linear", "log"}, default="linear"
            Scale of the loss axis.

        Returns
        -------
        display : LossCurveDisplay
        """
        _check_fitted(estimator)
        history = getattr(estimator, "history_", None)
        if history is None:
            curve = getattr(estimator, "loss_curve_", None)
            if curve is None:
                raise ValueError(
                    f"{_estimator_name(estimator)} has neither history_ nor loss_curve_; "
                    "LossCurveDisplay needs one of them."
                )
            history = [{"epoch": i + 1, "train_loss": v} for i, v in enumerate(curve)]
        return cls(history, estimator_name=_estimator_name(estimator)).plot(
            ax=ax, yscale=yscale)

    def _terms(self):
        names = []
        for row in self.history:
            for key in row:
                split, _, term = key.partition("_")
                if split in _SPLIT_LABELS and term and term not in names:
                    names.append(term)
        if "loss" not in names:
            raise ValueError(
                "history must hold 'train_loss' for each epoch, got keys "
                f"{sorted({k for row in self.history for k in row})}."
            )
        others = [t for t in names if t != "loss"]
        # With no penalty the reconstruction term is the loss itself: one panel says it all.
        if others == ["reconstruction"]:
            others = []
        return ["loss", *others]

    def _series(self, split, term):
        key = f"{split}_{term}"
        values = np.array([row.get(key, np.nan) for row in self.history], dtype=float)
        return None if np.all(np.isnan(values)) else values

    def plot(self, ax=None, *, yscale="linear"):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            One axes per term, or a single axes that gets every term. ``None`` makes a
            new figure with one panel per term.
        yscale : {"linear", "log"}, default="linear"

        Returns
        -------
        display : LossCurveDisplay
        """
        if not self.history:
            raise ValueError("history is empty: the estimator has not trained any epoch.")
        terms = self._terms()
        epochs = np.array([row.get("epoch", i + 1) for i, row in enumerate(self.history)])
        if ax is None:
            _, axes = _pyplot().subplots(1, len(terms), figsize=(4.8 * len(terms), 3.6),
                                         layout="constrained", squeeze=False)
            axes = axes.ravel()
        else:
            axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
            if len(axes) not in (1, len(terms)):
                raise ValueError(
                    f"ax must be a single Axes or one per loss term ({len(terms)}: "
                    f"{', '.join(terms)}), got {len(axes)}."
                )
        shared = len(axes) == 1 and len(terms) > 1
        self.lines_ = {}
        for i, term in enumerate(terms):
            panel = axes[0] if shared else axes[i]
            for split, style in (("train", "-"), ("valid", "--")):
                values = self._series(split, term)
                if values is None:
                    continue
                label = f"{_SPLIT_LABELS[split]} {term}" if shared else _SPLIT_LABELS[split]
                color = f"C{i}" if shared else ("C0" if split == "train" else "C1")
                (self.lines_[split, term],) = panel.plot(epochs, values, style, color=color,
                                                         label=label)
            if not shared:
                panel.set_title(f"{term} per epoch" if term != "loss" else "total loss")
                panel.set_ylabel(term)
        valid = self._series("valid", "loss")
        if valid is not None and np.any(np.isfinite(valid)):
            best = int(np.nanargmin(valid))
            axes[0].axvline(epochs[best], color="0.5", linestyle=":",
                            label=f"best validation epoch ({epochs[best]})")
        for panel in axes:
            panel.set_xlabel("epoch")
            panel.set_yscale(yscale)
            panel.grid(alpha=0.3)
            panel.legend()
        if shared:
            axes[0].set_ylabel("loss")
        _set_title(axes[0], self.estimator_name, axes[0].get_title() or "loss per epoch")
        self.terms_ = terms
        self.axes_ = axes
        self.ax_ = axes[0]
        self.figure_ = axes[0].figure
        return self


# -- reconstructions -----------------------------------------------------------------------------

class ReconstructionDisplay:
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
        Shape of one image; None for tabular data.
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
        fraction of the feature's variance that the reconstruction misses.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
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
            ``(height, width)`` or ``(height, width, channels)``; inferred from the
            estimator's ``image_shape`` or a square number of features.
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
        _check_fitted(estimator)
        X_input = X
        X_flat, array_shape = _check_images(X)
        X_rec = np.asarray(estimator.inverse_transform(estimator.transform(X_input)))
        X_rec = X_rec.reshape(len(X_rec), -1)
        if X_rec.shape != X_flat.shape:
            raise ValueError(
                f"The reconstruction has shape {X_rec.shape}, X has {X_flat.shape}; the "
                "estimator's inverse_transform must map back to the input space."
            )
        if feature_names is None and getattr(estimator, "feature_names_in_", None) is not None:
            feature_names = list(estimator.feature_names_in_)
        shape = _resolve_image_shape(X_flat.shape[1], image_shape or array_shape, estimator,
                                     required=kind == "images")
        if kind not in ("auto", "images", "features"):
            raise ValueError(f"kind must be 'auto', 'images' or 'features', got {kind!r}.")
        if kind == "features":
            shape = None
        display = cls(X_flat, X_rec, image_shape=shape, feature_names=feature_names,
                      estimator_name=_estimator_name(estimator))
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
        X_flat, array_shape = _check_images(X)
        X_rec = np.asarray(X_reconstructed, dtype=float).reshape(len(X_flat), -1)
        shape = _resolve_image_shape(X_flat.shape[1], image_shape or array_shape)
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
            self._plot_images(ax, X, X_rec, n_images, random_state, cmap)
        else:
            self._plot_features(ax, X, X_rec)
        self.figure_ = self.ax_.figure
        return self

    def _plot_images(self, ax, X, X_rec, n_images, random_state, cmap):
        if not isinstance(n_images, Integral) or n_images < 1:
            raise ValueError(f"n_images must be a positive int, got {n_images!r}.")
        n = min(n_images, len(X))
        if random_state is None:
            rows = np.arange(n)
        else:
            rows = np.sort(check_random_state(random_state).choice(len(X), n, replace=False))
        h, w = self.image_shape[:2]
        ax = _new_axes(ax, figsize=(max(4.0, 1.0 * n), 2.6))
        gap = 0.12 * max(h, w)
        vmin, vmax = float(np.min(X[rows])), float(np.max(X[rows]))
        self.images_ = []
        for r, data in enumerate((X, X_rec)):
            for c, i in enumerate(rows):
                x0, y0 = c * (w + gap), r * (h + gap)
                self.images_.append(_imshow_cell(ax, _as_image(data[i], self.image_shape),
                                                 (x0, x0 + w, y0 + h, y0), cmap, vmin, vmax))
        ax.set_xlim(-gap / 2, n * (w + gap) - gap / 2)
        ax.set_ylim(2 * (h + gap) - gap / 2, -gap / 2)
        ax.set_xticks([])
        ax.set_yticks([h / 2, h + gap + h / 2], ["original", "reconstruction"])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        mse = float(np.mean((X - X_rec) ** 2))
        _set_title(ax, self.estimator_name,
                   f"originals and reconstructions (MSE {mse:.4f} over {len(X)} samples)")
        self.kind_ = "images"
        self.ax_ = ax

    def _plot_features(self, ax, X, X_rec):
        n_features = X.shape[1]
        variance = X.var(axis=0)
        errors = np.mean((X - X_rec) ** 2, axis=0)
        self.feature_errors_ = np.where(variance > 0, errors / np.where(variance > 0, variance,
                                                                        1), 0.0)
        names = (list(self.feature_names) if self.feature_names is not None
                 else [f"x{i}" for i in range(n_features)])
        ax = _new_axes(ax, figsize=(max(5.0, min(0.3 * n_features + 2, 16)), 3.8))
        self.bars_ = ax.bar(np.arange(n_features), self.feature_errors_, color="C0")
        if n_features <= 40:
            ax.set_xticks(np.arange(n_features), names, rotation=90 if n_features > 8 else 0)
        ax.set_xlabel("feature")
        ax.set_ylabel("MSE / variance of the feature")
        ax.axhline(1.0, color="0.5", linestyle=":", label="error of predicting the mean")
        ax.set_ylim(0, 1.2 * max(1.0, float(np.max(self.feature_errors_))))
        ax.legend(loc="upper right")
        ax.grid(axis="y", alpha=0.3)
        _set_title(ax, self.estimator_name, "reconstruction error per feature "
                   f"(mean {float(np.mean(self.feature_errors_)):.3f})")
        self.kind_ = "features"
        self.ax_ = ax


# -- latent space --------------------------------------------------------------------------------

class LatentSpaceDisplay:
    """The latent codes as a scatter coloured by label; projected to 2-D when wider.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2) or (n_samples, 1)
        The points drawn: the latent codes, or their 2-D projection.
    y : array-like of shape (n_samples,), default=None
        Labels colouring the points: discrete labels get a legend, continuous a colour bar.
    method : str, default="latent"
        How the embedding was made: ``"latent"`` (the codes themselves), ``"tsne"`` or
        ``"pca"``; names the axes.
    latent_dim : int, default=None
        Width of the latent space, for the title.
    estimator_name : str, default=None

    Attributes
    ----------
    scatters_ : list of matplotlib PathCollection
        One per class for discrete labels, else one.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> from skae.plotting import LatentSpaceDisplay
    >>> X, y = load_digits()
    >>> ae = AutoencoderTransformer(max_iter=5, random_state=0).fit(X)
    >>> display = LatentSpaceDisplay.from_estimator(ae, X, y)
    >>> len(display.scatters_)
    10
    """

    def __init__(self, embedding, y=None, *, method="latent", latent_dim=None,
                 estimator_name=None):
        self.embedding = embedding
        self.y = y
        self.method = method
        self.latent_dim = latent_dim
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, method="tsne", max_samples=None,
                       random_state=None, ax=None):
        """Encode ``X`` with ``transform`` and scatter the codes.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with ``transform``.
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            Labels colouring the points.
        method : {"tsne", "pca"}, default="tsne"
            Projection used when the latent space has more than two dimensions; a 1-D or
            2-D latent is drawn directly.
        max_samples : int, default=None
            Draw at most this many points (chosen with ``random_state``); t-SNE grows
            quadratically with the number of points.
        random_state : int, RandomState instance or None, default=None
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : LatentSpaceDisplay
        """
        _check_fitted(estimator)
        if method not in ("tsne", "pca"):
            raise ValueError(f"method must be 'tsne' or 'pca', got {method!r}.")
        Z = np.asarray(estimator.transform(X), dtype=float)
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(Z):
                raise ValueError(f"y has {len(y)} labels for {len(Z)} samples of X.")
        rng = check_random_state(random_state)
        if max_samples is not None and max_samples < len(Z):
            keep = np.sort(rng.choice(len(Z), max_samples, replace=False))
            Z, y = Z[keep], None if y is None else y[keep]
        latent_dim = Z.shape[1]
        if latent_dim <= 2:
            embedding, used = Z, "latent"
        elif method == "pca":
            from sklearn.decomposition import PCA

            embedding, used = PCA(n_components=2, random_state=rng).fit_transform(Z), "pca"
        else:
            from sklearn.manifold import TSNE

            perplexity = min(30.0, max(2.0, (len(Z) - 1) / 3))
            embedding = TSNE(n_components=2, perplexity=perplexity, init="pca",
                             random_state=rng).fit_transform(Z)
            used = "tsne"
        return cls(embedding, y, method=used, latent_dim=latent_dim,
                   estimator_name=_estimator_name(estimator)).plot(ax=ax)

    def plot(self, ax=None, *, alpha=0.7, s=10):
        """Draw the scatter.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        alpha : float, default=0.7
        s : float, default=10
            Marker size.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        E = np.asarray(self.embedding, dtype=float)
        if E.ndim != 2 or E.shape[1] not in (1, 2):
            raise ValueError(
                f"embedding must have 1 or 2 columns, got shape {E.shape}; use "
                "from_estimator to project a wider latent space."
            )
        if E.shape[1] == 1:
            # A 1-D code: spread the points vertically so they do not hide each other.
            jitter = np.random.RandomState(0).uniform(-1, 1, len(E))
            E = np.column_stack([E[:, 0], jitter])
        ax = _new_axes(ax, figsize=(6.0, 5.0))
        self.scatters_ = []
        y = None if self.y is None else np.asarray(self.y)
        if y is None:
            self.scatters_.append(ax.scatter(E[:, 0], E[:, 1], s=s, alpha=alpha, color="C0"))
        else:
            classes = np.unique(y)
            if len(classes) <= 20:
                for label, color in zip(classes, _class_colors(classes)):
                    mask = y == label
                    self.scatters_.append(ax.scatter(E[mask, 0], E[mask, 1], s=s, alpha=alpha,
                                                     color=color, label=str(label)))
                ax.legend(title="label", loc="center left", bbox_to_anchor=(1.0, 0.5),
                          markerscale=2, frameon=False)
            else:
                # Many classes or a continuous target: a colour scale (class codes if text).
                values = y if y.dtype.kind in "biuf" else np.searchsorted(classes, y)
                points = ax.scatter(E[:, 0], E[:, 1], c=values, s=s, alpha=alpha,
                                    cmap="viridis")
                self.scatters_.append(points)
                ax.figure.colorbar(points, ax=ax, label="label")
        prefix = {"latent": "latent", "tsne": "t-SNE", "pca": "PCA"}.get(self.method,
                                                                         self.method)
        ax.set_xlabel(f"{prefix} 1")
        ax.set_ylabel(f"{prefix} 2" if np.asarray(self.embedding).shape[1] == 2
                      else "(random spread)")
        if np.asarray(self.embedding).shape[1] == 1:
            ax.set_yticks([])
        dim = f"{self.latent_dim}-D " if self.latent_dim else ""
        how = {"tsne": ", t-SNE of the codes", "pca": ", PCA of the codes"}.get(self.method, "")
        _set_title(ax, self.estimator_name, f"{dim}latent space{how}")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


# -- decoded manifold ----------------------------------------------------------------------------

class ManifoldDisplay:
    """A grid of points of a 2-D latent space decoded into images.

    Parameters
    ----------
    images : ndarray of shape (n_rows * n_cols, n_features)
        The decoded images, row by row from the top (highest second coordinate).
    grid_x : ndarray of shape (n_cols,)
        First latent coordinate of each column.
    grid_y : ndarray of shape (n_rows,)
        Second latent coordinate of each row, decreasing (top row first).
    image_shape : tuple of int
    estimator_name : str, default=None

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
    ax_ : matplotlib Axes
        Its axes are the latent coordinates.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> from skae.plotting import ManifoldDisplay
    >>> X, _ = load_digits()
    >>> ae = AutoencoderTransformer(latent_dim=2, max_iter=5, random_state=0).fit(X)
    >>> len(ManifoldDisplay.from_estimator(ae, X, n_per_side=5).images_)
    25
    """

    def __init__(self, images, grid_x, grid_y, *, image_shape, estimator_name=None):
        self.images = images
        self.grid_x = grid_x
        self.grid_y = grid_y
        self.image_shape = image_shape
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X=None, *, n_per_side=15, extent=None,
                       quantiles=(0.02, 0.98), image_shape=None, ax=None, cmap="gray_r"):
        """Decode a regular grid of the estimator's 2-D latent space.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with a 2-D ``transform`` and ``inverse_transform``.
        X : array-like of shape (n_samples, n_features), default=None
            Data whose codes set the extent of the grid (between ``quantiles`` of each
            coordinate). Without it, pass ``extent``; an estimator with ``sample`` (a
            variational model, whose prior is a standard normal) defaults to the
            standard normal quantiles.
        n_per_side : int, default=15
            Grid points along each axis.
        extent : tuple of 4 floats, default=None
            ``(x_min, x_max, y_min, y_max)`` of the grid in latent coordinates.
        quantiles : tuple of 2 floats, default=(0.02, 0.98)
            Extent of the grid from the codes of ``X``.
        image_shape : tuple of int, default=None
            Inferred from the estimator or a square number of features.
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : ManifoldDisplay
        """
        _check_fitted(estimator)
        if not isinstance(n_per_side, Integral) or n_per_side < 2:
            raise ValueError(f"n_per_side must be an int of at least 2, got {n_per_side!r}.")
        if extent is None and X is not None:
            Z = np.asarray(estimator.transform(X), dtype=float)
            if Z.shape[1] != 2:
                raise ValueError(
                    f"ManifoldDisplay needs a 2-D latent space, {_estimator_name(estimator)} "
                    f"has {Z.shape[1]} dimensions."
                )
            lo, hi = np.quantile(Z, quantiles, axis=0)
            extent = (lo[0], hi[0], lo[1], hi[1])
        elif extent is None and hasattr(estimator, "sample"):
            from scipy.stats import norm

            lo, hi = norm.ppf(quantiles)
            extent = (lo, hi, lo, hi)
        elif extent is None:
            raise ValueError("Pass X (data whose codes set the grid) or extent=(x_min, x_max, "
                             "y_min, y_max).")
        if len(extent) != 4:
            raise ValueError(f"extent must be (x_min, x_max, y_min, y_max), got {extent!r}.")
        grid_x = np.linspace(extent[0], extent[1], n_per_side)
        grid_y = np.linspace(extent[3], extent[2], n_per_side)
        codes = np.array([[gx, gy] for gy in grid_y for gx in grid_x])
        images = np.asarray(estimator.inverse_transform(codes), dtype=float)
        images = images.reshape(len(images), -1)
        shape = _resolve_image_shape(images.shape[1], image_shape, estimator, required=True)
        return cls(images, grid_x, grid_y, image_shape=shape,
                   estimator_name=_estimator_name(estimator)).plot(ax=ax, cmap=cmap)

    def plot(self, ax=None, *, cmap="gray_r"):
        """Draw each decoded image centred on its latent coordinates.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : ManifoldDisplay
        """
        images = np.asarray(self.images, dtype=float)
        gx, gy = np.asarray(self.grid_x, float), np.asarray(self.grid_y, float)
        if len(images) != len(gx) * len(gy):
            raise ValueError(f"images must hold {len(gx)} x {len(gy)} = {len(gx) * len(gy)} "
                             f"images, got {len(images)}.")
        ax = _new_axes(ax, figsize=(7.0, 7.0))
        dx = abs(gx[1] - gx[0]) if len(gx) > 1 else 1.0
        dy = abs(gy[1] - gy[0]) if len(gy) > 1 else 1.0
        vmin, vmax = min(0.0, images.min()), max(1.0, images.max())
        self.images_ = []
        for i, (cy, cx) in enumerate((cy, cx) for cy in gy for cx in gx):
            # Cells a little smaller than the grid step leave a white gap between images.
            extent = (cx - 0.44 * dx, cx + 0.44 * dx, cy - 0.44 * dy, cy + 0.44 * dy)
            self.images_.append(_imshow_cell(ax, _as_image(images[i], self.image_shape),
                                             extent, cmap, vmin, vmax))
        ax.set_xlim(gx.min() - dx / 2, gx.max() + dx / 2)
        ax.set_ylim(gy.min() - dy / 2, gy.max() + dy / 2)
        ax.set_aspect(dx / dy)
        ax.set_xlabel("latent 1")
        ax.set_ylabel("latent 2")
        _set_title(ax, self.estimator_name, f"decoded latent grid ({len(gx)} x {len(gy)})")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


# -- anomaly scores ------------------------------------------------------------------------------

class AnomalyScoreDisplay:
    """Histograms of the anomaly scores of normal and anomalous samples, with the threshold.

    The anomaly score is ``-score_samples`` (scikit-learn's ``score_samples`` is higher for
    normal samples), so here higher means more anomalous; for an autoencoder it is the
    reconstruction error.

    Parameters
    ----------
    anomaly_scores : ndarray of shape (n_samples,)
    y_is_outlier : ndarray of shape (n_samples,) of bool
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
    >>> import matplotlib
    >>> matplotlib.use("Agg")
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
        _check_fitted(estimator)
        scores = np.asarray(estimator.score_samples(X), dtype=float)
        if threshold is None:
            threshold = getattr(estimator, "offset_", None)
        anomaly_threshold = None if threshold is None else -float(threshold)
        return cls(-scores, y_is_outlier, threshold=anomaly_threshold,
                   estimator_name=_estimator_name(estimator)).plot(
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
        if outlier.dtype.kind in "iu" and set(np.unique(outlier)) <= {-1, 1}:
            outlier = outlier == -1
        outlier = outlier.astype(bool)
        if outlier.all() or not outlier.any():
            raise ValueError("y_is_outlier must mark some samples as outliers and some not.")
        ax = _new_axes(ax, figsize=(6.5, 4.0))
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
        _set_title(ax, self.estimator_name, "anomaly scores of normal and anomalous samples")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


# -- samples of a generative model ---------------------------------------------------------------

class SampleDisplay:
    """New samples drawn from a generative estimator (one with ``sample``), as images.

    Parameters
    ----------
    samples : ndarray of shape (n_samples, n_features)
    image_shape : tuple of int, default=None
        Shape of one image; without it the samples are drawn as a heat map, one row each.
    estimator_name : str, default=None

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        One per sample in the image view, a single heat map otherwise.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skae.plotting import SampleDisplay
    >>> samples = np.random.RandomState(0).uniform(size=(8, 64))
    >>> len(SampleDisplay(samples, image_shape=(8, 8)).plot().images_)
    8
    """

    def __init__(self, samples, *, image_shape=None, estimator_name=None):
        self.samples = samples
        self.image_shape = image_shape
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, n_samples=32, random_state=None, image_shape=None,
                       n_cols=None, ax=None, cmap="gray_r"):
        """Draw ``estimator.sample(n_samples, random_state=random_state)`` and plot it.

        Parameters
        ----------
        estimator : estimator instance
            Fitted, with ``sample(n_samples, random_state=...)`` returning an array of
            shape (n_samples, n_features) (or a tuple whose first item is that array).
        n_samples : int, default=32
        random_state : int, RandomState instance or None, default=None
        image_shape : tuple of int, default=None
            Inferred from the estimator or a square number of features; without one, the
            samples are drawn as a heat map.
        n_cols : int, default=None
            Images per row; about the square root of ``n_samples`` by default.
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : SampleDisplay
        """
        _check_fitted(estimator)
        if not hasattr(estimator, "sample"):
            raise TypeError(f"{_estimator_name(estimator)} has no sample method; "
                            "SampleDisplay needs a generative model.")
        samples = estimator.sample(n_samples, random_state=random_state)
        if isinstance(samples, tuple):
            samples = samples[0]
        samples = np.asarray(samples, dtype=float)
        if image_shape is None and samples.ndim > 2:
            image_shape = samples.shape[1:]
        samples = samples.reshape(len(samples), -1)
        shape = _resolve_image_shape(samples.shape[1], image_shape, estimator)
        return cls(samples, image_shape=shape, estimator_name=_estimator_name(estimator)).plot(
            ax=ax, n_cols=n_cols, cmap=cmap)

    def plot(self, ax=None, *, n_cols=None, cmap="gray_r"):
        """Draw the samples in a grid of images (or a heat map without ``image_shape``).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        n_cols : int, default=None
        cmap : str, default="gray_r"

        Returns
        -------
        display : SampleDisplay
        """
        samples = np.asarray(self.samples, dtype=float)
        samples = samples.reshape(len(samples), -1)
        n = len(samples)
        self.images_ = []
        if self.image_shape is None:
            ax = _new_axes(ax, figsize=(7.0, max(3.0, 0.25 * n + 1)))
            heat = ax.imshow(samples, aspect="auto", cmap="viridis", interpolation="nearest")
            self.images_.append(heat)
            ax.figure.colorbar(heat, ax=ax, label="value")
            ax.set_xlabel("feature")
            ax.set_ylabel("sample")
        else:
            n_cols = n_cols or math.ceil(math.sqrt(n))
            n_rows = math.ceil(n / n_cols)
            h, w = self.image_shape[:2]
            gap = 0.12 * max(h, w)
            ax = _new_axes(ax, figsize=(min(1.0 * n_cols + 0.5, 12), min(1.0 * n_rows + 0.8,
                                                                         12)))
            vmin, vmax = min(0.0, samples.min()), max(1.0, samples.max())
            for i, row in enumerate(samples):
                x0, y0 = (i % n_cols) * (w + gap), (i // n_cols) * (h + gap)
                self.images_.append(_imshow_cell(ax, _as_image(row, self.image_shape),
                                                 (x0, x0 + w, y0 + h, y0), cmap, vmin, vmax))
            ax.set_xlim(-gap / 2, n_cols * (w + gap) - gap / 2)
            ax.set_ylim(n_rows * (h + gap) - gap / 2, -gap / 2)
            ax.set_axis_off()
        _set_title(ax, self.estimator_name, f"{n} generated samples")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
