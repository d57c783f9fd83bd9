"""LatentSpaceDisplay: the latent codes as a scatter coloured by label."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ._base import Display, check_fitted, estimator_name, new_axes


def _class_colors(labels):
    """Colours for discrete labels: tab10 up to 10 classes, tab20 up to 20."""
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if len(labels) <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(len(labels))]


class LatentSpaceDisplay(Display):
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
        check_fitted(estimator)
        if method not in ("tsne", "pca"):
            raise ValueError(f"method must be 'tsne' or 'pca', got {method!r}.")
        if max_samples is not None and (isinstance(max_samples, bool)
                                        or not isinstance(max_samples, Integral)
                                        or max_samples < 1):
            raise ValueError(f"max_samples must be a positive int or None, got "
                             f"{max_samples!r}.")
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
                   estimator_name=estimator_name(estimator)).plot(ax=ax)

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
        ax = new_axes(ax, figsize=(6.0, 5.0))
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
        return self._finish(ax, f"{dim}latent space{how}")
